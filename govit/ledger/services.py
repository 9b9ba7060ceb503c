"""Use cases of the ledger (台账, issue 20): check a file row by row, import it in one transaction,
re-import it idempotently, and export the same layout. Imported projects are real projects: placed
in the ledger's state with their plan, approvals, baseline, figures and dates, from which every
deadline is computed as for any project; each starts its history with one `import` event."""
import calendar as stdcal
import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from .. import clock, history, vault
from ..calendar_store import load_calendar
from ..domain.construction import check_self_evaluation
from ..domain.errors import Forbidden, RuleViolation
from ..domain.ledger import (COLUMNS, STAGES, Context, RowCheck, check_row, diff, display, duplicates,
                             where)
from ..domain.lifecycle import STATE_LABELS
from ..signatures import imported_marker, is_imported
from ..extensions import db
from ..models import (AnnualInvestment, ApprovalRecord, Baseline, Department, Evaluation, Event, GovFund,
                      LedgerBatch, LedgerEntry, Plan, PlanItem, ProgressReport, Project, User)
from ..transaction import transactional
from . import workbook

FRESH = "govit_ledger_fresh"  # session.info: ids of the projects this import created
LEDGER_ACTIONS = ("import", "ledger_update")  # a project with any other event has moved on in govit
IMPORTERS = ("dept_admin", "planner")
NEW, UNCHANGED, CHANGED, KEPT, ERROR = "new", "unchanged", "changed", "kept", "error"
STATUS_LABELS = {NEW: "新增", UNCHANGED: "无变化", CHANGED: "有变化", KEPT: "已在系统中继续办理，不覆盖", ERROR: "有错误"}


class LedgerRefused(RuleViolation):
    """The ledger has rows with errors and the person did not choose to import the correct rows only."""

    def __init__(self, message: str):
        super().__init__("R-INPUT", message)


@dataclass
class RowReport:
    check: RowCheck
    status: str = NEW
    project: Project | None = None
    changes: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class LedgerReport:
    sha256: str
    filename: str
    rows: list[RowReport]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def errors(self) -> list[RowReport]:
        return [r for r in self.rows if r.status == ERROR]

    def problems(self) -> dict[int, dict[str, str]]:
        return {r.check.row_no: r.check.problems for r in self.errors}

    def summary(self) -> str:
        return (f"共 {len(self.rows)} 行：新增 {self.count(NEW)}，有变化 {self.count(CHANGED)}，无变化 {self.count(UNCHANGED)}，"
                f"已在系统中继续办理 {self.count(KEPT)}，有错误 {self.count(ERROR)}")


def scope_of(actor: User | None, department: str | None) -> str | None:
    """The department whose rows may be imported: a dept_admin's own, or the one asked for."""
    if actor is not None and actor.role not in IMPORTERS:
        raise Forbidden("只有部门管理员和营商环境局可以导入台账")
    own = actor.department.code if actor is not None and actor.role == "dept_admin" else None
    if own and department and department.upper() != own:
        raise Forbidden(f"部门管理员只能导入本部门（{own}）的台账")
    return own or (department.upper() if department else None)


def _context(only: str | None, actor: User | None) -> Context:
    departments = frozenset(db.session.execute(select(Department.code).where(Department.is_authority.is_(False)))
                            .scalars())
    plans = dict(db.session.execute(select(Plan.plan_year, Plan.state)).all())
    creates_plans = actor is not None and actor.role == "planner"  # R-LEDGER-PLAN: a dept_admin's rows need the plan
    return Context(clock.today(), departments, only, plans, load_calendar(), creates_plans)


def check_ledger(data: bytes, filename: str = "", actor: User | None = None, department: str | None = None,
                 progress=None) -> LedgerReport:
    """Read and check every row; nothing is written (R-LEDGER: the report comes before the import)."""
    only = scope_of(actor, department)
    raw_rows = workbook.read_rows(data, progress)
    ctx = _context(only, actor)
    checks = [check_row(n, raw, ctx) for n, raw in raw_rows]
    duplicates(checks, "online_code")
    duplicates(checks, "ledger_id", scope=lambda v: (v.get("department"),))
    report = LedgerReport(hashlib.sha256(data).hexdigest(), Path(filename or "ledger.xlsx").name[:255],
                          [RowReport(c) for c in checks])
    _match(report, only)
    return report


