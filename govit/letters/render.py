"""DOCX from the kind's template (docxtpl), and PDF from that DOCX: its paragraphs, by their Gov*
styles, tables and pictures become HTML on the GB/T 9704 page, which WeasyPrint (pango) lays out
with the Noto CJK fonts embedded. The PDF therefore says what the DOCX says, an edited upload too."""
import base64
import html
import io
import re
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate

from ..domain.letters import CHARS_PER_LINE, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM, MARGIN_TOP_MM, TYPE_AREA_MM
from .layout import SANS, SERIF, add_styles, apply_section

TEMPLATES = Path(__file__).resolve().parent / "templates"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_docx(kind: str, context: dict, annex: list[dict] | None = None) -> bytes:
    """The template of `kind` filled with `context`; `annex` blocks (tables, charts) after it."""
    template = DocxTemplate(str(TEMPLATES / f"{kind}.docx"))
    template.render(context, autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    document = Document(io.BytesIO(buffer.getvalue()))
    add_styles(document)
    apply_section(document)
    for block in annex or []:
        _annex(document, block)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _annex(document, block: dict) -> None:
    """附件 on a page of its own (GB/T 9704 8.1), or a record's table right after its title."""
    title = document.add_paragraph(block.get("title", ""), style="GovAnnexTitle")
    if block.get("new_page", True):
        title.paragraph_format.page_break_before = True
    if "table" in block:
        header, rows = block["table"]
        table = document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header):
            cell.text = str(text)
        for row in rows:
            for cell, value in zip(table.add_row().cells, row):
                cell.text = "" if value is None else str(value)
        # the style's id looked up once and set on each cell's paragraph element: python-docx's
        # `paragraph.style = name` looks the style up again for every cell (6 ms each; a plan
        # notice's table of 500 cells took 3 s)
        style_id = document.styles["GovTable"].style_id
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph._p.style = style_id  # noqa: SLF001  (CT_P.style: the w:pStyle value)
    if "image" in block:
        run = document.add_paragraph(style="GovTable").add_run()
        run.add_picture(io.BytesIO(block["image"]), width=Mm(TYPE_AREA_MM[0]))


def replace_text(data: bytes, replacements: dict[str, str]) -> tuple[bytes, set[str]]:
    """Each old text replaced in the paragraphs holding it (the 文号 and date a final letter takes);
    returns the document and the texts found."""
    document = Document(io.BytesIO(data))
    found = set()
    for paragraph in _all_paragraphs(document):
        for old, new in replacements.items():
            if old and old in paragraph.text:
                found.add(old)
                runs = [r for r in paragraph.runs if old in r.text]
                if runs:
                    runs[0].text = runs[0].text.replace(old, new)
                else:  # split over runs by an editor: the paragraph's text goes into its first run
                    text = paragraph.text.replace(old, new)
                    for run in paragraph.runs[1:]:
                        run.text = ""
                    paragraph.runs[0].text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), found


def _all_paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def docx_text(data: bytes) -> str:
    """Every paragraph's and table cell's text, one a line (tests and checks read it)."""
    return "\n".join(p.text for p in _all_paragraphs(Document(io.BytesIO(data))))


