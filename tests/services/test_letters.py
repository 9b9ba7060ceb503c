"""Issue 21: every official document drafted from the demo's record, made final, opened again
(python-docx, pdfplumber) and checked against the record and against GB/T 9704-2012's figures.

The documents are generated once per module (WeasyPrint is slowish) at the demo's date; the tests
only read the bytes and the values captured from the record."""
import io
import json
from datetime import date

import pdfplumber
import pytest
from docx import Document as Docx
from docx.oxml.ns import qn
from docx.shared import Mm
from sqlalchemy import select

from govit import clock
from govit.demo import load_demo
from govit.domain.letters import (CHARS_PER_LINE, LINES_PER_PAGE, MARGIN_LEFT_MM, MARGIN_TOP_MM, TYPE_AREA_MM,
                                  chinese_date, wan)
from govit.extensions import db
from govit.letters import services
from govit.letters.render import docx_text
from govit.models import (AcceptanceOpinion, ApprovalRecord, Event, Opinion, Plan, Project,
                          SupplementRequest, User)

from ..conftest import _clean

DAY = date(2026, 6, 22)  # the demo's day
PT_PER_MM = 72 / 25.4
LONG = "依据省政府年度重点工作部署，建设全省统一的数据共享交换体系，" * 40  # a body of several pages


def _user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def _first(state: str, **where) -> Project:
    query = select(Project).where(Project.state == state).order_by(Project.id)
    for key, value in where.items():
        query = query.where(getattr(Project, key) == value)
    return db.session.execute(query).unique().scalars().first()


def _issue(actor, project, kind, expect: list[str]) -> dict:
    letter = services.generate(actor, project, kind)
    draft_docx = services.read_file(letter.docx_sha256)
    letter = services.finalize(actor, letter)
    docx, _, _ = services.file_of(letter, "docx")
    pdf, _, _ = services.file_of(letter, "pdf")
    events = [e.action for e in db.session.execute(select(Event).where(Event.action.like("letter_%"))).scalars()
              if json.loads(e.detail).get("letter_id") == letter.id]
    return {"docx": docx, "pdf": pdf, "draft": draft_docx, "json": services.letter_json(letter),
            "expect": [e for e in expect if e], "events": events}


def _demo_documents() -> dict:
    from govit.approval import returns
    load_demo()
    planner, ndrc, head = _user("planner"), _user("ndrc"), _user("jyt_head")
    out = {}
    waiting = _first("supplement_requested")
    asks = [s.request_text for s in db.session.execute(select(SupplementRequest).where(
        SupplementRequest.project_id == waiting.id, SupplementRequest.answered_on.is_(None))).scalars()]
    opinions = [o.text for o in db.session.execute(select(Opinion).where(Opinion.project_id == waiting.id)).scalars()]
    out["joint_review_opinion"] = _issue(planner, waiting, "joint_review_opinion", [waiting.name, *opinions, *asks])
    out["supplement_notice"] = _issue(planner, waiting, "supplement_notice", [waiting.name, *asks])
    approved = db.session.execute(select(ApprovalRecord).where(ApprovalRecord.kind == "feasibility")
                                  .order_by(ApprovalRecord.id)).scalars().first()
    project = db.session.get(Project, approved.project_id)
    out["feasibility_approval"] = _issue(ndrc, project, "feasibility_approval",
                                         [project.name, f"{wan(approved.amount)}万元", project.fund_source])
    design = db.session.execute(select(ApprovalRecord).join(Project, Project.id == ApprovalRecord.project_id).where(
        ApprovalRecord.kind == "design", Project.network == "extranet").order_by(ApprovalRecord.id)).scalars().first()
    project = db.session.get(Project, design.project_id)
    out["design_approval"] = _issue(planner, project, "design_approval", [project.name, f"{wan(design.amount)}万元"])
    # R-RETURN: ndrc returns one feasibility report with every point at once, refuses another
    in_review = db.session.execute(select(Project).where(Project.state == "feasibility_review")
                                   .order_by(Project.id)).unique().scalars().all()
    reasons = ["投资估算依据不足，请补充市场询价", "数据共享分析未覆盖省级平台"]
    with clock.travel(DAY):
        returns.return_submission(ndrc, in_review[0], reasons)
    out["return_letter"] = _issue(ndrc, in_review[0], "return_letter", [in_review[0].name, *reasons])
    refused = in_review[1] if len(in_review) > 1 else _first("design_review")
    refuser = ndrc if refused.state == "feasibility_review" else planner
    with clock.travel(DAY):
        returns.refuse(refuser, refused, "与已建省级平台功能重复，不符合集约化建设要求")
    out["refusal_letter"] = _issue(refuser, refused, "refusal_letter",
                                   [refused.name, "与已建省级平台功能重复", "10个工作日"])
    accepted = _first("in_operation")
    texts = [o.text for o in db.session.execute(select(AcceptanceOpinion).where(
        AcceptanceOpinion.project_id == accepted.id)).scalars()]
    out["acceptance_opinion"] = _issue(planner, accepted, "acceptance_opinion", [accepted.name, *texts, "通过验收"])
    from govit.reports.record import record_of
    labels = sorted({r.label for r in record_of(accepted)})
    out["record_sheet"] = _issue(planner, accepted, "record_sheet", [accepted.name, *labels])
    draft = db.session.execute(select(Project).where(Project.state == "draft", Project.department_id == head.department_id)
                               .order_by(Project.id)).unique().scalars().first()
    out["proposal_form"] = _issue(head, draft, "proposal_form", [draft.name, draft.basis, draft.content_scale,
                                                                 draft.crypto_plan, draft.fund_source])
    plan = db.session.execute(select(Plan).where(Plan.plan_year == 2026)).scalar_one()
    letter = services.finalize(planner, services.generate_plan_notice(planner, plan))
    out["plan_notice"] = {"docx": services.file_of(letter, "docx")[0], "pdf": services.file_of(letter, "pdf")[0],
                          "json": services.letter_json(letter), "events": ["letter_generate", "letter_finalize"],
                          "expect": [plan.doc_no, *[i.project.name for i in plan.items],
                                     *{i.project.department.name for i in plan.items}, "万元"]}
    # a long 申报书 for the page measures: several full pages of body text
    from govit.planning import services as planning
    long_one = planning.update_project(head, draft, {"basis": LONG})
    out["long"] = _issue(head, long_one, "proposal_form", [LONG[:40]])
    return out


