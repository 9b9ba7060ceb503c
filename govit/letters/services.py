"""Draft → final (issue 21): generate a draft from the record, take back an edited DOCX, make it final
(文号 taken, PDF frozen, sha256 kept), tell the department. One transaction per call; each step is
in the history (R-AUDIT-TRAIL) and the department is told of a final letter (R-NOTIFY)."""
import io
import zipfile
from datetime import date

from flask import current_app
from sqlalchemy import select

from .. import clock, history, keys, vault
from ..auth.access import require_lead_department
from ..domain.documents import check_upload, zip_excess
from ..domain.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from ..domain.letters import (KINDS, authority_for, check_author, check_issuer, chinese_date, doc_number, is_bulletin_day,
                              may_see)
from ..extensions import db
from ..models import Letter, Plan, PlanItem, Project, User
from ..transaction import lock_for_update, transactional
from . import bulletin, content
from .numbering import take_number
from .render import docx_text, docx_to_html, pdf_from_docx, render_docx, replace_text

DOCX_SUFFIX = ".docx"


def _kept(data: bytes) -> str:
    """CRYPTO.md 重要数据存储机密性 (issue 23): a letter's DOCX and PDF are SM4-sealed like documents."""
    return vault.keep(data, "letter")


def read_file(digest: str) -> bytes:
    data = vault.read_file(digest)  # decrypted with the KEK, each chunk authenticated
    if data is None:
        raise NotFound(f"文书文件 {digest[:12]}… 不在材料存储中：请联系系统管理员从备份恢复")
    return data


def _subject_record(letter: Letter) -> dict:
    return {"letter_id": letter.id, "kind": letter.kind, "version": letter.version, "doc_no": letter.doc_no,
            "sha256": letter.docx_sha256}


def _context(kind: str, subject, role: str, day: date, period: str | None = None):
    """The template's context and annex, and the issuing authority (R-RETURN: the stage decides)."""
    stage = None
    if kind in ("return_letter", "refusal_letter"):
        decision = content._decision(subject, "return" if kind == "return_letter" else "refuse")
        stage = decision.stage if decision else None
    authority = authority_for(kind, role, stage)
    common = {"authority": authority, "doc_no": doc_number(authority, day.year, None) if authority else "",
              "day": day}
    if kind == "monthly_bulletin":
        context, annex = bulletin.monthly_bulletin(period, **common)
    else:
        context, annex = getattr(content, kind)(subject, **common)
    return context, annex, authority


def draft(actor: User | None, kind: str, project: Project | None = None, plan: Plan | None = None,
          period: str | None = None, role: str | None = None) -> Letter:
    """A new draft, or the next version of this subject's open draft of the same kind (in the
    caller's transaction)."""
    role = role or actor.role
    day = clock.today()
    subject = project or plan
    context, annex, authority = _context(kind, subject, role, day, period)
    data = render_docx(kind, context, annex)
    letter = db.session.execute(select(Letter).where(
        Letter.kind == kind, Letter.status == "draft",
        Letter.project_id == project.id if project else Letter.project_id.is_(None),
        Letter.plan_id == plan.id if plan else Letter.plan_id.is_(None),
        Letter.period == period if period else Letter.period.is_(None))).scalar_one_or_none()
    if period and letter is None and db.session.execute(select(Letter.id).where(
            Letter.kind == kind, Letter.period == period)).first():
        raise RuleViolation("R-AUDIT-TRAIL", f"{period} 的通报已定稿，不能再生成")
    if letter is None:
        letter = Letter(kind=kind, project_id=project.id if project else None, plan_id=plan.id if plan else None,
                        period=period, version=0, created_at=clock.now(), note="")
        db.session.add(letter)
    letter.version += 1
    letter.authority, letter.year, letter.stage = authority, day.year if authority else None, context.get("stage")
    letter.doc_no, letter.title, letter.dated_on = context["doc_no"], context["title"], day
    letter.docx_sha256, letter.filename = _kept(data), f"{context['title']}{DOCX_SUFFIX}"
    letter.created_by_id = actor.id if actor else None
    db.session.flush()
    history.record(actor, "letter_generate", project=project, **_subject_record(letter), title=letter.title,
                   plan_id=plan.id if plan else None, period=period)
    return letter


def check_may_issue(actor: User, kind: str, project: Project | None = None) -> None:
    """R-ROLE: the deciding authority drafts its letter; the department its own 申报书."""
    check_issuer(kind, actor.role)
    if project is None:
        return
    if kind == "proposal_form":
        require_lead_department(actor, project)
    stage = None
    if kind in ("return_letter", "refusal_letter"):  # R-RETURN: the stage of the decision decides
        decision = content._decision(project, "return" if kind == "return_letter" else "refuse")
        stage = decision.stage if decision else None
    check_author(kind, actor.role, stage=stage, network=project.network)