# ---- PDF -------------------------------------------------------------------------------------
PITCH_MM = 10.2  # 22 lines in the 225 mm type area (10.23 mm each), rounded down so all 22 fit
# 28 characters of 16 pt in 156 mm (15.79 pt each), a hair tighter so that the 28th always fits
LETTER_SPACING_PT = TYPE_AREA_MM[0] / CHARS_PER_LINE / 25.4 * 72 - 16 - 0.02
CSS = f"""
@page {{ size: A4; margin: {MARGIN_TOP_MM}mm {MARGIN_RIGHT_MM}mm {MARGIN_BOTTOM_MM}mm {MARGIN_LEFT_MM}mm; }}
@page :right {{ @bottom-right {{ content: "— " counter(page) " —"; font: 14pt "{SERIF}";
  vertical-align: top; padding-top: 7mm; margin-right: 14pt; }} }}
@page :left {{ @bottom-left {{ content: "— " counter(page) " —"; font: 14pt "{SERIF}";
  vertical-align: top; padding-top: 7mm; margin-left: 14pt; }} }}
body {{ margin: 0; font-family: "{SERIF}"; font-size: 16pt; line-height: {PITCH_MM}mm;
  letter-spacing: {LETTER_SPACING_PT:.3f}pt; }}
p {{ margin: 0; min-height: {PITCH_MM}mm; overflow-wrap: anywhere; }}
.GovAuthority {{ font-family: "{SANS}"; font-weight: bold; color: #c00000; font-size: 26pt; text-align: center;
  line-height: {PITCH_MM * 2}mm; letter-spacing: 2pt; }}
.GovDocNo {{ text-align: center; }}
.GovRule {{ border-bottom: 1.2pt solid #c00000; min-height: 0; height: {PITCH_MM / 2}mm; margin-bottom: {PITCH_MM / 2}mm; }}
.GovTitle {{ font-family: "{SANS}"; font-size: 22pt; text-align: center; line-height: {PITCH_MM * 1.5}mm;
  margin: {PITCH_MM / 2}mm 0; letter-spacing: 0; }}
.GovHeading {{ font-family: "{SANS}"; text-indent: 2em; }}
.GovBody, .GovAttachment {{ text-indent: 2em; text-align: justify; }}
.GovSignature, .GovDate {{ text-align: right; padding-right: 4em; }}
.GovSignature {{ margin-top: {PITCH_MM}mm; }}
.GovCc {{ font-size: 14pt; border-top: 0.5pt solid #000; border-bottom: 0.5pt solid #000; margin-top: {PITCH_MM}mm; }}
.GovAnnexTitle {{ font-family: "{SANS}"; }}
.newpage {{ break-before: page; }}
tr {{ break-inside: avoid; }}
table {{ border-collapse: collapse; width: 100%; font-size: 10.5pt; line-height: 1.4; letter-spacing: 0; }}
td, th {{ border: 0.5pt solid #000; padding: 1mm; vertical-align: top; }}
table p {{ min-height: 0; }}
img {{ width: 100%; }}
"""


def docx_to_html(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            parts.append(_paragraph_html(Paragraph(child, document), document))
        elif child.tag == qn("w:tbl"):
            parts.append(_table_html(Table(child, document), document))
    return f"<!doctype html><html lang=zh-CN><head><meta charset=utf-8><style>{CSS}</style></head><body>" \
           f"{''.join(parts)}</body></html>"


CLASS_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def _paragraph_html(paragraph: Paragraph, document) -> str:
    style = paragraph.style.name if paragraph.style is not None else "GovBody"
    classes = [CLASS_UNSAFE.sub("", style)]  # an uploaded DOCX names its styles: only [A-Za-z0-9_-] kept
    breaks = paragraph.paragraph_format.page_break_before or any(
        br.get(qn("w:type")) == "page" for br in paragraph._p.iter(qn("w:br")))
    if breaks:
        classes.append("newpage")
    pictures = "".join(
        f'<img src="data:image/png;base64,{base64.b64encode(document.part.related_parts[rid].blob).decode()}">'
        for rid in paragraph._p.xpath(".//a:blip/@r:embed"))
    return f'<p class="{" ".join(classes)}">{html.escape(paragraph.text)}{pictures}</p>'


def _table_html(table: Table, document) -> str:
    rows = []
    for index, row in enumerate(table.rows):
        tag = "th" if index == 0 else "td"
        rows.append("<tr>" + "".join(f"<{tag}>{html.escape(c.text)}</{tag}>" for c in row.cells) + "</tr>")
    return f"<table>{''.join(rows)}</table>"


def pdf_from_docx(data: bytes) -> bytes:
    """WeasyPrint fetches nothing but the pictures inlined as data: URLs (the fonts come from
    fontconfig, not through the fetcher): an uploaded DOCX reaches no server file (file://) nor the
    network."""
    from weasyprint import HTML, URLFetcher  # imported when first needed: pango loads once per process
    return HTML(string=docx_to_html(data), url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