def _match(report: LedgerReport, only: str | None) -> None:
    """Match rows to projects by 项目代码, else by the department's ledger id; decide each row's status."""
    codes = {r.check.values["online_code"] for r in report.rows if r.check.values.get("online_code")}
    by_code = {p.online_code: p for p in db.session.execute(select(Project).where(Project.online_code.in_(codes)))
               .unique().scalars()} if codes else {}
    entries = {e.project_id: e for e in db.session.execute(select(LedgerEntry)).scalars()}
    by_ledger_id = {(e.department_id, e.ledger_id): e.project_id for e in entries.values() if e.ledger_id}
    departments = dict(db.session.execute(select(Department.code, Department.id)).all())
    matched: dict[int, Project] = {}
    for row in report.rows:
        v = row.check.values
        project = by_code.get(v.get("online_code"))
        if project is None and v.get("ledger_id") and v.get("department") in departments:
            pid = by_ledger_id.get((departments[v["department"]], v["ledger_id"]))
            project = db.session.get(Project, pid) if pid else None
        if project is not None:
            row.project = matched[project.id] = project
    moved = _moved_on(list(matched))
    for row in report.rows:
        _status(row, entries, moved, only)


def _moved_on(project_ids: list[int]) -> set[int]:
    if not project_ids:
        return set()
    return set(db.session.execute(select(Event.project_id).where(
        Event.project_id.in_(project_ids), Event.action.notin_(LEDGER_ACTIONS)).distinct()).scalars())


def _status(row: RowReport, entries: dict, moved: set[int], only: str | None) -> None:
    check, project = row.check, row.project
    if project is not None and project.id not in entries and not check.problems:
        own = check.values.get("department") == project.department.code
        named = f"“{project.name}”" if own or only is None else ""  # never another department's project name
        check.problems["online_code"] = (f"项目代码已被系统中办理的项目{named}使用：台账不能覆盖系统中的项目，"
                                         "请核对项目代码")
    elif project is not None and check.values.get("department") not in (None, project.department.code):
        check.problems["department"] = f"该项目已导入为 {project.department.code} 的项目，部门不能改变"
    if check.problems:
        row.status = ERROR
        return
    if project is None:
        row.status = NEW
    elif project.id in moved:
        row.status = KEPT  # never overwritten: govit's own steps came after the import
    else:
        before = ledger_values(project)
        if STAGES.index(check.values["stage"]) < STAGES.index(before["stage"]):
            check.problems["stage"] = f"项目已导入为“{STATE_LABELS[before['stage']]}”，阶段不能倒退"
            row.status = ERROR
            return
        row.changes = diff(before, {**check.values, "ledger_id": check.values.get("ledger_id") or before.get("ledger_id")})
        row.status = CHANGED if row.changes else UNCHANGED


# ---- import ---------------------------------------------------------------------------------------

@transactional
def import_ledger(actor: User, data: bytes, filename: str = "", department: str | None = None,
                  only_valid: bool = False, progress=None) -> tuple[LedgerReport, LedgerBatch]:
    """Check, then place every new row and apply every changed row in one transaction; refused whole
    (nothing written) while a row has an error, unless `only_valid` (import the correct rows only)."""
    report = check_ledger(data, filename, actor, department)
    if report.errors and not only_valid:
        first = report.errors[0].check.messages()[0]
        raise LedgerRefused(f"台账有 {len(report.errors)} 行存在错误，未导入任何数据（如 {first}）；"
                            "请修改后重新上传，或选择“仅导入正确的行”")
    batch = LedgerBatch(sha256=report.sha256, filename=report.filename, department_code=scope_of(actor, department),
                        rows=len(report.rows), created=report.count(NEW), updated=report.count(CHANGED),
                        skipped=len(report.rows) - report.count(NEW) - report.count(CHANGED), by_id=actor.id,
                        at=clock.now())
    db.session.add(batch)
    db.session.flush()
    try:
        _write(actor, report, batch, progress)
    finally:
        db.session.info.pop(FRESH, None)  # never outlives the transaction (ids are reused after a rollback)
    return report, batch


