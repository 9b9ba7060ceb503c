"""The demo's earlier years come in through a ledger (issue 20): the 2025 round's projects, as their
departments' 台账 held them when govit went live in April 2025 (all in construction), made from the
demo's data file (govit/demo_data.py) and imported through the same services as any ledger."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..demo_data import DEPARTMENTS, TWO_YEARS_AGO
from ..extensions import db
from ..models import Project
from .sample import ledger_bytes

PLAN_DOC, PLAN_APPROVED = "黑政函〔2024〕97号", date(2024, 10, 30)
STEPS = {"feas_submitted_on": date(2025, 1, 9), "feas_approved_on": date(2025, 2, 5),
         "design_submitted_on": date(2025, 2, 15), "design_approved_on": date(2025, 3, 7),
         "gov_approved_on": date(2025, 3, 21)}


def demo_rows() -> list[dict]:
    """One ledger row per project of the 2025 round, in construction since the 省政府审定 of March 2025."""
    from ..demo import _values  # the demo's own proposal text, so the story reads the same
    rows = []
    for serial, entry in enumerate(TWO_YEARS_AGO, start=1):
        v = _values(entry, 2025)
        total = Decimal(v["total_investment"])
        rows.append({
            **{k: v[k] for k in ("name", "construction_type", "basis", "content_scale", "technical_route",
                                 "online_code", "performance_goals", "start_month", "end_month", "fund_source",
                                 "data_catalog", "cloud_plan", "protection_plan", "security_plan",
                                 "product_reliability", "crypto_plan")},
            "ledger_id": f"{entry[0]}-2025-{serial:02d}", "department": entry[0], "stage": "in_construction",
            "plan_year": 2025, "plan_doc_no": PLAN_DOC, "plan_approved_on": PLAN_APPROVED, "network": "extranet",
            "classified": False, "total_investment": total,
            "annual": {y: Decimal(a) for y, a in v["annual_investments"].items()}, **STEPS,
            "feas_doc_no": f"黑发改审批〔2025〕{serial}号", "approved_investment": total, "estimate": total,
            "design_doc_no": f"黑营商审〔2025〕{serial}号", "gov_doc_no": f"黑政审〔2025〕{serial}号", "gov_funds": total,
        })
    return rows


def demo_ledger() -> bytes:
    return ledger_bytes(demo_rows(), list(DEPARTMENTS.items()))


def import_demo_ledger(planner) -> list[Project]:
    """Import the demo's ledger as the planner; the projects in the data file's order."""
    from .services import import_ledger
    import_ledger(planner, demo_ledger(), "2025年度项目台账.xlsx")
    names = [entry[1] for entry in TWO_YEARS_AGO]
    found = {p.name: p for p in db.session.execute(select(Project).where(Project.name.in_(names))).unique().scalars()}
    return [found[name] for name in names]
