"""Twenty workers on one project at once, each on a connection of its own (as on several app
servers): opinions, budget filings and transitions. No lost update, every rule still holds, the
history chain still verifies (issue 8; R-AUDIT-TRAIL, R-REVIEW-RESULT, R-BUDGET-15)."""
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from govit.acceptance import services as construction
from govit.approval import budget
from govit.domain.errors import GovitError
from govit.extensions import db
from govit.history import verify_chain
from govit.models import BudgetChange, Event, Opinion, Project, User
from govit.planning import review

from ..helpers import all_at_once
from .test_approval import building, w  # noqa: F401  (the fixture)

WORKERS = 20


def _as(user_id: int, project_id: int, act):
    """A worker: load its own copies of the user and the project, then act (GovitError is an answer)."""
    def call():
        user, project = db.session.get(User, user_id), db.session.get(Project, project_id)
        try:
            return ("done", act(user, project))
        except GovitError as refused:
            return ("refused", refused.rule)
    return call


def _events(project_id: int, action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Event).where(
        Event.project_id == project_id, Event.action == action))


def test_twenty_reviewers_at_once_conclude_the_review_exactly_once(app, make, reviewers, today):
    """R-REVIEW-RESULT: each authority's pass counts once; the review concludes exactly once."""
    make.department("DEPA")
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    project = make.submitted(head, planner)
    project_id = project.id
    ids = [r.id for r in reviewers]
    today("2026-06-18")  # the app's date, for every worker thread
    outcomes = all_at_once(app, [_as(ids[i % 3], project_id, lambda u, p: review.record_opinion(
        u, p, "pass", "符合要求").id) for i in range(WORKERS)])
    assert all(isinstance(o, tuple) for o in outcomes), outcomes  # no crash, no deadlock
    done = [o for o in outcomes if o[0] == "done"]
    assert len(done) == 3, outcomes  # one final opinion per authority; the rest refused by R-REVIEW-*
    db.session.expire_all()
    assert db.session.get(Project, project_id).state == "review_passed"
    assert db.session.scalar(select(func.count()).select_from(Opinion).where(Opinion.project_id == project_id)) == 3
    assert _events(project_id, "conclude_review") == 1 and _events(project_id, "opinion") == 3
    assert verify_chain() is None


def test_twenty_workers_file_budget_changes_then_twenty_complete_at_once(app, w, today):  # noqa: F811
    """R-BUDGET-15 under load: 16 filings of 4% and 4 progress reports at once file exactly three
    (12%; a fourth would pass 15%) and leave 13 pending. Then 20 completions at once: exactly one."""
    project = building(w)
    project_id, head_id = project.id, w["head"].id
    today("2026-12-01")

    def file_four_percent(user, target):
        return budget.file_budget_change(user, target, Decimal("120000.00"), Decimal("3000000.00"),
                                         "optimisation", "并发备案").status

    def report(user, target):
        return construction.report_progress(user, target, "2026-11", Decimal("40"), Decimal("100000.00"),
                                            "并发进度").id
    outcomes = all_at_once(app, [_as(head_id, project_id, report if i % 5 == 0 else file_four_percent)
                                 for i in range(WORKERS)])
    assert all(o[0] == "done" for o in outcomes), outcomes
    db.session.expire_all()
    statuses = [c.status for c in db.session.execute(select(BudgetChange).where(
        BudgetChange.project_id == project_id)).scalars()]
    assert sorted(statuses).count("filed") == 3 and statuses.count("pending") == 13
    assert budget.self_filed_total(project_id) == Decimal("360000.00")
    assert _events(project_id, "file_budget_change") == 16 and _events(project_id, "report_progress") == 4

    outcomes = all_at_once(app, [_as(head_id, project_id, lambda u, p: construction.complete(
        u, p, date(2026, 11, 30)).state) for _ in range(WORKERS)])
    assert sorted(outcomes).count(("done", "completed")) == 1
    assert [o for o in outcomes if o[0] == "refused"] == [("refused", "R-LIFECYCLE")] * (WORKERS - 1)
    db.session.expire_all()
    assert db.session.get(Project, project_id).state == "completed" and _events(project_id, "complete") == 1
    print(f"\n{db.engine.dialect.name}: 16 filings (3 filed, 13 pending), 4 reports, 1 of 20 completions")
    assert verify_chain() is None
