"""Web pages of money actually paid: the project's 资金执行 panel, its three forms, finance's
execution dashboard with charts, and the contract and payment registers with their Excel export."""
from decimal import Decimal

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import clock
from ..auth.access import load_project
from ..domain import finance as rules
from ..domain.errors import InvalidInput, NotFound, RuleViolation
from ..formkit import amount, row_int, show_errors, submit
from ..models import Department
from ..project_page import contribute, render_project
from ..reports.charts import bar_chart_png
from ..reports.styled import xlsx_response
from ..extensions import db
from . import figures, imports, panels, registers, services
from .forms import ContractForm, ImportForm, PaymentForm, ProcurementForm

bp = Blueprint("finance", __name__)
contribute(bp, *panels.PANELS)  # the 资金执行 panel of the project page, in 审批与资金 (issue 19, 24)
FORMS = {"procurement": ProcurementForm, "contract": ContractForm, "payment": PaymentForm}
DEPARTMENT_ROLES = ("applicant", "dept_admin")


@bp.before_request
@login_required
def require_login():
    """Every page needs a signed-in user."""


def _milestones(form) -> list[services.Milestone]:
    found = []
    for row in form.milestones:
        if not (row.amount.data or "").strip():
            continue
        if row.due_on.data is None:
            raise InvalidInput({"milestones": f"第 {len(found) + 1} 期请填写计划付款日期"})
        found.append(services.Milestone(row.title.data or "", amount(row.amount), row.due_on.data))
    return found


def _contract_id(form) -> int:
    """One of the offered contracts (the field skips WTForms' choice check), else a field error."""
    if form.contract.data not in {value for value, _ in form.contract.choices or ()}:
        raise InvalidInput({"contract": "请选择合同"})
    return int(form.contract.data)


STEPS = {  # url step -> (form key, call, message)
    "procurements": ("procurement", lambda p, f: services.record_procurement(
        current_user, p, f.method.data, f.number.data, f.procured_on.data, f.supplier.data, f.supplier_code.data,
        amount(f.amount), f.classified.data), "采购已登记"),
    "contracts": ("contract", lambda p, f: services.sign_contract(
        current_user, p, f.number.data, f.kind.data, f.supplier.data, f.supplier_code.data, amount(f.amount),
        f.signed_on.data, f.ip_clause.data, _milestones(f)), "合同已登记"),
    "payments": ("payment", lambda p, f: services.record_payment(
        current_user, p, _contract_id(f), f.seq.data,
        f.voucher.data, f.paid_on.data, amount(f.amount), f.over_reason.data), "支付已登记"),
}


@bp.post("/projects/<int:project_id>/finance/<step>")
def step(project_id: int, step: str):
    """One of the panel's forms; a refusal keeps what was typed, beside the panel."""
    if step not in STEPS:
        raise NotFound("没有该操作")
    key, call, done = STEPS[step]
    project = load_project(project_id)
    form = FORMS[key](prefix=key)
    if key == "payment":
        form.contract.choices = [(str(c.id), c.number) for c in services.contracts_of(project)]
    target = url_for("planning.project", project_id=project.id, _anchor="finance")
    result = submit(form, lambda: call(project, form), done, target)
    if result is not None:
        return result
    g.finance_forms = {key: form}
    return render_project(project, 400)


# ---- finance's pages ----------------------------------------------------------------------------

def _filters() -> registers.Filters:
    args = request.args
    kind = args.get("kind") or None
    return registers.Filters(year=args.get("year", type=row_int), month=args.get("month", type=row_int),
                             department=args.get("department") or None, project=args.get("project", type=row_int),
                             kind=kind if kind in rules.CONTRACT_KINDS else None,
                             fund_source=args.get("fund_source") or None, contract=args.get("contract", type=row_int))


def _own_department() -> int | None:
    return current_user.department_id if current_user.role in DEPARTMENT_ROLES else None


