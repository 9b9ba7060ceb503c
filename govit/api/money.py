"""The approval actions and the `budget-changes` endpoints of API.md (R-BUDGET-15)."""
from decimal import Decimal

from flask import g, jsonify, request

from ..approval import budget, returns, services as approval
from ..auth.access import load_project, require_role
from ..domain.errors import InvalidInput
from ..domain.money import MoneyError, format_money, parse_money
from ..domain.approval import MERGED_REASONS
from ..domain.budget import REASON_LABELS, STATUS_LABELS
from . import body, bp, inputs
from .resources import ACTIONS, parse_date


def money(data: dict, key: str, allow_zero: bool = False) -> Decimal:
    """A positive amount with two decimals, or 400 naming the field."""
    try:
        return parse_money(data.get(key, ""), allow_zero=allow_zero)
    except MoneyError as exc:
        raise InvalidInput({key: str(exc)}) from None


def _funds(data: dict) -> list[tuple[str, Decimal]]:
    return inputs.each(data, "funds", "[{source, amount}]",
                       lambda f: (inputs.text(f, "source", 100).strip() or "未填写", money(f, "amount")), required=True)


ACTIONS.update({
    "submit_feasibility": lambda u, p, d: approval.submit_feasibility(
        u, p, inputs.choice(d, "merged_reason", MERGED_REASONS) if d.get("merged_reason") else None),
    "approve_feasibility": lambda u, p, d: approval.approve_feasibility(
        u, p, inputs.text(d, "doc_no", 100), parse_date(d, "approved_on"), money(d, "approved_investment"),
        inputs.flag(d, "merge_accepted", True)),  # R-MERGED
    "submit_design": lambda u, p, d: approval.submit_design(
        u, p, money(d, "estimate"), inputs.flag(d, "content_changed", False)),  # R-DESIGN-DEVIATION
    "send_back_to_feasibility": lambda u, p, d: approval.send_back_to_feasibility(u, p, inputs.text(d, "reason")),
    "return_to_feasibility": lambda u, p, d: approval.send_back_to_feasibility(u, p, inputs.text(d, "reason")),
    "decide_deviation": lambda u, p, d: approval.decide_deviation(
        u, p, inputs.flag(d, "refeasibility"), inputs.text(d, "reason")),
    # R-RETURN
    "return": lambda u, p, d: returns.return_submission(u, p, inputs.strings(d, "reasons", single=False)),
    "refuse": lambda u, p, d: returns.refuse(u, p, inputs.text(d, "reason")),
    "appeal": lambda u, p, d: returns.appeal(u, p, inputs.text(d, "reason")),
    "decide_appeal": lambda u, p, d: returns.decide_appeal(u, p, inputs.flag(d, "uphold"), inputs.text(d, "reason")),
    "approve_design": lambda u, p, d: approval.approve_design(
        u, p, inputs.text(d, "doc_no", 100), parse_date(d, "approved_on"), money(d, "approved_estimate")),
    "record_gov_approval": lambda u, p, d: approval.record_gov_approval(
        u, p, inputs.text(d, "doc_no", 100), parse_date(d, "approved_on"), _funds(d)),
    "record_settlement": lambda u, p, d: budget.record_settlement(
        u, p, parse_date(d, "settled_on"), money(d, "funds_received"), money(d, "spent", allow_zero=True)),
    "record_surplus_return": lambda u, p, d: budget.record_surplus_return(
        u, p, parse_date(d, "returned_on"), money(d, "amount", allow_zero=True), inputs.text(d, "doc", 100)),
})


def change_json(change) -> dict:
    return {"id": change.id, "project_id": change.project_id, "department": change.project.department.code,
            "amount": format_money(change.amount), "total_before": format_money(change.total_before),
            "new_total": format_money(change.new_total), "reason_category": change.reason_category,
            "content": change.content, "goal_kept": change.goal_kept, "status": change.status,
            "cumulative_self_filed": format_money(change.cumulative_self_filed),
            "cumulative_percent": str(budget.cumulative_percent(change.project)),
            "needs_approval_because": change.needs_approval_because, "filed_on": change.filed_on.isoformat(),
            "planner_approved": change.planner_approved_on is not None,
            "finance_approved": change.finance_approved_on is not None}


@bp.post("/projects/<int:project_id>/budget-changes")
def file_budget_change(project_id: int):
    project, data = load_project(project_id, g.api_user), body()
    change = budget.file_budget_change(g.api_user, project, money(data, "amount"), money(data, "new_total"),
                                       inputs.choice(data, "reason_category", REASON_LABELS),
                                       inputs.text(data, "content"), inputs.flag(data, "goal_kept", True))
    return jsonify(change_json(change)), 201


@bp.get("/budget-changes")
def list_budget_changes():
    require_role(g.api_user, "finance", "planner", "auditor")
    args = request.args
    found = budget.register(inputs.query_choice(args, "status", STATUS_LABELS), args.get("department") or None,
                            inputs.query_int(args, "year"))
    return jsonify([change_json(c) for c in found])


@bp.post("/budget-changes/<int:change_id>/actions/<decision>")
def decide_budget_change(change_id: int, decision: str):
    if decision not in ("approve", "reject"):
        raise InvalidInput({"decision": "应为 approve 或 reject"})
    change = budget.get_change(change_id)
    data = body() if request.content_length else {}
    budget.decide_budget_change(g.api_user, change, decision == "approve", inputs.text(data, "note"))
    return jsonify(change_json(change))