def _write(actor: User, report: LedgerReport, batch: LedgerBatch, progress) -> None:
    """New rows in three bulk steps (projects, their records, their entries and events), so that 2,000
    rows are a few flushes, not thousands; changed rows one by one, each with its diff event."""
    plans: dict[int, Plan] = {}
    fresh = [row for row in report.rows if row.status == NEW]
    departments = dict(db.session.execute(select(Department.code, Department.id)).all())
    projects = [_new_project(actor, row.check.values, departments) for row in fresh]
    db.session.flush()
    db.session.info.setdefault(FRESH, set()).update(p.id for p in projects)
    marker = imported_marker(report.sha256)
    for row, project in zip(fresh, projects):
        _place(actor, project, row.check.values, plans, marker)
    db.session.flush()
    db.session.add_all([LedgerEntry(project_id=project.id, department_id=project.department_id,
                                    ledger_id=row.check.values.get("ledger_id") or None,
                                    first_batch_id=batch.id, last_batch_id=batch.id)
                        for row, project in zip(fresh, projects)])
    # each project's history starts with one `import` event: the row as read, the file's sha256
    history.record_many(actor, [(project, "import", None, project.state,
                                 {"row": _shown(row.check.values), "sha256": report.sha256,
                                  "filename": report.filename, "row_no": row.check.row_no, "batch": batch.id})
                                for row, project in zip(fresh, projects)])
    if progress:
        progress(len(fresh))
    for row in report.rows:
        if row.status == CHANGED:
            before = row.project.state
            _place(actor, row.project, row.check.values, plans, marker)
            entry = db.session.execute(select(LedgerEntry).where(LedgerEntry.project_id == row.project.id)).scalar_one()
            entry.last_batch_id, entry.ledger_id = batch.id, row.check.values.get("ledger_id") or entry.ledger_id
            history.record(actor, "ledger_update", project=row.project, from_state=before, to_state=row.project.state,
                           changes=[{"field": h, "before": b, "after": a} for h, b, a in row.changes],
                           sha256=report.sha256, filename=report.filename, row_no=row.check.row_no, batch=batch.id)
        if progress and row.status != NEW:
            progress(1)


def _new_project(actor: User, v: dict, departments: dict) -> Project:
    now = clock.now()
    project = Project(created_by_id=actor.id, created_at=now, department_id=departments[v["department"]],
                      state=v["stage"], plan_year=v["plan_year"],
                      annual=[AnnualInvestment(year=int(y), amount=a) for y, a in sorted(v["annual"].items())])
    _fields(project, v)
    db.session.add(project)
    return project


def _fields(project: Project, v: dict) -> None:
    for key in PROJECT_FIELDS:
        setattr(project, key, v.get(key) if key in ("total_investment",) else (v.get(key) or ""))
    project.construction_type, project.network = v.get("construction_type") or "new", v.get("network") or "extranet"
    project.classified, project.state, project.plan_year = bool(v.get("classified")), v["stage"], v["plan_year"]
    project.updated_at = clock.now()


def _shown(values: dict) -> dict:
    """The row as it was read, by its Chinese headers."""
    return {c.header: display(c.key, values.get(c.key)) for c in COLUMNS if display(c.key, values.get(c.key))}


def _plan(actor: User, values: dict, plans: dict) -> Plan:
    """The approved plan of the row's plan year; a year govit has no plan for gets it from the ledger."""
    year = values["plan_year"]
    if year not in plans:
        plan = db.session.execute(select(Plan).where(Plan.plan_year == year)).scalar_one_or_none()
        if plan is None:
            approved = values["plan_approved_on"]
            plan = Plan(plan_year=year, state="approved", created_at=clock.now(), doc_no=values["plan_doc_no"],
                        approved_on=approved, submitted_on=approved, finance_checked_on=approved,
                        finance_comment="据台账导入")
            db.session.add(plan)
            db.session.flush()
            history.record(actor, "import_plan", plan_id=plan.id, plan_year=year, doc_no=plan.doc_no,
                           approved_on=approved)
        plans[year] = plan
    return plans[year]