def _execution():
    year = rules.check_year(request.args.get("year", type=row_int) or clock.today().year)  # bad year: 400
    return figures.execution(year, request.args.get("department") or None, _own_department())


def _bad_year(err: InvalidInput):
    return render_template("error.html", status=400, message=err.fields.get("year", err.message)), 400


@bp.get("/finance/execution")
def dashboard():
    """R-EXECUTION: budget, contracted, paid, rate and left, per project, department and the province."""
    try:
        result = _execution()
    except InvalidInput as err:
        return _bad_year(err)
    ids = [r.project.id for r in result.projects]
    points = rules.parse_thresholds(current_app.config["GOVIT_EXECUTION_THRESHOLDS"])
    return render_template("finance/dashboard.html", result=result, months=figures.paid_by_month(result.year, ids),
                           sources=figures.by_fund_source(result.year, ids), args=request.args, points=points,
                           behind={r.project.id: rules.missed_checkpoint(clock.today(), result.year, r.paid, r.budget,
                                                                          points) for r in result.projects},
                           departments=db.session.query(Department).order_by(Department.code).all(),
                           charts=current_user.role not in DEPARTMENT_ROLES)  # province-wide charts: the authorities


@bp.get("/finance/execution/<chart>.png")
def chart(chart: str):
    try:
        result = _execution()
    except InvalidInput as err:
        return _bad_year(err)
    ids = [r.project.id for r in result.projects]
    if chart == "departments":
        png = bar_chart_png(f"{result.year} 年各部门资金执行率", {
            name: f.rate or Decimal("0") for name, f in result.departments.items()}, unit="%")
    elif chart == "sources":
        png = bar_chart_png(f"{result.year} 年按资金来源支付", {
            s: f.paid / 10000 for s, f in figures.by_fund_source(result.year, ids).items()})
    elif chart == "months":
        png = bar_chart_png(f"{result.year} 年按月支付", {
            f"{m} 月": v / 10000 for m, v in figures.paid_by_month(result.year, ids).items()}, keep_order=True)
    else:
        raise NotFound("没有该图表")
    return Response(png, mimetype="image/png")


@bp.get("/finance/contracts")
def contract_register():
    found = registers.contracts(current_user, _filters())
    return render_template("finance/contracts.html", contracts=found, args=request.args, kinds=rules.CONTRACT_KINDS,
                           total=sum((c.amount for c in found), Decimal("0")))


@bp.get("/finance/contracts.xlsx")
def contract_register_xlsx():
    rows = registers.contract_rows(registers.contracts(current_user, _filters()))
    return xlsx_response(registers.xlsx(rows, "contracts"), "contracts.xlsx")


@bp.get("/finance/payments")
def payment_register(status: int = 200, form=None):
    found = registers.payments(current_user, _filters())
    return render_template("finance/payments.html", payments=found, args=request.args,
                           total=sum((p.amount for p in found), Decimal("0")), import_form=form or ImportForm(),
                           columns=imports.COLUMNS), status


@bp.get("/finance/payments.xlsx")
def payment_register_xlsx():
    rows = registers.payment_rows(registers.payments(current_user, _filters()))
    return xlsx_response(registers.xlsx(rows, "payments"), "payments.xlsx")


@bp.post("/finance/payments/import")
def import_payments():
    """R-PAYMENT-VOUCHER: finance's CSV, all rows or none; the same voucher twice changes nothing."""
    form = ImportForm()
    upload = request.files.get("file")
    if not form.validate_on_submit():
        return payment_register(400, form)
    try:
        if upload is None or not upload.filename:
            raise InvalidInput({"file": "请选择 CSV 文件"})
        result = imports.import_payments(current_user, upload.read())
    except RuleViolation as err:
        show_errors(form, err)  # each bad line, by its number in the file
        return payment_register(400, form)
    flash(f"已导入 {result.created} 笔支付；{result.skipped} 笔凭证号已登记，未重复导入", "success")
    return redirect(url_for("finance.payment_register"))