@transactional
def generate(actor: User, project: Project, kind: str) -> Letter:
    """A project's document drafted from its record."""
    if kind not in KINDS or KINDS[kind].scope != "project":
        raise InvalidInput({"kind": f"“{kind}”不是项目文书；可用：{'、'.join(k for k in KINDS if KINDS[k].scope == 'project')}"})
    check_may_issue(actor, kind, project)
    return draft(actor, kind, project=project)


@transactional
def generate_plan_notice(actor: User, plan: Plan) -> Letter:
    check_issuer("plan_notice", actor.role)
    return draft(actor, "plan_notice", plan=plan)


@transactional
def generate_bulletin(actor: User | None, day: date | None = None) -> Letter:
    """The 通报 of the month before `day` (on demand); the scan calls monthly_hook instead."""
    if actor is not None:
        check_issuer("monthly_bulletin", actor.role)
    return draft(actor, "monthly_bulletin", period=bulletin.period_of(day or clock.today()), role="planner")


def monthly_hook(today: date, cal) -> Letter | None:
    """The scan's step: on the first working day of a month, the previous month's 通报 (once)."""
    if not is_bulletin_day(today, cal.next_workday(today.replace(day=1))):
        return None
    period = bulletin.period_of(today)
    if db.session.execute(select(Letter.id).where(Letter.kind == "monthly_bulletin",
                                                  Letter.period == period)).first():
        return None
    letter = draft(None, "monthly_bulletin", period=period, role="planner")
    planners = db.session.execute(select(User).where(User.role == "planner", User.active.is_(True))).scalars()
    history.tell_users(planners, None, f"{letter.title}（草稿）已生成，请审核后定稿", "letter")
    return letter


def _check_author(actor: User, letter: Letter) -> None:
    """R-ROLE / R-RETURN: the draft's kind, stage and author decide who may replace or finalise it."""
    project = _project(letter)
    author = db.session.get(User, letter.created_by_id) if letter.created_by_id else None
    check_author(letter.kind, actor.role, stage=letter.stage, network=project.network if project else None,
                 department_id=actor.department_id, author_department_id=author.department_id if author else None)
    if letter.kind == "proposal_form":
        require_lead_department(actor, project)


@transactional
def upload_edit(actor: User, letter: Letter, filename: str, data: bytes) -> Letter:
    """The author's edited DOCX replaces the draft (a new version), checked like any upload."""
    lock_for_update(letter)
    _check_author(actor, letter)
    if letter.status != "draft":
        raise RuleViolation("R-AUDIT-TRAIL", "定稿的文书不能再修改；如需更正，请重新生成并另行发文")
    check_upload("other", filename or "", data, current_app.config["MAX_CONTENT_LENGTH"])
    if not (filename or "").lower().endswith(DOCX_SUFFIX):
        raise InvalidInput({"file": "请上传修改后的 Word 文件（.docx）"})
    text = _readable_docx(data)
    if letter.doc_no and letter.doc_no not in text:
        raise InvalidInput({"file": f"上传的文件中找不到发文字号“{letter.doc_no}”，请保留该行（定稿时填入文号）"})
    letter.version += 1
    letter.docx_sha256 = _kept(data)
    history.record(actor, "letter_upload", project=_project(letter), **_subject_record(letter),
                   filename=filename[:255])
    return letter


def _readable_docx(data: bytes) -> str:
    """R-UPLOAD: the zip's declared sizes checked before anything is inflated, then the text read and
    the PDF's HTML made once, so that a broken file is refused here (400), not at final or download."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            excess, declared = zip_excess(archive)
    except zipfile.BadZipFile:
        excess, declared = "broken", 0
    if excess == "inflated":
        raise InvalidInput({"file": f"该文件解压后达 {declared // (1024 * 1024)} MiB，压缩比异常（疑似“压缩炸弹”），"
                                    "已在解压前拒绝；请上传正常的 Word 文件（.docx）"})
    try:
        if excess:
            raise ValueError(excess)
        text = docx_text(data)
        docx_to_html(data)
    except Exception:  # python-docx and lxml raise many kinds on a broken part
        raise InvalidInput({"file": "无法读取该 Word 文件，文件可能已损坏：请在 Word 中打开后另存为 .docx 再上传"}) from None
    return text


def _project(letter: Letter) -> Project | None:
    return db.session.get(Project, letter.project_id) if letter.project_id else None


@transactional
def finalize(actor: User, letter: Letter) -> Letter:
    """文号 taken from the authority's sequence, date set, PDF frozen, sha256 kept; the department told."""
    lock_for_update(letter)
    _check_author(actor, letter)
    if letter.status != "draft":
        raise RuleViolation("R-AUDIT-TRAIL", f"该文书已于 {letter.finalized_on:%Y-%m-%d} 定稿")
    day = clock.today()
    replacements = {chinese_date(letter.dated_on): chinese_date(day)}
    if letter.authority:
        letter.year, letter.number = day.year, take_number(letter.authority, day.year)
        final_no = doc_number(letter.authority, letter.year, letter.number)
        replacements[letter.doc_no] = final_no
        letter.doc_no = final_no
    data, _ = replace_text(read_file(letter.docx_sha256), replacements)
    pdf = pdf_from_docx(data)
    letter.docx_sha256, letter.pdf_sha256 = _kept(data), _kept(pdf)
    # 不可否认性 (CRYPTO.md, issue 23): the frozen PDF signed with SM2 by the finalising authority's key;
    # `govit verify-signature file LETTER.pdf --signature S` checks a downloaded copy offline
    # signed by the authority whose 文号 it carries; a record or form (no 文号) is signed by no one
    letter.signature = keys.sign(letter.authority, pdf) if letter.authority else None
    letter.status, letter.finalized_on, letter.finalized_by_id, letter.dated_on = "final", day, actor.id, day
    project = _project(letter)
    history.record(actor, "letter_finalize", project=project, **_subject_record(letter), pdf_sha256=letter.pdf_sha256,
                   signature=letter.signature)
    _tell(letter, project)
    return letter