PROJECT_FIELDS = ("name", "basis", "content_scale", "technical_route", "start_month", "end_month", "total_investment",
                  "fund_source", "performance_goals", "data_catalog", "cloud_plan", "protection_plan", "security_plan",
                  "product_reliability", "crypto_plan", "construction_type", "network", "online_code")


def _place(actor: User, project: Project, v: dict, plans: dict, marker: str) -> Project:
    """Write the row's facts as the services would have written them, step by step."""
    new = project.id in db.session.info.get(FRESH, ())
    if not new:
        _fields(project, v)
        _annual(project, v["annual"])
    plan = _plan(actor, v, plans)
    if new or not db.session.execute(select(PlanItem.id).where(PlanItem.plan_id == plan.id,
                                                               PlanItem.project_id == project.id)).first():
        db.session.add(PlanItem(plan_id=plan.id, project_id=project.id, project=project,
                                added_on=plan.approved_on or v["plan_approved_on"]))
    project.feasibility_submitted_on = v.get("feas_submitted_on")
    project.approved_investment = v.get("approved_investment")
    _approval(actor, project, "feasibility", v.get("feas_doc_no"), v.get("feas_approved_on"),
              v.get("approved_investment"), marker)
    project.design_submitted_on, project.design_estimate = v.get("design_submitted_on"), v.get("estimate")
    approved = v.get("design_approved_on") is not None
    project.approved_estimate = v.get("estimate") if approved else None
    _approval(actor, project, "design", v.get("design_doc_no"), v.get("design_approved_on"), project.approved_estimate,
              marker)
    if approved:
        _baseline(project, v["estimate"], v["design_approved_on"])  # R-BASELINE v1
    _approval(actor, project, "gov", v.get("gov_doc_no"), v.get("gov_approved_on"), project.approved_estimate, marker)
    if v.get("gov_approved_on"):
        _funds(project, v.get("fund_source") or "", v["gov_funds"])
    if v.get("progress_period"):
        _progress(project, v)
    project.completed_on, project.accepted_on, project.live_on = v.get("completed_on"), v.get("accepted_on"), v.get("live_on")
    if project.accepted_on:
        project.acceptance_authorities = project.acceptance_authorities or "此前环节于系统上线前办理，据台账导入"
    if v.get("self_eval_on"):
        late = check_self_evaluation(v["live_on"], v["self_eval_on"], v.get("accepted_on"), load_calendar())
        _evaluation(project, "self", v["self_eval_score"], v["self_eval_summary"], v["self_eval_on"], late=late)
    if v.get("post_eval_on"):
        _evaluation(project, "post", v["post_eval_score"], v["post_eval_summary"], v["post_eval_on"],
                    evaluator=v["post_evaluator"])
    return project


def _annual(project: Project, annual: dict) -> None:
    """The 年度投资额 rows, kept where the year stays (a year's row is unique per project)."""
    wanted = {int(y): a for y, a in annual.items()}
    for row in list(project.annual):
        if row.year not in wanted:
            project.annual.remove(row)
    db.session.flush()
    have = {row.year: row for row in project.annual}
    for year, amount in sorted(wanted.items()):
        if year in have:
            have[year].amount = amount
        else:
            project.annual.append(AnnualInvestment(year=year, amount=amount))
    db.session.flush()


def _existing(project: Project, query):
    """A project placed in this import has no rows yet: no query (and no flush) needed."""
    return None if project.id in db.session.info.get(FRESH, ()) else db.session.execute(query).scalar_one_or_none()


