"""Issue 20, done-when 1: a 300-row ledger with every stage imports, and each imported project has
the deadlines, alerts, register rows and record pending step of its twin entered step by step
through the services (R-BASELINE, R-ACCEPT-6M, R-SELF-EVAL, R-PERF-REPORT, R-DESIGN-20WD)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from govit import clock
from govit.acceptance import evaluation, joint, services as construction
from govit.alerts.deadlines import collect
from govit.alerts.scan import scan
from govit.approval import budget, services as approval
from govit.domain.ledger import STAGES
from govit.domain.record import LEDGER_NOTE
from govit.extensions import db
from govit.ledger import sample, services
from govit.models import Alert, Project
from govit.planning import plans
from govit.planning.plans import schedule_of
from govit.reports.record import record_of

from ..helpers import DOCUMENTS, passed, pdf_bytes
from .ledger_helpers import ledger

APPROVED = date(2026, 10, 28)  # the 2027 plan's approval, as tests.helpers.planned() records it
TODAY = date(2029, 12, 3)
T = sample.timeline(APPROVED)
PERIOD = {"start_month": "2027-03", "end_month": "2028-12"}


def _at(day, call, *args, **kwargs):
    with clock.travel(day):
        return call(*args, **kwargs)


def _walk(w, project, stage: str) -> None:
    """The services, step by step, to `stage` on the timeline's dates."""
    head, planner, total = w["head"], w["planner"], project.total_investment
    reached = STAGES.index(stage)
    steps = [
        ("feasibility_review", lambda: _at(T["feas_submitted_on"], approval.submit_feasibility, head, project)),
        ("feasibility_approved", lambda: _at(T["feas_approved_on"], approval.approve_feasibility, w["ndrc"], project,
                                             "可研", T["feas_approved_on"], total)),
        ("design_review", lambda: _at(T["design_submitted_on"], approval.submit_design, head, project, total)),
        ("design_approved", lambda: _at(T["design_approved_on"], approval.approve_design, planner, project, "初设",
                                        T["design_approved_on"], total)),
        ("in_construction", lambda: _build(w, project)),
        ("completed", lambda: _at(T["completed_on"], construction.complete, head, project, T["completed_on"])),
        ("in_operation", lambda: _accept(w, project)),
        ("self_evaluated", lambda: _at(T["self_eval_on"], evaluation.self_evaluate, head, project, Decimal("86.5"),
                                       "绩效目标基本实现")),
        ("closed", lambda: _at(T["post_eval_on"], evaluation.post_evaluate, planner, project, "评审中心", Decimal(82),
                               "建设目标实现")),
    ]
    for name, step in steps:
        if STAGES.index(name) <= reached:
            step()


def _build(w, project):
    _at(T["gov_approved_on"], approval.record_gov_approval, w["planner"], project, "审定", T["gov_approved_on"],
        [(project.fund_source, project.total_investment)])
    year, month = map(int, T["progress_period"].split("-"))
    _at(date(year, month, 30), construction.report_progress, w["head"], project, T["progress_period"], Decimal(30),
        (project.total_investment * Decimal("0.25")).quantize(Decimal("0.01")))


def _accept(w, project):
    applied = T["completed_on"] + timedelta(days=20)
    for kind in ("archive_acceptance", "crypto_assessment", "reliability_statement", "acceptance_report"):
        _at(applied, services_upload, w["head"], project, kind)
    _at(applied, evaluation.apply_acceptance, w["head"], project)
    for role in ("reviewer_cyber", "reviewer_crypto", "police", "ndrc"):
        _at(applied + timedelta(days=7), joint.record_acceptance_opinion, w[role], project, "pass", "同意")
    _at(T["accepted_on"], evaluation.accept, w["planner"], project, T["accepted_on"], T["live_on"])


def services_upload(head, project, kind):
    from govit.planning import services as planning
    planning.upload_document(head, project, kind, f"{kind}.pdf", pdf_bytes(kind))


