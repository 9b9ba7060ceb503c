"""What the payments pre-fill in other stages' forms: the progress report's "spent" (第二十五条) and
the settlement's figures (R-SURPLUS), with the difference from what was typed shown."""
import calendar
from datetime import date
from decimal import Decimal

from .. import clock
from ..domain.finance import CONSTRUCTION_ON, surplus
from ..domain.errors import RuleViolation
from .figures import funds_received, paid_until


def _month_end(period: str) -> date:
    year, month = map(int, period.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


def _paid(project, payments, last_day: date):
    """Payments up to `last_day`: summed from `payments` when the caller read them (the project page)."""
    if payments is None:
        return paid_until(project.id, last_day)
    return sum((p.amount for p in payments if p.paid_on <= last_day), Decimal("0"))


def progress(project, forms, variances, payments=None) -> dict:
    """The progress form's 累计支出 from the payments so far (unless the form was refused and kept),
    and the latest report's spent against the payments up to its month's end. `payments`: the
    project's payments when the caller read them already."""
    paid = _paid(project, payments, clock.today())
    if "progress" not in forms and paid:
        forms["progress"].spent.data = f"{paid:.2f}"
    latest = None
    if variances:
        report = variances[-1][0]
        by_then = _paid(project, payments, _month_end(report.period))
        latest = {"period": report.period, "reported": report.spent, "paid": by_then, "difference": report.spent - by_then}
    return {"paid_to_date": paid, "spent_vs_paid": latest}


def settlement(project, forms, funds=None, payments=None) -> dict:
    """R-SURPLUS: funds received (the 省政府审定 funds) and paid (the payments), surplus = received − paid.
    `funds`, `payments`: the project's GovFund and Payment rows when the caller read them already."""
    if project.state not in CONSTRUCTION_ON:
        return {"settlement_prefill": {"surplus": None}}
    received = funds_received(project.id) if funds is None else sum((f.amount for f in funds), Decimal("0"))
    paid = _paid(project, payments, clock.today())
    if "settlement" not in forms:
        form = forms["settlement"]
        form.funds_received.data, form.spent.data = f"{received:.2f}", f"{paid:.2f}"
    try:
        left = surplus(received, paid)  # R-SURPLUS
    except RuleViolation:
        left = None
    return {"settlement_prefill": {"received": received, "paid": paid, "surplus": left}}