def _approval(actor: User, project: Project, kind: str, doc_no, approved_on, amount, marker: str) -> None:
    """An approval decided before govit, as the ledger states it. It carries `marker` ("imported:…")
    instead of an SM2 signature: the signing listener skips it (the importer did not decide it), and
    a re-import's change keeps the marker; a record with a real signature is never changed in place."""
    if approved_on is None:
        return
    row = _existing(project, select(ApprovalRecord).where(ApprovalRecord.project_id == project.id,
                                                     ApprovalRecord.kind == kind, ApprovalRecord.version == 1))
    if row is not None and (row.doc_no, row.approved_on, row.amount) == (doc_no, approved_on, amount):
        return
    if row is not None and row.signature and not is_imported(row.signature):
        raise RuleViolation("R-LEDGER", f"项目“{project.name}”的{_KIND_LABELS.get(kind, kind)}决定带有电子签名，"
                                        "台账不能改动已签名的决定；请删去该行的改动，或在系统中办理")
    row = row or ApprovalRecord(project_id=project.id, kind=kind, version=1, decided_by_id=actor.id,
                                created_at=clock.now())
    row.doc_no, row.approved_on, row.amount, row.signature = doc_no, approved_on, amount, marker
    db.session.add(row)


_KIND_LABELS = {"feasibility": "可研批复", "design": "初设批复", "gov": "省政府审定"}


def _baseline(project: Project, total: Decimal, on: date) -> None:
    row = _existing(project, select(Baseline).where(Baseline.project_id == project.id, Baseline.version == 1))
    row = row or Baseline(project_id=project.id, version=1, source="design", created_on=on)
    row.total, row.content, row.scale = total, project.content_scale, project.content_scale
    db.session.add(row)


def _funds(project: Project, source: str, amount: Decimal) -> None:
    rows = [] if project.id in db.session.info.get(FRESH, ()) else \
        list(db.session.execute(select(GovFund).where(GovFund.project_id == project.id)).scalars())
    if len(rows) == 1 and rows[0].source == source and rows[0].amount == amount:
        return
    for row in rows:
        db.session.delete(row)
    db.session.add(GovFund(project_id=project.id, source=source or "资金来源", amount=amount))


def _progress(project: Project, v: dict) -> None:
    """The latest progress report, reported at the end of its month (or today, if that is earlier)."""
    year, month = map(int, v["progress_period"].split("-"))
    reported = min(date(year, month, stdcal.monthrange(year, month)[1]), clock.today())
    row = _existing(project, select(ProgressReport).where(ProgressReport.project_id == project.id,
                                                          ProgressReport.period == v["progress_period"]))
    row = row or ProgressReport(project_id=project.id, period=v["progress_period"], reported_on=reported)
    row.percent_complete, row.spent, row.note = v["progress_percent"], v["progress_spent"], "据台账导入"
    db.session.add(row)


def _evaluation(project: Project, kind: str, score, summary, on: date, late: bool = False, evaluator: str = "") -> None:
    row = _existing(project, select(Evaluation).where(Evaluation.project_id == project.id,
                                                      Evaluation.kind == kind))
    row = row or Evaluation(project_id=project.id, kind=kind, created_at=clock.now())
    row.score, row.summary, row.filed_on, row.late, row.evaluator, row.goals = score, summary, on, late, evaluator, "[]"
    db.session.add(row)


# ---- reading back: the export, and the values a re-import is compared with ---------------------------