@pytest.fixture(scope="module")
def issued(app):
    with app.app_context():
        try:
            with clock.travel(DAY):
                yield _demo_documents()
        finally:
            db.session.rollback()
            _clean()
            db.session.remove()


KINDS = ["joint_review_opinion", "supplement_notice", "feasibility_approval", "design_approval", "return_letter",
         "refusal_letter", "acceptance_opinion", "record_sheet", "proposal_form", "plan_notice"]
NUMBERED = {"joint_review_opinion": "黑营商审", "supplement_notice": "黑营商审", "feasibility_approval": "黑发改审批",
            "design_approval": "黑营商审", "return_letter": "黑发改审批", "acceptance_opinion": "黑营商审",
            "plan_notice": "黑营商审"}


def _pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "".join((page.extract_text() or "") for page in pdf.pages)
        cells = ["".join((cell or "").split()) for page in pdf.pages for table in page.extract_tables()
                 for row in table for cell in row]
        return text + "|".join(cells)


def _flat(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("kind", KINDS)
def test_letter_text_matches_the_record_in_docx_and_pdf(issued, kind):
    """R-SUPPLEMENT-ONCE, R-RETURN, R-JOINT-ACCEPT, R-FULL-RECORD, R-PROPOSAL-FIELDS: what the record
    says is in the Word file and in the PDF, with the final 文号 and the date in Chinese numerals."""
    doc = issued[kind]
    words, pdf_words = _flat(docx_text(doc["docx"])), _flat(_pdf_text(doc["pdf"]))
    for expected in doc["expect"]:
        assert _flat(expected) in words, f"{kind}: {expected!r} missing from the DOCX"
        assert _flat(expected)[:60] in pdf_words, f"{kind}: {expected!r} missing from the PDF"
    assert chinese_date(DAY) in words and chinese_date(DAY) in pdf_words
    letter = doc["json"]
    assert letter["status"] == "final" and letter["pdf_sha256"] and len(letter["sha256"]) == 64
    if kind in NUMBERED:
        assert letter["doc_no"].startswith(NUMBERED[kind] + "〔2026〕") and letter["doc_no"].endswith("号")
        assert letter["doc_no"] in words and letter["doc_no"] in pdf_words
        assert "×" not in letter["doc_no"]
    assert set(doc["events"]) >= {"letter_generate", "letter_finalize"}


def test_draft_shows_placeholder_number_until_final(issued):
    """A draft carries 〔2026〕×号; the final letter the taken number; the sha256 is of the stored bytes."""
    import hashlib
    doc = issued["supplement_notice"]
    assert "黑营商审〔2026〕×号" in docx_text(doc["draft"])
    assert hashlib.sha256(doc["docx"]).hexdigest() == doc["json"]["sha256"]
    assert hashlib.sha256(doc["pdf"]).hexdigest() == doc["json"]["pdf_sha256"]


def test_numbers_of_one_authority_are_gapless_in_order_of_finalising(issued):
    numbers = sorted(int(d["json"]["doc_no"].split("〕")[1][:-1]) for k, d in issued.items()
                     if d["json"]["doc_no"].startswith("黑营商审"))
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("kind", ["plan_notice", "long", "feasibility_approval"])
def test_pdf_layout_gb9704(issued, kind):
    """GB/T 9704-2012: A4; text inside the 156 × 225 mm type area at top 37 mm / left 28 mm; the page
    number "— N —" below it, outside (odd right, even left); only Noto CJK fonts, embedded."""
    with pdfplumber.open(io.BytesIO(issued[kind]["pdf"])) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            assert (round(page.width, 1), round(page.height, 1)) == (595.3, 841.9)
            area_bottom = (MARGIN_TOP_MM + TYPE_AREA_MM[1]) * PT_PER_MM
            body = [c for c in page.chars if c["top"] < area_bottom and c["text"].strip()]
            folio = [c for c in page.chars if c["top"] >= area_bottom and c["text"].strip()]
            left, top = MARGIN_LEFT_MM * PT_PER_MM, MARGIN_TOP_MM * PT_PER_MM
            right = (MARGIN_LEFT_MM + TYPE_AREA_MM[0]) * PT_PER_MM
            assert min(c["x0"] for c in body) >= left - 1 and max(c["x1"] for c in body) <= right + 1
            assert min(c["top"] for c in body) >= top - 1 and max(c["bottom"] for c in body) <= area_bottom + 1
            assert "".join(c["text"] for c in folio).replace(" ", "") == f"—{number}—"
            outside_right = min(c["x0"] for c in folio) > page.width / 2
            assert outside_right == (number % 2 == 1), f"page {number}: number not on the outside"
            for c in page.chars:
                assert "Noto" in c["fontname"], c["fontname"]
        fonts = [f.get("/FontFile") or f.get("/FontFile2") or f.get("/FontFile3")
                 for f in _font_descriptors(issued[kind]["pdf"])]
        assert fonts and all(fonts), "every font is embedded"


def _font_descriptors(data: bytes):
    from pypdf import PdfReader
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                yield descendant.get_object()["/FontDescriptor"].get_object()


def test_pdf_full_page_has_22_lines_of_at_most_28_characters(issued):
    """GB/T 9704 5.2.2: a full page of body text holds 22 lines of 28 characters."""
    with pdfplumber.open(io.BytesIO(issued["long"]["pdf"])) as pdf:
        assert len(pdf.pages) >= 3
        page = pdf.pages[1]
        area_bottom = (MARGIN_TOP_MM + TYPE_AREA_MM[1]) * PT_PER_MM
        lines: dict[int, list] = {}
        for c in page.chars:
            if c["top"] < area_bottom and c["text"].strip():
                lines.setdefault(round(c["top"]), []).append(c)
        assert len(lines) == LINES_PER_PAGE
        widths = [len(chars) for chars in lines.values()]
        assert max(widths) == CHARS_PER_LINE and all(w <= CHARS_PER_LINE for w in widths)


@pytest.mark.parametrize("kind", ["joint_review_opinion", "record_sheet", "long"])
def test_docx_section_settings_gb9704(issued, kind):
    """The Word file's section: A4, margins 37 / 28 mm, type area 156 × 225 mm, a 22-line grid, page
    numbers "— PAGE —" right on odd pages and left on even ones."""
    document = Docx(io.BytesIO(issued[kind]["docx"]))
    section = document.sections[0]
    def mm(length) -> float:  # Word keeps twips: 210 mm is 11906 twips, 210.01 mm
        return round(length / Mm(1), 1)
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin)) == (MARGIN_TOP_MM, MARGIN_LEFT_MM)
    assert mm(section.page_width - section.left_margin - section.right_margin) == TYPE_AREA_MM[0]
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == TYPE_AREA_MM[1]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert round(Mm(225).pt * 20 / int(grid.get(qn("w:linePitch")))) == LINES_PER_PAGE
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == 2 and even.alignment == 0  # RIGHT, LEFT
    for paragraph in (odd, even):
        assert paragraph._p.xpath(".//w:fldSimple[@w:instr='PAGE']") and paragraph.text.startswith("— ")
    fonts = {s.font.name for s in document.styles if s.name.startswith("Gov")}
    assert fonts <= {"Noto Serif CJK SC", "Noto Sans CJK SC"}
