"""Issue 21: draft → edited upload → final, the refusals (nothing changes), the 文号 under twenty
concurrent finalisations, the monthly 通报 made by the scan on the first working day of a month,
and the web section and API of the documents."""
import io
from datetime import date

import pytest
from docx import Document as Docx
from sqlalchemy import func, select

from govit import clock
from govit.alerts.scan import scan
from govit.domain.errors import Forbidden, InvalidInput, RuleViolation
from govit.extensions import db
from govit.letters import services
from govit.letters.render import docx_text, pdf_from_docx
from govit.models import Event, Letter, LetterCounter, Notification, User
from govit.planning import review

from ..helpers import PASSWORD, all_at_once, pdf_bytes, unchanged


@pytest.fixture
def w(make, reviewers):
    """A proposal submitted in June 2026 and sent back for 补正 by the 网信办 (R-SUPPLEMENT-ONCE)."""
    make.department("DEPA", "省交通运输厅")
    people = {"head": make.user("dept_admin", "DEPA"), "applicant": make.user("applicant", "DEPA"),
              "planner": make.user("planner", "YSHJ"), "ndrc": make.user("ndrc", "FGW")}
    people["project"] = make.submitted(people["head"], people["planner"])
    with clock.travel(date(2026, 6, 17)):
        review.record_opinion(reviewers[1], people["project"], "supplement", "请补充等级保护测评方案和网络拓扑图")
    return people


def _edited(data: bytes, extra: str) -> bytes:
    document = Docx(io.BytesIO(data))
    document.add_paragraph(extra, style="GovBody")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_edited_upload_becomes_a_version_and_the_final_pdf_says_it(w):
    """Draft → upload → final: the upload is version 2, the final PDF carries the edit and the 文号,
    the history has each step, the department is told (R-NOTIFY)."""
    planner, project = w["planner"], w["project"]
    letter = services.generate(planner, project, "supplement_notice")
    assert letter.doc_no == "黑营商审〔2026〕×号" and letter.version == 1
    assert "请补充等级保护测评方案和网络拓扑图" in docx_text(services.read_file(letter.docx_sha256))
    edited = _edited(services.read_file(letter.docx_sha256), "经办人：交通厅信息中心，联系电话 0451-00000000。")
    services.upload_edit(planner, letter, "补正通知-修改.docx", edited)
    assert letter.version == 2
    told = db.session.scalar(select(func.count()).select_from(Notification))
    services.finalize(planner, letter)
    assert letter.status == "final" and letter.doc_no == "黑营商审〔2026〕1号"
    pdf, mimetype, _ = services.file_of(letter, "pdf")
    from .test_letters import _flat, _pdf_text
    text = _flat(_pdf_text(pdf))
    assert mimetype == "application/pdf" and "联系电话0451-00000000" in text and "黑营商审〔2026〕1号" in text
    actions = db.session.execute(select(Event.action).where(Event.project_id == project.id,
                                                            Event.action.like("letter_%")).order_by(Event.seq)).scalars().all()
    assert actions == ["letter_generate", "letter_upload", "letter_finalize"]
    assert db.session.scalar(select(func.count()).select_from(Notification)) > told


def test_refused_uploads_and_second_final_change_nothing(w):
    """A PDF for the DOCX, an upload without the 文号 line, a department drafting an approval, a
    second final: each refused with what to fix, nothing changed (R-ROLE)."""
    planner, project = w["planner"], w["project"]
    letter = services.generate(planner, project, "supplement_notice")
    with unchanged("a PDF instead of the Word file"), pytest.raises(InvalidInput):
        services.upload_edit(planner, letter, "x.pdf", pdf_bytes())
    without_number = Docx()
    without_number.add_paragraph("改写后的通知")
    buffer = io.BytesIO()
    without_number.save(buffer)
    with unchanged("an upload without the 文号 line"), pytest.raises(InvalidInput) as err:
        services.upload_edit(planner, letter, "x.docx", buffer.getvalue())
    assert "发文字号" in err.value.fields["file"]
    with unchanged("a department drafting an approval"), pytest.raises(Forbidden):
        services.generate(w["applicant"], project, "feasibility_approval")
    with unchanged("a 批复 with no approval on record"), pytest.raises(RuleViolation) as err:
        services.generate(w["ndrc"], project, "feasibility_approval")
    assert err.value.rule == "R-FEAS-NDRC"
    services.finalize(planner, letter)
    # issue 23 (不可否认性): the frozen PDF carries the finalising authority's SM2 signature, which a
    # changed byte breaks
    from govit import keys
    pdf = services.read_file(letter.pdf_sha256)
    assert letter.signature.startswith(f"SM2:{planner.department.code}:") and keys.verify(pdf, letter.signature)
    assert not keys.verify(pdf[:-1] + bytes([pdf[-1] ^ 1]), letter.signature)
    with unchanged("a second final"), pytest.raises(RuleViolation):
        services.finalize(planner, letter)


