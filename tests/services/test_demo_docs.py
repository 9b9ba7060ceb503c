"""Demo realism (issue 19 finding 11, Build 11): the demo's documents are real PDFs with Chinese text,
approval numbers carry the year they are dated, and projects' progress differs.

`assert_demo_is_realistic` runs inside tests/services/test_return_demo.py, on the demo it loads
(one demo run for both: it takes a minute)."""
import io
import re
from collections import defaultdict

from pypdf import PdfReader

from govit import demo_docs, vault
from govit.extensions import db
from govit.models import ApprovalRecord, Document, Plan, ProgressReport, UrgentInsertion

YEAR = re.compile(r"〔(\d{4})〕")


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_demo_document_is_a_pdf_of_real_size_with_its_chinese_text():
    data = demo_docs.demo_pdf("feasibility_report")
    assert data.startswith(b"%PDF-") and 20_000 <= len(data) <= 1_000_000
    text = pdf_text(data)
    assert "可行性研究报告" in text and "投资估算与资金来源" in text and "黑政办发〔2023〕21号" in text
    assert demo_docs.demo_pdf("feasibility_report") is data  # rendered once per kind


def assert_demo_is_realistic() -> None:
    """Every uploaded document a readable PDF of tens of KB and more, in Chinese; every 〔year〕 the
    year of its date; no two projects with the same progress reports."""
    documents = db.session.query(Document).all()
    assert documents
    for kind in {d.kind for d in documents}:
        doc = next(d for d in documents if d.kind == kind)
        data = vault.read_all(doc)  # sealed with SM4 at rest (issue 23): read as a download reads it
        assert doc.size == len(data) >= 20_000, kind
        assert "黑政办发〔2023〕21号" in pdf_text(data), kind
    dated = [(r.doc_no, r.approved_on) for r in db.session.query(ApprovalRecord)]
    dated += [(p.doc_no, p.approved_on) for p in db.session.query(Plan) if p.doc_no]
    dated += [(u.doc_no, u.approved_on) for u in db.session.query(UrgentInsertion) if u.doc_no]
    assert len(dated) >= 10
    for number, on in dated:
        assert int(YEAR.search(number).group(1)) == on.year, (number, on)
    assert len({number for number, _ in dated}) == len(dated)  # each decision its own number
    series = defaultdict(list)
    for report in db.session.query(ProgressReport).order_by(ProgressReport.period):
        series[report.project_id].append((report.period, report.percent_complete))
    charts = [tuple(points) for points in series.values() if len(points) > 1]
    assert len(charts) >= 3 and len(set(charts)) == len(charts)
