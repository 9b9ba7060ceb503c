"""Use cases of the June round: rounds, proposals, documents and the consolidated submission."""
import hashlib
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from .. import clock, history
from ..auth.access import require_lead_department, require_role
from ..domain import lifecycle
from ..domain.documents import DOCUMENT_KINDS, check_upload
from ..domain.errors import Forbidden, InvalidInput, RuleViolation, required_text
from ..domain.money import format_money
from ..domain.proposal import (MATERIAL_FIELDS, RongqueItem, check_round, check_round_window,
                               check_rongque, check_submittable)
from ..extensions import db
from ..models import (AnnualInvestment, Department, Document, Project, ProjectParticipant,
                      RongqueItem as RongqueRow, Round, SubmissionBatch, User)
from .. import vault
from ..storage import sealed_path, stored_path
from ..transaction import transactional
from .fields import SHARE_FIELDS
from .review import review_due_for
from .similar import record_similar
from ..finder.departments import resolve

SCALAR_FIELDS = (
    "name", "basis", "content_scale", "start_month", "end_month", "total_investment",
    "fund_source", "performance_goals", "data_catalog", "cloud_plan", "protection_plan",
    "security_plan", "product_reliability", "crypto_plan", "construction_type", "network",
    "classified", "urgent", "urgent_basis", "online_code", "technical_route", "lead_share",
)


# ---- rounds (R-ROUND-JUNE) -------------------------------------------------------------

def open_round_on(day) -> Round | None:
    """The round whose window contains `day`, if any."""
    return db.session.execute(
        select(Round).where(Round.opens_on <= day, Round.closes_on >= day)).scalars().first()


@transactional
def open_round(actor: User, plan_year: int, opens_on, closes_on) -> Round:
    """R-ROUND-JUNE: the planner opens next year's demand collection (default 06-01..06-30)."""
    require_role(actor, "planner")
    check_round_window(plan_year, opens_on, closes_on)
    if db.session.execute(select(Round).where(Round.plan_year == plan_year)).scalar_one_or_none():
        raise RuleViolation("R-ROUND-JUNE", f"{plan_year} 年度的需求征集已经开启，可修改其起止日期")
    rnd = Round(plan_year=plan_year, opens_on=opens_on, closes_on=closes_on, created_at=clock.now())
    db.session.add(rnd)
    history.record(actor, "open_round", plan_year=plan_year, opens_on=opens_on, closes_on=closes_on)
    return rnd


@transactional
def change_round(actor: User, rnd: Round, opens_on, closes_on) -> Round:
    require_role(actor, "planner")
    check_round_window(rnd.plan_year, opens_on, closes_on)
    before = {"opens_on": rnd.opens_on, "closes_on": rnd.closes_on}
    rnd.opens_on, rnd.closes_on = opens_on, closes_on
    history.record(actor, "change_round", plan_year=rnd.plan_year, before=before,
                   after={"opens_on": opens_on, "closes_on": closes_on})
    return rnd


# ---- proposals (R-PROPOSAL-FIELDS) ---------------------------------------------------------

def proposal_values(project: Project) -> dict:
    """The project's 第九条 values as plain data for the domain."""
    values = {key: getattr(project, key) for key in SCALAR_FIELDS}
    values["department"] = project.department.code if project.department else None
    values["annual_investments"] = {str(a.year): a.amount for a in project.annual}
    return values


def documented_materials(project: Project) -> set[str]:
    return {d.material for d in project.documents if d.material}


def _snapshot(project: Project) -> dict:
    values = proposal_values(project)
    values["total_investment"] = format_money(values["total_investment"])
    values["annual_investments"] = {y: format_money(a) for y, a in values["annual_investments"].items()}
    values["co_departments"] = sorted(
        ({"code": p.department.code, **{k: getattr(p, k) for k in SHARE_FIELDS}} for p in project.participants),
        key=lambda r: r["code"])
    return values


def _departments(codes: list[str]) -> dict[str, Department]:
    """Each department as typed (code, name or short name, issue 19 finding 6) → its record; an unknown
    or ambiguous one is refused naming it (InvalidInput on co_departments)."""
    wanted = {text: resolve(text, "co_departments") for text in codes}
    found = {d.code: d for d in db.session.execute(
        select(Department).where(Department.code.in_(set(wanted.values())))).scalars()} if wanted else {}
    return {text: found[code] for text, code in wanted.items()}


def _set_participants(project: Project, rows: list[dict]) -> None:
    """R-JOINT-BUILD: the participant departments and each one's share of the work."""
    depts = _departments([r["code"] for r in rows])
    wanted = {depts[r["code"]].id: r for r in rows if depts[r["code"]].id != project.department_id}
    project.participants = [p for p in project.participants if p.department_id in wanted]
    have = {p.department_id: p for p in project.participants}
    for dept_id, row in wanted.items():
        part = have.get(dept_id)
        if part is None:
            part = ProjectParticipant(department_id=dept_id, department=depts[row["code"]])
            project.participants.append(part)
        for key in SHARE_FIELDS:
            setattr(part, key, row[key])