def ledger_values(project: Project) -> dict:
    """The project as a ledger row (what `export` writes, what a changed row is compared with)."""
    v = {key: getattr(project, key) for key in PROJECT_FIELDS}
    entry = db.session.execute(select(LedgerEntry).where(LedgerEntry.project_id == project.id)).scalar_one_or_none()
    v.update(ledger_id=entry.ledger_id if entry else None, department=project.department.code, stage=project.state,
             plan_year=project.plan_year, classified=project.classified,
             annual={str(a.year): a.amount for a in project.annual})
    plan = db.session.execute(select(Plan).join(PlanItem).where(PlanItem.project_id == project.id,
                                                                PlanItem.removed_on.is_(None))).scalars().first()
    if plan is not None:
        v.update(plan_doc_no=plan.doc_no, plan_approved_on=plan.approved_on)
    records = {r.kind: r for r in db.session.execute(select(ApprovalRecord).where(
        ApprovalRecord.project_id == project.id).order_by(ApprovalRecord.version)).scalars()}
    v.update(feas_submitted_on=project.feasibility_submitted_on, approved_investment=project.approved_investment,
             design_submitted_on=project.design_submitted_on, estimate=project.approved_estimate or project.design_estimate)
    for kind, prefix in (("feasibility", "feas"), ("design", "design"), ("gov", "gov")):
        if kind in records:
            v[f"{prefix}_doc_no"], v[f"{prefix}_approved_on"] = records[kind].doc_no, records[kind].approved_on
    funds = list(db.session.execute(select(GovFund).where(GovFund.project_id == project.id)).scalars())
    if funds:
        v["gov_funds"] = sum((f.amount for f in funds), Decimal("0"))
    latest = db.session.execute(select(ProgressReport).where(ProgressReport.project_id == project.id)
                                .order_by(ProgressReport.period.desc()).limit(1)).scalar_one_or_none()
    if latest is not None:
        v.update(progress_period=latest.period, progress_percent=latest.percent_complete, progress_spent=latest.spent)
    v.update(completed_on=project.completed_on, accepted_on=project.accepted_on, live_on=project.live_on)
    for e in db.session.execute(select(Evaluation).where(Evaluation.project_id == project.id)).scalars():
        if e.kind == "self":
            v.update(self_eval_on=e.filed_on, self_eval_score=e.score, self_eval_summary=e.summary)
        else:
            v.update(post_eval_on=e.filed_on, post_eval_score=e.score, post_eval_summary=e.summary,
                     post_evaluator=e.evaluator)
    return v


def _cells(values: dict) -> dict:
    """Values as the workbook's cells: dates as dates, money as numbers, the rest as the ledger shows it."""
    cells = {}
    for c in COLUMNS:
        value = values.get(c.key)
        if value in (None, "", {}):
            continue
        cells[c.key] = value if c.kind in ("date", "money") else display(c.key, value)
    return cells


def _departments() -> list[tuple[str, str]]:
    return list(db.session.execute(select(Department.code, Department.name).where(Department.is_authority.is_(False))
                                   .order_by(Department.code)).all())


def template_bytes() -> bytes:
    """The empty ledger with its instructions, drop-downs and a sample row (on its own sheet)."""
    from .sample import sample_row
    return workbook.layout(_departments(), [], _cells(sample_row()))


def export_bytes(actor: User | None = None, department: str | None = None) -> bytes:
    """Every project from `planned` on (of one department) in the ledger's layout."""
    only = scope_of(actor, department) if actor is not None else (department.upper() if department else None)
    query = select(Project).where(Project.state.in_(STAGES)).order_by(Project.id)
    if only:
        query = query.join(Department, Project.department_id == Department.id).where(Department.code == only)
    rows = [_cells(ledger_values(p)) for p in db.session.execute(query).unique().scalars()]
    return workbook.layout(_departments(), rows, None)


@transactional
def keep_upload(data: bytes) -> str:
    """A checked ledger kept for its confirmed import: SM4-sealed at rest like a document (CRYPTO.md,
    issue 23), named by its sha256."""
    return vault.keep(data, "ledger")


def kept_upload(sha256: str) -> bytes | None:
    """The checked ledger, decrypted; None when it is no longer kept."""
    return vault.read_file(sha256)


def discard_upload(sha256: str) -> None:
    """Delete a checked ledger kept for its import (its row, then, once committed, its file), unless
    a letter of the same content uses it."""
    try:
        paths = vault.forget(sha256)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for path in paths:
        path.unlink(missing_ok=True)


def annotated_bytes(data: bytes, report: LedgerReport) -> bytes:
    return workbook.annotated(data, report.problems())


__all__ = ["check_ledger", "import_ledger", "export_bytes", "template_bytes", "annotated_bytes", "where"]