@pytest.fixture
def w(make, reviewers):
    make.department("DEPA")
    make.department("DEPB")
    w = {"head": make.user("dept_admin", "DEPA"), "planner": make.user("planner", "YSHJ"),
         "finance": make.user("finance", "CZT"), "ndrc": make.user("ndrc", "FGW"), "police": make.user("police", "GAT")}
    w.update({r.role: r for r in reviewers})
    twins = [passed(make, w["head"], w["planner"], reviewers, name=f"逐步办理的项目{i}",
                    online_code=f"2027-230000-65-09-{i:06d}", **PERIOD,
                    annual_investments={"2027": "1800000.00", "2028": "1200000.00"}) for i, _ in enumerate(STAGES)]
    plan = plans.create_plan(w["planner"], 2027)
    for project in twins:
        plans.add_item(w["planner"], plan, project)
    plans.finance_check(w["finance"], plan)
    plans.submit_plan(w["planner"], plan)
    plans.approve_plan(w["planner"], plan, "黑政函〔2026〕88号", APPROVED)
    for project in twins:
        for kind in DOCUMENTS:
            services_upload(w["head"], project, kind)
    for project, stage in zip(twins, STAGES):
        _walk(w, project, stage)
    w["twins"] = twins
    return w


def _ledger_rows(twins) -> list[dict]:
    """300 rows: one twin of each step-by-step project, and 290 more over every stage and two departments."""
    rows = []
    for i, (twin, stage) in enumerate(zip(twins, STAGES)):
        row = sample.row(900 + i, "DEPA", stage, 2027, APPROVED, 300, name=f"台账导入的项目{i}")
        row.update(PERIOD, fund_source=twin.fund_source, annual={"2027": Decimal("1800000.00"), "2028": Decimal("1200000.00")})
        rows.append(row)
    return rows + sample.rows(290, ["DEPA", "DEPB"], 2027, APPROVED, first_serial=1000)


def _deadlines(deadlines, project) -> list:
    return sorted((d.kind, d.due_on) for d in deadlines if d.project_id == project.id)


def _alerts(project) -> list:
    return sorted((a.kind, a.due_on, a.level) for a in db.session.execute(select(Alert).where(
        Alert.project_id == project.id, Alert.status == "open")).scalars())


def _pending(project):
    rows = record_of(project)
    last = rows[-1]
    return (last.label, last.due_on, last.late_days) if last.pending else None


def test_300_row_ledger_imports_and_matches_the_same_projects_entered_step_by_step(w, today):
    """R-BASELINE, R-ACCEPT-6M, R-SELF-EVAL, R-PERF-REPORT, R-PLAN-BACKLOG: twins agree."""
    today(TODAY.isoformat())
    rows = _ledger_rows(w["twins"])
    report, batch = services.import_ledger(w["planner"], ledger(rows), "台账.xlsx")
    assert batch.created == 300 and not report.errors
    imported = {p.name: p for p in db.session.execute(select(Project).where(Project.name.like("台账导入的项目%")))
                .unique().scalars()}
    assert db.session.scalar(select(func.count(Project.id)).where(Project.state.in_(STAGES))) == 310
    # budget register (R-BUDGET-15): the same change filed on both twins in construction
    pairs = [(twin, imported[f"台账导入的项目{i}"]) for i, twin in enumerate(w["twins"])]
    for twin, twin_imported in pairs[STAGES.index("in_construction"):][:1]:
        for p in (twin, twin_imported):
            budget.file_budget_change(w["head"], p, Decimal("100000.00"), p.approved_estimate, "optimisation", "调整")
    scan(TODAY)
    deadlines = collect(TODAY)
    for (twin, mine), stage in zip(pairs, STAGES):
        assert mine.state == twin.state == stage
        assert _deadlines(deadlines, mine) == _deadlines(deadlines, twin), stage
        assert _alerts(mine) == _alerts(twin), stage
        assert _pending(mine) == _pending(twin), stage
        assert schedule_of(mine) == schedule_of(twin), stage  # R-PLAN-BACKLOG reads both alike
        assert _baseline(mine) == _baseline(twin), stage  # R-BASELINE
        first = record_of(mine, pending=False)[0]
        assert first.label == "台账导入" and LEDGER_NOTE in first.content and batch.sha256 in first.content
    skip = ("编号", "项目")
    register = [{k: v for k, v in r.items() if k not in skip} for r in budget.register_rows(budget.register())]
    assert len(register) == 2 and register[0] == register[1]
    seen = {stage: _deadlines(deadlines, mine) for (_, mine), stage in zip(pairs, STAGES)}
    assert [k for k, _ in seen["completed"]] == ["acceptance"] and seen["design_review"][0][0] == "design_review"
    assert {k for k, _ in seen["in_construction"]} == {"performance_report", "construction_period"}
    assert [k for k, _ in seen["in_operation"]] == ["self_evaluation"] and not seen["closed"]


def _baseline(project):
    row = approval.current_baseline(project)
    return row and (row.version, row.total, row.source)