def _check_online_code(project: Project, values: dict) -> None:
    """R-ONLINE-CODE: a code typed in has the platform's shape and no other project holds it."""
    from ..domain.approval import check_online_code, check_online_code_shape
    code = (values.get("online_code") or "").strip()
    if not code:
        return
    check_online_code_shape(code)
    with db.session.no_autoflush:
        holder = db.session.execute(select(Project.name).where(
            Project.online_code == code, Project.id != (project.id or 0)).limit(1)).scalar()
    check_online_code(True, code, holder)


def _apply(project: Project, values: dict) -> None:
    _check_online_code(project, values)
    for key in SCALAR_FIELDS:
        if key in values:
            setattr(project, key, values[key])
    if "annual_investments" in values:
        wanted = {int(y): a for y, a in values["annual_investments"].items()}
        project.annual = [a for a in project.annual if a.year in wanted]
        have = {a.year: a for a in project.annual}
        for year, amount in wanted.items():
            if year in have:
                have[year].amount = amount
            else:
                project.annual.append(AnnualInvestment(year=year, amount=amount))
    if "co_departments" in values:
        _set_participants(project, values["co_departments"])
    project.updated_at = clock.now()


@transactional
def create_project(actor: User, values: dict) -> Project:
    """A draft in the actor's own department (项目建设单位)."""
    require_role(actor, "applicant", "dept_admin")
    code = values.pop("department", None)
    if code and code != actor.department.code:
        raise Forbidden("只能为本部门创建项目", rule="R-SCOPE")
    project = Project(state=lifecycle.DRAFT, department_id=actor.department_id, department=actor.department,
                      created_by_id=actor.id, created_at=clock.now(), updated_at=clock.now())
    db.session.add(project)
    _apply(project, values)
    db.session.flush()
    history.record(actor, "create", project=project, to_state=project.state, after=_snapshot(project))
    return project


