"""GB/T 9704-2012 in Word terms: the section (A4, margins, 22 × 28 grid, page numbers outside) and
the paragraph styles every template uses. The template builder and the renderer both apply it, so
a province-edited template still comes out on the standard page."""
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..domain.letters import (CHARS_PER_LINE, LINES_PER_PAGE, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM,
                              MARGIN_TOP_MM, PAGE_MM, TYPE_AREA_MM)

SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"  # free fonts only (仿宋/宋 → Serif, 黑/小标宋 → Sans)
LINE_PITCH_TWIPS = round(TYPE_AREA_MM[1] / LINES_PER_PAGE / 25.4 * 1440)  # 22 lines in 225 mm
RED = RGBColor(0xC0, 0x00, 0x00)

# name: (font, size pt, bold, alignment, first-line indent in characters, red)
STYLES = {
    "GovAuthority": (SANS, 26, True, WD_ALIGN_PARAGRAPH.CENTER, 0, True),
    "GovDocNo": (SERIF, 16, False, WD_ALIGN_PARAGRAPH.CENTER, 0, False),
    "GovRule": (SERIF, 8, False, WD_ALIGN_PARAGRAPH.CENTER, 0, True),
    "GovTitle": (SANS, 22, False, WD_ALIGN_PARAGRAPH.CENTER, 0, False),
    "GovAddressee": (SERIF, 16, False, WD_ALIGN_PARAGRAPH.LEFT, 0, False),
    "GovHeading": (SANS, 16, False, WD_ALIGN_PARAGRAPH.LEFT, 2, False),
    "GovBody": (SERIF, 16, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, False),
    "GovAttachment": (SERIF, 16, False, WD_ALIGN_PARAGRAPH.LEFT, 2, False),
    "GovSignature": (SERIF, 16, False, WD_ALIGN_PARAGRAPH.RIGHT, 0, False),
    "GovDate": (SERIF, 16, False, WD_ALIGN_PARAGRAPH.RIGHT, 0, False),
    "GovCc": (SERIF, 14, False, WD_ALIGN_PARAGRAPH.LEFT, 0, False),
    "GovAnnexTitle": (SANS, 16, False, WD_ALIGN_PARAGRAPH.LEFT, 0, False),
    "GovTable": (SERIF, 10.5, False, WD_ALIGN_PARAGRAPH.LEFT, 0, False),
}


def _east_asian(element, font: str) -> None:
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)


def add_styles(document) -> None:
    """The Gov* paragraph styles (kept when they exist: the province may have restyled them)."""
    names = {s.name for s in document.styles}
    for name, (font, size, bold, align, indent, red) in STYLES.items():
        if name in names:
            continue
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.font.name, style.font.size, style.font.bold = font, Pt(size), bold
        if red:
            style.font.color.rgb = RED
        _east_asian(style.element, font)
        fmt = style.paragraph_format
        fmt.alignment, fmt.space_before, fmt.space_after = align, Pt(0), Pt(0)
        if indent:
            fmt.first_line_indent = Pt(size * indent)


def _page_field(paragraph) -> None:
    paragraph.add_run("— ")
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)
    paragraph.add_run(" —")


def _footer(footer, align) -> None:
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    for child in list(paragraph._p):
        if child.tag != qn("w:pPr"):
            paragraph._p.remove(child)
    paragraph.alignment = align
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Pt(14)
    _page_field(paragraph)
    for run in paragraph.runs:
        run.font.size, run.font.name = Pt(14), SERIF


def apply_section(document) -> None:
    """GB/T 9704 5.2 / 7.5: A4, 版心 156 × 225 mm (top 37, left 28), a 22-line grid of 28 characters,
    page numbers "— 1 —" outside: odd pages right, even pages left."""
    for section in document.sections:
        section.start_type = WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
        section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
        section.footer_distance = Mm(MARGIN_BOTTOM_MM - 7 - 5)  # 一字线 7 mm below the type area
        sect = section._sectPr
        grid = sect.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            sect.append(grid)
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
        grid.set(qn("w:charSpace"), str(_char_space()))
        _footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
        section.even_page_footer.is_linked_to_previous = False
        _footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    document.settings.odd_and_even_pages_header_footer = True


def _char_space() -> int:
    """w:charSpace: the grid's character pitch against the 16 pt font, in 1/4096 pt (28 in 156 mm)."""
    pitch_pt = TYPE_AREA_MM[0] / CHARS_PER_LINE / 25.4 * 72
    return round((pitch_pt - 16) * 4096)


def red_rule(paragraph) -> None:
    """The 版头 分隔线: a red line under the 发文字号."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)