def _tell(letter: Letter, project: Project | None) -> None:
    """R-NOTIFY: the department downloads the final letter from its project page."""
    message = f"{letter.title}（{letter.doc_no or KINDS[letter.kind].label}）已定稿，可在项目页面“文书”中下载"
    if project is not None and letter.kind != "proposal_form":
        history.notify(project.department_id, project, message, "letter")
    elif letter.plan_id:
        departments = {i.project.department_id for i in db.session.execute(
            select(PlanItem).where(PlanItem.plan_id == letter.plan_id)).scalars()}
        for department_id in sorted(departments):
            history.notify(department_id, None, message, "letter")


def get_letter(letter_id: int, project: Project | None = None) -> Letter:
    letter = db.session.get(Letter, letter_id)
    if letter is None or (project is not None and letter.project_id != project.id) or (
            project is None and letter.project_id is not None):
        raise NotFound(f"文书 {letter_id} 不存在")
    return letter


def visible(actor: User, letter: Letter) -> bool:
    """R-SCOPE: drafts only for their issuers (申报书 and 全流程记录表 drafts for the lead department too)."""
    project = _project(letter)
    lead = project is not None and actor.role in ("applicant", "dept_admin") and \
        actor.department_id == project.department_id
    return may_see(letter.kind, letter.status, actor.role, lead)


def check_visible(actor: User, letter: Letter) -> Letter:
    if not visible(actor, letter):
        raise Forbidden("文书草稿仅供出具单位查看；定稿后可下载", rule="R-SCOPE")
    return letter


def file_of(letter: Letter, fmt: str) -> tuple[bytes, str, str]:
    """(bytes, mimetype, filename): the DOCX, or the PDF (frozen when final, made now for a draft)."""
    docx = read_file(letter.docx_sha256)
    stem = letter.filename[: -len(DOCX_SUFFIX)] + ("" if letter.status == "final" else "（草稿）")
    if fmt == "docx":
        return docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", stem + ".docx"
    if fmt == "pdf":
        data = read_file(letter.pdf_sha256) if letter.pdf_sha256 else pdf_from_docx(docx)
        return data, "application/pdf", stem + ".pdf"
    raise NotFound("只提供 docx 或 pdf 格式")


def project_letters(project: Project) -> list[Letter]:
    return list(db.session.execute(select(Letter).where(Letter.project_id == project.id)
                                   .order_by(Letter.id)).scalars())


def plan_letters(plan: Plan | None) -> list[Letter]:
    """The plan's notices and every monthly 通报."""
    query = select(Letter).where(Letter.project_id.is_(None))
    query = query.where((Letter.plan_id == plan.id) | (Letter.kind == "monthly_bulletin")) if plan else \
        query.where(Letter.kind == "monthly_bulletin")
    return list(db.session.execute(query.order_by(Letter.id.desc())).scalars())


def letter_json(letter: Letter) -> dict:
    return {"id": letter.id, "kind": letter.kind, "label": KINDS[letter.kind].label, "title": letter.title,
            "status": letter.status, "version": letter.version, "doc_no": letter.doc_no,
            "project_id": letter.project_id, "plan_id": letter.plan_id, "period": letter.period,
            "dated_on": letter.dated_on.isoformat(), "sha256": letter.docx_sha256, "pdf_sha256": letter.pdf_sha256,
            "finalized_on": letter.finalized_on.isoformat() if letter.finalized_on else None}