def test_twenty_concurrent_finalisations_take_unique_gapless_numbers(app, w):
    """文号 per authority and year: twenty letters made final at once, on connections of their own,
    take 1..20, each once (the counter row locked by UPDATE … RETURNING). PostgreSQL: SQLite's single
    writer makes the twenty wait past its busy timeout while each PDF is made."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL (GOVIT_TEST_POSTGRES)")
    planner, project = w["planner"], w["project"]
    first = services.generate(planner, project, "supplement_notice")
    for _ in range(19):  # nineteen more drafts of the same letter (as if for nineteen projects)
        db.session.add(Letter(kind=first.kind, project_id=project.id, authority="YSHJ", year=2026,
                              doc_no=first.doc_no, title=first.title, status="draft", version=1,
                              filename=first.filename, docx_sha256=first.docx_sha256, created_at=clock.now(),
                              dated_on=first.dated_on, note=""))
    db.session.commit()
    ids, planner_id = [x.id for x in db.session.execute(select(Letter)).scalars()], planner.id

    def finalise(letter_id):
        return lambda: services.finalize(db.session.get(User, planner_id), db.session.get(Letter, letter_id)).doc_no
    outcomes = all_at_once(app, [finalise(i) for i in ids])
    assert all(isinstance(o, str) for o in outcomes), outcomes
    db.session.expire_all()
    numbers = sorted(x.number for x in db.session.execute(select(Letter)).scalars())
    assert numbers == list(range(1, 21))
    assert len(set(outcomes)) == 20 and db.session.get(LetterCounter, ("YSHJ", 2026)).last == 20


def test_monthly_bulletin_made_by_the_scan_on_the_first_working_day(make):
    """The 通报 of September 2026 is made on 2026-10-08, the first working day of October (10-01..10-07
    are National Day holidays): not on 10-07, once only, and not again on 10-09."""
    planner = make.user("planner", "YSHJ")

    def bulletins():
        return db.session.execute(select(Letter).where(Letter.kind == "monthly_bulletin")).scalars().all()
    scan(date(2026, 10, 7))
    assert bulletins() == []
    scan(date(2026, 10, 8))
    made = bulletins()
    assert [(b.period, b.status, b.doc_no) for b in made] == [("2026-09", "draft", "黑营商审〔2026〕×号")]
    scan(date(2026, 10, 8))
    scan(date(2026, 10, 9))
    assert len(bulletins()) == 1
    text = docx_text(services.read_file(made[0].docx_sha256))
    assert "关于2026年9月全省政务信息化项目建设情况的通报" in text and "本月无预算调整" in text
    assert Docx(io.BytesIO(services.read_file(made[0].docx_sha256))).inline_shapes.__len__() == 2  # two charts
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == planner.id, Notification.kind == "letter")) == 1
    pdf = pdf_from_docx(services.read_file(made[0].docx_sha256))
    from .test_letters import _flat, _pdf_text
    assert "2026年9月" in _flat(_pdf_text(pdf))


def test_first_working_day_of_an_ordinary_month(make):
    """2026-12-01 is a Tuesday and a working day: the November 通报 is made that day."""
    make.user("planner", "YSHJ")
    scan(date(2026, 12, 1))
    assert db.session.execute(select(Letter.period).where(Letter.kind == "monthly_bulletin")).scalars().all() == \
        ["2026-11"]


# ---- web and API -------------------------------------------------------------------------------
def login(client, user):
    client.post("/login", data={"username": user.username, "password": PASSWORD})


def test_web_section_generates_and_downloads(client, w):
    """The 文书 section on the project page: the planner drafts, both formats download; the
    department sees the section but cannot draft an authority's letter (403, nothing changed)."""
    project = w["project"]
    login(client, w["planner"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'id="letters"' in page and "补正通知" in page
    res = client.post(f"/projects/{project.id}/letters", data={"kind": "supplement_notice"})
    assert res.status_code == 302
    letter = db.session.execute(select(Letter)).scalar_one()
    docx = client.get(f"/projects/{project.id}/letters/{letter.id}.docx")
    assert docx.status_code == 200 and docx.data.startswith(b"PK")
    pdf = client.get(f"/projects/{project.id}/letters/{letter.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    client.post("/logout")
    login(client, w["applicant"])
    assert letter.title not in client.get(f"/projects/{project.id}").get_data(as_text=True)  # a draft (R-SCOPE)
    with unchanged("a department posting an authority's letter"):
        assert client.post(f"/projects/{project.id}/letters", data={"kind": "supplement_notice"}).status_code == 403


def test_api_letters(client, w):
    """GET/POST /projects/{id}/letters, the download in both formats, final; a bad kind is 400."""
    project = w["project"]
    token = client.post("/api/v1/auth/token", json={"username": w["planner"].username,
                                                    "password": PASSWORD}).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    with unchanged("an unknown kind"):
        bad = client.post(f"/api/v1/projects/{project.id}/letters", json={"kind": "memo"}, headers=auth)
    assert bad.status_code == 400 and "kind" in bad.get_json()["fields"]
    made = client.post(f"/api/v1/projects/{project.id}/letters", json={"kind": "supplement_notice"}, headers=auth)
    assert made.status_code == 201 and made.get_json()["status"] == "draft"
    letter_id = made.get_json()["id"]
    listed = client.get(f"/api/v1/projects/{project.id}/letters", headers=auth).get_json()
    assert [x["id"] for x in listed] == [letter_id]
    final = client.post(f"/api/v1/projects/{project.id}/letters/final", json={"letter_id": letter_id}, headers=auth)
    assert final.status_code == 200 and final.get_json()["doc_no"] == "黑营商审〔2026〕1号"
    for fmt, magic in (("docx", b"PK"), ("pdf", b"%PDF")):
        res = client.get(f"/api/v1/projects/{project.id}/letters/download?letter_id={letter_id}&format={fmt}",
                         headers=auth)
        assert res.status_code == 200 and res.data.startswith(magic)
    assert client.get(f"/api/v1/projects/{project.id}/letters/download?letter_id=999999&format=pdf",
                      headers=auth).status_code == 404


def test_plan_page_section_issues_the_notice_and_the_bulletin(client, make, reviewers):
    """The plan page's 文书 section: the planner drafts the 下达通知 of the approved plan (R-PLAN-OCT31)
    and makes it final, the department is told and downloads it; the 通报 is the leadership's."""
    from govit.models import Notification, Plan

    from ..helpers import planned
    make.department("DEPA", "省交通运输厅")
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    project = planned(make, head, planner, make.user("finance", "CZT"), reviewers)
    plan = db.session.execute(select(Plan)).scalar_one()
    login(client, planner)
    assert 'id="letters"' in client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert client.post(f"/plans/{plan.id}/letters", data={"kind": "plan_notice"}).status_code == 302
    assert client.post(f"/plans/{plan.id}/letters", data={"kind": "monthly_bulletin"}).status_code == 302
    notice, bulletin = db.session.execute(select(Letter).order_by(Letter.id)).scalars().all()
    assert (notice.kind, notice.plan_id, bulletin.kind, bulletin.period) == ("plan_notice", plan.id,
                                                                            "monthly_bulletin", "2026-10")
    text = docx_text(services.read_file(notice.docx_sha256))
    assert project.name in text and "黑政函〔2026〕88号" in text and "300.00" in text
    assert client.post(f"/letters/{notice.id}/final").status_code == 302
    db.session.expire_all()
    assert db.session.get(Letter, notice.id).doc_no == "黑营商审〔2026〕1号"
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == head.id, Notification.kind == "letter")) == 1
    client.post("/logout")
    login(client, head)
    assert client.get(f"/letters/{notice.id}.pdf").data.startswith(b"%PDF")
    with unchanged("a department opening the leadership's 通报"):
        assert client.get(f"/letters/{bulletin.id}.docx").status_code == 403


# ---- review of issue 21 (issue 21 follow-up): the defects found and fixed -------------------------
CRAFTED_STYLE = 'x"><link/rel="attachment"/href="file:///etc/hostname"><p/class="y'


def _with_style(data: bytes, style_name: str) -> bytes:
    from docx.enum.style import WD_STYLE_TYPE
    document = Docx(io.BytesIO(data))
    from docx.oxml.ns import qn
    style = document.styles.add_style("Crafted", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("附：说明", style=style)
    style.element.find(qn("w:name")).set(qn("w:val"), style_name)  # python-docx's lookup refuses quotes
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its Flate streams inflated (an embedded file's content is compressed)."""
    import re
    import zlib
    out = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            out.append(zlib.decompressobj().decompress(stream))
        except zlib.error:
            pass
    return b"".join(out)


def test_crafted_style_name_reads_no_server_file_into_the_pdf(w, tmp_path, monkeypatch):
    """An uploaded DOCX's style name goes into the HTML reduced to [A-Za-z0-9_-] and WeasyPrint
    fetches only data: URLs: no server file attached to or drawn in the final PDF."""
    planner, project = w["planner"], w["project"]
    secret = tmp_path / "secret.txt"
    secret.write_text("GOVIT-SERVER-SECRET-4711")
    letter = services.generate(planner, project, "supplement_notice")
    services.upload_edit(planner, letter, "x.docx", _with_style(services.read_file(letter.docx_sha256),
                                                                 CRAFTED_STYLE))
    services.finalize(planner, letter)
    pdf = services.read_file(letter.pdf_sha256)
    assert b"EmbeddedFile" not in pdf and b"/Filespec" not in pdf
    crafted = _with_style(services.read_file(letter.docx_sha256), CRAFTED_STYLE.replace("/etc/hostname", str(secret)))
    pdf = pdf_from_docx(crafted)
    assert b"EmbeddedFile" not in pdf and b"GOVIT-SERVER-SECRET-4711" not in _inflated(pdf)
    # and were a link to reach the HTML, the fetcher (data: URLs only) would not read the file
    from govit.letters import render
    monkeypatch.setattr(render, "docx_to_html", lambda data: f'<p>x<link rel="attachment" href="file://{secret}"></p>')
    pdf = pdf_from_docx(crafted)
    assert b"EmbeddedFile" not in pdf and b"GOVIT-SERVER-SECRET-4711" not in _inflated(pdf)


def test_return_letter_only_by_the_stages_decider_and_signed_by_its_authority(w, make):
    """R-RETURN: a feasibility-stage return is 发改委's letter: a planner neither drafts it nor (given a
    draft) uploads or finalises it, nothing changes; the final letter is signed FGW, whose 文号 it takes."""
    from govit import keys
    from govit.models import ApprovalDecision
    planner, ndrc, project = w["planner"], w["ndrc"], w["project"]
    db.session.add(ApprovalDecision(project_id=project.id, stage="feasibility", kind="return", reasons="补充投资测算",
                                    from_state=project.state, decided_on=clock.today(), decided_by_id=ndrc.id))
    db.session.commit()
    with unchanged("a planner drafting 发改委's return"), pytest.raises(Forbidden):
        services.generate(planner, project, "return_letter")
    letter = services.generate(ndrc, project, "return_letter")
    assert letter.doc_no.startswith("黑发改审批")
    data = services.read_file(letter.docx_sha256)
    with unchanged("a planner replacing 发改委's draft"), pytest.raises(Forbidden):
        services.upload_edit(planner, letter, "x.docx", data)
    with unchanged("a planner finalising 发改委's draft"), pytest.raises(Forbidden):
        services.finalize(planner, letter)
    services.finalize(ndrc, letter)
    assert letter.signature.startswith("SM2:FGW:") and keys.verify(services.read_file(letter.pdf_sha256),
                                                                   letter.signature)


def test_intranet_design_approval_not_finalised_by_the_planner(w, make):
    """R-ROLE: an intranet project's 初步设计批复 draft is 内网办's: the planner cannot finalise it."""
    planner, project = w["planner"], w["project"]
    intranet = make.user("intranet", "NWB")
    letter = Letter(kind="design_approval", project_id=project.id, authority="NWB", year=2026,
                    doc_no="黑内网审〔2026〕×号", title="关于初步设计的批复", status="draft", version=1,
                    filename="批复.docx", docx_sha256=services._kept(services.read_file(
                        services.generate(planner, project, "supplement_notice").docx_sha256)),
                    created_at=clock.now(), dated_on=clock.today(), note="", created_by_id=intranet.id)
    db.session.add(letter)
    project.network = "intranet"
    db.session.commit()
    with unchanged("a planner finalising 内网办's 批复"), pytest.raises(Forbidden):
        services.finalize(planner, letter)


def test_record_sheet_final_carries_no_signature_and_stays_its_departments(w, make):
    """A 全流程记录表 has no 文号, so no authority signs it (no department key is used or made); another
    department cannot finalise the draft (R-ROLE), nothing changes."""
    head, project = w["head"], w["project"]
    other = make.user("dept_admin", make.department("DEPB", "省教育厅").code)
    letter = services.generate(head, project, "record_sheet")
    with unchanged("another department finalising the sheet"), pytest.raises(Forbidden):
        services.finalize(other, letter)
    services.finalize(head, letter)
    assert letter.status == "final" and letter.authority is None and letter.signature is None


def _zip(entries: dict) -> bytes:
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("data, message", [
    ("broken", "无法读取该 Word 文件"),
    (_zip({"word/document.xml": b"\0" * (3 * 1024 * 1024)}), "压缩炸弹")], ids=["broken", "bomb"])
def test_web_upload_of_a_broken_or_bomb_docx_is_refused_with_its_reason(client, w, data, message):
    """R-UPLOAD: a DOCX whose document.xml is no XML, or whose declared size is a zip bomb (checked
    before inflating), is refused with what to do — never a 500 — and nothing changes."""
    planner, project = w["planner"], w["project"]
    letter = services.generate(planner, project, "supplement_notice")
    db.session.commit()
    if data == "broken":  # the draft itself, its document.xml no XML (lxml's XMLSyntaxError before)
        import zipfile
        with zipfile.ZipFile(io.BytesIO(services.read_file(letter.docx_sha256))) as source:
            data = _zip({n: b"<w:document><not xml" if n == "word/document.xml" else source.read(n)
                         for n in source.namelist()})
    login(client, planner)
    with unchanged(f"a {message} upload"):
        res = client.post(f"/projects/{project.id}/letters/{letter.id}/upload",
                          data={"file": (io.BytesIO(data), "通知.docx")}, content_type="multipart/form-data")
        assert res.status_code == 302
    assert message in client.get(res.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Letter, letter.id).version == 1


def test_authority_drafts_hidden_from_the_department_until_final(client, w):
    """R-SCOPE: the 补正通知 draft is not listed to or downloadable by the department (panel, web
    download, API), nothing changes; once final it is. The department's own 申报书 draft it sees."""
    planner, applicant, project = w["planner"], w["applicant"], w["project"]
    letter = services.generate(planner, project, "supplement_notice")
    own = services.generate(applicant, project, "proposal_form")
    db.session.commit()
    login(client, applicant)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert letter.title not in page and own.title in page
    with unchanged("a department downloading an authority's draft"):
        assert client.get(f"/projects/{project.id}/letters/{letter.id}.docx").status_code == 403
    token = client.post("/api/v1/auth/token", json={"username": applicant.username,
                                                    "password": PASSWORD}).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert [x["id"] for x in client.get(f"/api/v1/projects/{project.id}/letters", headers=auth).get_json()] == [own.id]
    url = f"/api/v1/projects/{project.id}/letters/download?letter_id={letter.id}&format=docx"
    assert client.get(url, headers=auth).status_code == 403
    services.finalize(planner, db.session.get(Letter, letter.id))
    db.session.commit()
    assert client.get(url, headers=auth).status_code == 200
    assert client.get(f"/projects/{project.id}/letters/{letter.id}.pdf").data.startswith(b"%PDF")
