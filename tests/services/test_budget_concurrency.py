"""R-BUDGET-15 under concurrency: two 10% filings at the same moment never pass 15% together."""
import time
from decimal import Decimal

from govit.approval import budget
from govit.extensions import db
from govit.models import BudgetChange, Project, User

from ..helpers import at_once
from .test_approval import building, w  # noqa: F401  (the fixture)


def test_r_budget_15_two_concurrent_filings_exactly_one_filed(app, w, monkeypatch):  # noqa: F811
    """R-BUDGET-15: two connections file 10% each at once; the row lock lets exactly one be filed.

    The read of the cumulative amount is slowed so that, without the lock, both would read zero.
    """
    project = building(w)
    project_id, user_id = project.id, w["head"].id
    slow_read = budget.self_filed_total

    def self_filed_total(pid):
        total = slow_read(pid)
        time.sleep(0.5)  # both filers would be inside this window without the lock
        return total
    monkeypatch.setattr(budget, "self_filed_total", self_filed_total)
    def file_ten_percent():
        user, target = db.session.get(User, user_id), db.session.get(Project, project_id)
        return budget.file_budget_change(user, target, Decimal("300000.00"), Decimal("3000000.00"),
                                         "optimisation", "并发备案测试").status
    outcomes = at_once(app, file_ten_percent)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    results = [o for o in outcomes if not isinstance(o, Exception)]
    assert errors == []
    print(f"\nconcurrent filings on {db.engine.dialect.name}: {sorted(results)}")
    assert sorted(results) == ["filed", "pending"]
    db.session.expire_all()
    statuses = sorted(c.status for c in db.session.query(BudgetChange).filter_by(project_id=project_id))
    assert statuses == ["filed", "pending"]
    assert budget.self_filed_total(project_id) == Decimal("300000.00")
