"""Procurements, contracts, payments and execution figures over the API (issue 22)."""
from flask import g, jsonify, request

from ..auth.access import load_project
from ..domain.finance import CONTRACT_KINDS, PROCUREMENT_METHODS
from ..domain.money import format_money
from ..finance import figures, registers, services
from . import body, bp, inputs
from .money import money
from .resources import parse_date


def _procurement_json(row: dict) -> dict:
    out = {"id": row["id"], "method": row["method_code"], "procured_on": row["procured_on"].isoformat(),
           "classified": row["classified"]}
    if not row["hidden"]:  # 第二十一条: a 涉密 procurement's details only for the department and the authorities
        out.update(number=row["number"], supplier=row["supplier"], supplier_code=row["supplier_code"],
                   amount=format_money(row["amount"]))
    return out


def contract_json(c) -> dict:
    return {"id": c.id, "project_id": c.project_id, "number": c.number, "kind": c.kind, "supplier": c.supplier,
            "supplier_code": c.supplier_code, "amount": format_money(c.amount), "signed_on": c.signed_on.isoformat(),
            "ip_clause": c.ip_clause, "milestones": [{"seq": m.seq, "name": m.name, "amount": format_money(m.amount),
                                                      "due_on": m.due_on.isoformat()} for m in c.milestones]}


def payment_json(p) -> dict:
    return {"id": p.id, "project_id": p.project_id, "contract_id": p.contract_id, "milestone": p.milestone.seq,
            "voucher": p.voucher, "paid_on": p.paid_on.isoformat(), "amount": format_money(p.amount),
            "fund_source": p.fund_source, "over_reason": p.over_reason, "source": p.source}


@bp.get("/projects/<int:project_id>/procurements")
def list_procurements(project_id: int):
    project = load_project(project_id, g.api_user)
    return jsonify([_procurement_json(r) for r in registers.procurements(g.api_user, project)])


@bp.post("/projects/<int:project_id>/procurements")
def record_procurement(project_id: int):
    project, data = load_project(project_id, g.api_user), body()
    row = services.record_procurement(
        g.api_user, project, inputs.choice(data, "method", PROCUREMENT_METHODS), inputs.text(data, "number", 100),
        parse_date(data, "procured_on"), inputs.text(data, "supplier", 200), inputs.text(data, "supplier_code", 40),
        money(data, "amount"), inputs.flag(data, "classified", False))
    return jsonify(_procurement_json(next(r for r in registers.procurements(g.api_user, project)
                                          if r["id"] == row.id))), 201


@bp.get("/projects/<int:project_id>/contracts")
def list_contracts(project_id: int):
    project = load_project(project_id, g.api_user)
    hidden = services.hidden_contracts(g.api_user, project)  # 第二十一条: a 涉密 procurement's contract
    return jsonify([{"id": c.id, "project_id": c.project_id, "kind": c.kind, "signed_on": c.signed_on.isoformat(),
                     "classified": True} if c.id in hidden else contract_json(c)
                    for c in services.contracts_of(project)])


def _milestone(item: dict) -> services.Milestone:
    return services.Milestone(inputs.text(item, "name", 100), money(item, "amount"), parse_date(item, "due_on"))


@bp.post("/projects/<int:project_id>/contracts")
def sign_contract(project_id: int):
    """R-CONTRACT-ESTIMATE: 409 naming the figures when the contracts would pass the 概算."""
    project, data = load_project(project_id, g.api_user), body()
    procurement = inputs.row_id(data, "procurement_id") if data.get("procurement_id") is not None else None
    row = services.sign_contract(
        g.api_user, project, inputs.text(data, "number", 100), inputs.choice(data, "kind", CONTRACT_KINDS),
        inputs.text(data, "supplier", 200), inputs.text(data, "supplier_code", 40), money(data, "amount"),
        parse_date(data, "signed_on"), inputs.flag(data, "ip_clause", False),
        inputs.each(data, "milestones", "[{name, amount, due_on}]", _milestone, required=True), procurement)
    return jsonify(contract_json(row)), 201


@bp.get("/projects/<int:project_id>/payments")
def list_payments(project_id: int):
    project = load_project(project_id, g.api_user)
    hidden = services.hidden_contracts(g.api_user, project)  # 第二十一条: nor the payments of such a contract
    return jsonify([payment_json(p) for p in services.payments_of(project) if p.contract_id not in hidden])


@bp.post("/projects/<int:project_id>/payments")
def record_payment(project_id: int):
    """第二十七条: one 国库集中支付 payment; the same voucher with the same figures changes nothing."""
    project, data = load_project(project_id, g.api_user), body()
    row = services.record_payment(
        g.api_user, project, inputs.row_id(data, "contract_id"), inputs.row_id(data, "milestone"),
        inputs.text(data, "voucher", 64), parse_date(data, "paid_on"), money(data, "amount"),
        inputs.text(data, "over_reason"), inputs.text(data, "fund_source", 100))
    return jsonify(payment_json(row)), 201


def figures_json(f) -> dict:
    return {"budget": format_money(f.budget), "contracted": format_money(f.contracted), "paid": format_money(f.paid),
            "rate": None if f.rate is None else str(f.rate), "left": format_money(f.left)}


@bp.get("/execution")
def execution():
    """R-EXECUTION: the year's figures per project, department and the province (departments: their own)."""
    from .. import clock
    year = inputs.query_year(request.args, "year") or clock.today().year
    own = g.api_user.department_id if g.api_user.role in ("applicant", "dept_admin") else None
    result = figures.execution(year, request.args.get("department") or None, own)
    return jsonify({"year": year, "province": figures_json(result.province),
                    "departments": [{"department": name, **figures_json(f)} for name, f in result.departments.items()],
                    "projects": [{"project_id": r.project.id, "name": r.project.name,
                                  "department": r.project.department.code, "supervision_missing": r.supervision_missing,
                                  **figures_json(r)} for r in result.projects]})
