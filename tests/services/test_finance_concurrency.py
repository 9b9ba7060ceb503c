"""R-CONTRACT-ESTIMATE under concurrency: two contracts that together pass the 概算 are signed one
after the other under the project's row lock, so exactly one is signed."""
import time
from datetime import date
from decimal import Decimal

from govit.domain.errors import RuleViolation
from govit.extensions import db
from govit.finance import services
from govit.models import Contract, Project, User

from ..helpers import at_once
from .test_approval import building, w  # noqa: F401  (the fixture)
from .test_finance import CODE


def test_r_contract_estimate_two_concurrent_contracts_exactly_one_signed(app, w, monkeypatch):  # noqa: F811
    """R-CONTRACT-ESTIMATE: two 2,000,000 contracts on a 3,000,000 概算 at once: one is refused.
    The read of the contracted sum is slowed so that, without the lock, both would read zero."""
    project = building(w)
    project_id, user_id = project.id, w["head"].id
    slow_read = services.contracted_total

    def contracted_total(pid):
        total = slow_read(pid)
        time.sleep(0.5)
        return total
    monkeypatch.setattr(services, "contracted_total", contracted_total)
    numbers = iter(("HT-A", "HT-B"))

    def sign():
        user, target = db.session.get(User, user_id), db.session.get(Project, project_id)
        amount = Decimal("2000000.00")
        return services.sign_contract(user, target, next(numbers), "development", "供应商", CODE, amount,
                                      date(2026, 11, 26), True, [services.Milestone("", amount, date(2027, 1, 1))]).id
    outcomes = at_once(app, sign)
    refused = [o for o in outcomes if isinstance(o, RuleViolation)]
    print(f"\nconcurrent contracts on {db.engine.dialect.name}: {outcomes}")
    assert len(refused) == 1 and refused[0].rule == "R-CONTRACT-ESTIMATE"
    db.session.expire_all()
    assert db.session.query(Contract).filter_by(project_id=project_id).count() == 1