@transactional
def update_project(actor: User, project: Project, values: dict) -> Project:
    """Edit while draft or while the reviewers wait for 补正 (the change is in the history)."""
    require_lead_department(actor, project)
    lifecycle.next_state("edit", project.state)
    code = values.pop("department", None)
    if code and code != project.department.code:
        raise InvalidInput({"department": "项目建设单位不能更改"})
    if project.classified_confirmed_on and "classified" in values and values["classified"] != project.classified:
        # 保密办 confirmed the 涉密 status (第四条): the department no longer changes it alone
        raise RuleViolation("R-JOINT-ACCEPT", "涉密属性已由省委保密办确认，建设单位不能自行更改；如有变化请商保密办重新确认",
                            fields={"classified": "已由保密办确认"})
    before = _snapshot(project)
    _apply(project, values)
    after = _snapshot(project)
    changed = {k for k in after if after[k] != before.get(k)}
    if changed:
        history.record(actor, "edit", project=project, from_state=project.state, to_state=project.state,
                       before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return project


# ---- documents -------------------------------------------------------------------------

def document_path(document: Document) -> Path:
    """The file on disk: the SM4 ciphertext (CRYPTO.md), or the plain file of a legacy document."""
    return sealed_path(document.sha256, document.enc_nonce) if document.wrapped_key else stored_path(document.sha256)


@transactional
def upload_document(actor: User, project: Project, kind: str, filename: str, data: bytes,
                    material: str | None = None) -> Document:
    """Check, store and version a document; it fulfils an open 容缺 item of its kind (R-RONGQUE)."""
    require_lead_department(actor, project)
    if project.state in (lifecycle.TERMINATED, "closed"):
        raise RuleViolation("R-LIFECYCLE", "项目已终止或关闭，不能再上传材料")
    if material and material not in MATERIAL_FIELDS:
        raise InvalidInput({"material": f"“{material}”不是可用文件提交的申报材料"})
    safe_name = Path(filename or "").name[:255]
    content_type = check_upload(kind, safe_name, data, current_app.config["MAX_CONTENT_LENGTH"])
    digest = hashlib.sha256(data).hexdigest()
    version = db.session.execute(select(func.count(Document.id)).where(
        Document.project_id == project.id, Document.kind == kind,
        Document.material.is_(None) if material is None else Document.material == material)).scalar() + 1
    doc = Document(project_id=project.id, kind=kind, material=material, version=version,
                   filename=safe_name, content_type=content_type, size=len(data), sha256=digest,
                   uploaded_by_id=actor.id, uploaded_at=clock.now())
    db.session.add(doc)
    db.session.flush()
    vault.seal(doc, data)  # CRYPTO.md: SM4 under its own data key, wrapped by the KEK
    history.record(actor, "upload_document", project=project, kind=kind, material=material,
                   version=version, filename=safe_name, size=len(data), sha256=digest, sm3=doc.sm3)
    for item in project.rongque:
        if item.kind == kind and item.fulfilled_on is None:
            item.fulfilled_on, item.document_id = clock.today(), doc.id
            history.record(actor, "fulfil_rongque", project=project, kind=kind,
                           promised_on=item.promised_on, fulfilled_on=item.fulfilled_on)
    project.documents.append(doc)
    return doc


# ---- the consolidated submission (R-CONSOLIDATE) ----------------------------------------------

def submission_problems(project: Project) -> dict[str, str]:
    """What keeps this draft from being submitted (empty when it is ready)."""
    try:
        lifecycle.next_state("submit", project.state)
        check_submittable(proposal_values(project), documented_materials(project))
        if project.urgent and not project.urgent_basis.strip():
            raise RuleViolation("R-PLAN-URGENT", "紧急项目须写明党中央、国务院、省委、省政府或国家部委的要求依据",
                                fields={"urgent_basis": "缺少紧急项目依据"})
    except RuleViolation as err:
        return err.fields or {"state": err.message}
    return {}


@transactional
def submit_batch(actor: User, projects: list[Project],
                 rongque: dict[int, list[RongqueItem]] | None = None) -> SubmissionBatch:
    """R-CONSOLIDATE: the department head submits its proposals at once, or none of them."""
    require_role(actor, "dept_admin", rule="R-CONSOLIDATE")
    if not projects:
        raise InvalidInput({"projects": "请至少选择一个项目"})
    today, rongque = clock.today(), rongque or {}
    rnd = open_round_on(today)
    for project in projects:
        check_round(today, (rnd.opens_on, rnd.closes_on) if rnd else None, project.urgent)
        check_rongque(rongque.get(project.id, []), set(DOCUMENT_KINDS), today)
    for project in projects:
        if project.department_id != actor.department_id:
            raise Forbidden(f"“{project.name or '未命名项目'}”不属于本部门", rule="R-SCOPE")
    problems = {p.id: submission_problems(p) for p in projects}
    problems = {pid: f for pid, f in problems.items() if f}
    if problems:  # issue 19 (finding 8): each project by its name, never by its number
        names = {p.id: p.name or "未命名项目" for p in projects}
        named = "；".join(f"“{names[pid]}”：{'、'.join(f.values())}" for pid, f in problems.items())
        raise RuleViolation("R-PROPOSAL-FIELDS", f"统一申报未提交，请先补齐：{named}",
                            fields={str(pid): f for pid, f in problems.items()})
    batch = SubmissionBatch(department_id=actor.department_id, submitted_by_id=actor.id,
                            submitted_at=clock.now())
    db.session.add(batch)
    db.session.flush()
    for project in projects:
        _submit_one(actor, project, batch, rnd, rongque.get(project.id, []))
    return batch


def _submit_one(actor, project, batch, rnd, items) -> None:
    today = clock.today()
    before = project.state
    project.state = lifecycle.next_state("submit", project.state)
    project.submitted_on, project.batch_id = today, batch.id
    project.round_id = rnd.id if rnd else None
    project.plan_year = rnd.plan_year if rnd else today.year  # urgent: into the running year's plan
    for item in items:
        row = RongqueRow(project_id=project.id, kind=item.kind, promised_on=item.promised_on)
        db.session.add(row)
        project.rongque.append(row)
    due = review_due_for(project)
    matches = record_similar(project)  # R-NO-SPLIT: shown to the reviewers and the planner
    history.record(actor, "submit", project=project, from_state=before, to_state=project.state,
                   due_on=due.due_on, batch=batch.id, plan_year=project.plan_year,
                   calendar_confirmed=due.confirmed,
                   similar=[{"id": m.other_id, "score": m.score} for m in matches],
                   rongque=[{"kind": i.kind, "promised_on": i.promised_on} for i in items])
    history.notify(project.department_id, project,
                   f"项目“{project.name}”已统一申报，进入联合审核，审核期限 {due.due_on:%Y-%m-%d}")


@transactional
def terminate(actor: User, project: Project, reason: str) -> Project:
    """The planner ends a project from any state; the reason is kept."""
    return end_project(actor, project, reason)


def end_project(actor: User, project: Project, reason: str) -> Project:
    """Termination inside the caller's transaction (also used by R-INCIDENT's order)."""
    require_role(actor, "planner")
    reason = required_text(reason, "reason", "终止原因")
    history.move(actor, project, "terminate", reason=reason)
    history.notify(project.department_id, project, f"项目“{project.name}”已被终止：{reason}")
    return project
