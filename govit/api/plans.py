"""The plan part of API.md: /plans, items, actions, export."""
from flask import Response, g, jsonify
from sqlalchemy import select

from ..auth.access import load_project
from ..domain.errors import NotFound
from ..domain.money import format_money
from ..domain.plan import compile_due
from ..extensions import db
from ..models import Plan
from ..planning import plans
from ..reports.plan_export import plan_workbook
from . import body, bp, inputs, optional_body
from .resources import parse_date, parse_id, parse_year

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plan_json(plan) -> dict:
    sums = plans.plan_totals(plan)
    return {
        "id": plan.id, "plan_year": plan.plan_year, "state": plan.state,
        "compile_due": compile_due(plan.plan_year).isoformat(), "doc_no": plan.doc_no or None,
        "approved_on": plan.approved_on.isoformat() if plan.approved_on else None,
        "finance_comment": plan.finance_comment,
        "items": [{"project_id": i.project_id, "name": i.project.name, "department": i.project.department.code,
                   "total_investment": format_money(i.project.total_investment), "urgent": i.urgent,
                   "finance_comment": i.finance_comment} for i in plan.items],
        "totals": {"total": format_money(sums["total"]),
                   "by_department": {k: format_money(v) for k, v in sums["department"].items()},
                   "by_fund_source": {k: format_money(v) for k, v in sums["fund_source"].items()},
                   "by_year": {str(k): format_money(v) for k, v in sums["year"].items()}},
        "urgent_insertions": [{"project_id": r.project_id, "basis": r.basis,
                               "planner_approved": r.planner_approved_on is not None,
                               "finance_approved": r.finance_approved_on is not None,
                               "doc_no": r.doc_no or None} for r in plans.insertions(plan)],
    }


@bp.get("/plans")
def list_plans():
    return jsonify([plan_json(p) for p in db.session.execute(select(Plan).order_by(Plan.plan_year)).scalars()])


@bp.post("/plans")
def create_plan():
    return jsonify(plan_json(plans.create_plan(g.api_user, parse_year(body())))), 201


@bp.get("/plans/<int:plan_id>")
def get_plan(plan_id: int):
    return jsonify(plan_json(plans.get_plan(plan_id)))


@bp.post("/plans/<int:plan_id>/items")
def add_item(plan_id: int):
    plan, data = plans.get_plan(plan_id), body()
    plans.add_item(g.api_user, plan, load_project(parse_id(data, "project_id"), g.api_user))
    return jsonify(plan_json(plan)), 201


def _project(data: dict):
    return load_project(parse_id(data, "project_id"), g.api_user)


ACTIONS = {
    "finance_check": lambda u, p, d: plans.finance_check(u, p, inputs.text(d, "comment")),
    "return_to_draft": lambda u, p, d: plans.return_to_draft(u, p, inputs.text(d, "comment")),
    "submit": lambda u, p, d: plans.submit_plan(u, p),
    "approve": lambda u, p, d: plans.approve_plan(u, p, inputs.text(d, "doc_no", 100), parse_date(d, "approved_on")),
    "insert_urgent": lambda u, p, d: plans.insert_urgent(u, p, _project(d), inputs.text(d, "basis")),
    "approve_insertion": lambda u, p, d: plans.approve_insertion(u, p, _project(d)),
    "record_insertion": lambda u, p, d: plans.record_insertion(u, p, _project(d), inputs.text(d, "doc_no", 100),
                                                              parse_date(d, "approved_on")),
}


@bp.post("/plans/<int:plan_id>/actions/<action>")
def plan_action(plan_id: int, action: str):
    plan = plans.get_plan(plan_id)
    if action not in ACTIONS:
        raise NotFound(f"动作“{action}”不存在；可用：{', '.join(ACTIONS)}")
    ACTIONS[action](g.api_user, plan, optional_body())
    return jsonify(plan_json(plan))


@bp.get("/plans/<int:plan_id>/export.xlsx")
def export_plan(plan_id: int):
    plan = plans.get_plan(plan_id)
    return Response(plan_workbook(plan), mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename=plan-{plan.plan_year}.xlsx"})
