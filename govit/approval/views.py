"""Web pages of approval and money: the project's approval panel and finance's register."""

import pandas as pd
from flask import Blueprint, Response, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from .. import clock
from ..auth.access import load_project, require_role
from ..domain.approval import MERGED_REASONS, STAGE_LABELS, review_stage
from ..domain.budget import REASON_LABELS, STATUS_LABELS
from ..domain.errors import InvalidInput, NotFound
from ..domain.money import MoneyError, parse_money
from ..finance import prefill
from ..formkit import LazyForms, row_int, submit
from ..planning.queries import paginate
from ..planning.views import render_project
from ..reports.cells import frame_xlsx
from . import budget, returns, services
from .forms import (AppealDecisionForm, AppealForm, BudgetChangeForm, ChangeDecisionForm, DecisionForm, DesignForm,
                    DeviationForm, FeasibilityForm, GovApprovalForm, ReasonForm,
                    RefuseForm, ReturnForm, SendBackForm, SettlementForm)

bp = Blueprint("approval", __name__)
FORMS = {"feasibility": FeasibilityForm, "decision": DecisionForm, "design": DesignForm, "reason": ReasonForm,
         "gov": GovApprovalForm, "change": BudgetChangeForm, "change_decision": ChangeDecisionForm,
         "settlement": SettlementForm, "surplus": ReturnForm,
         "deviation": DeviationForm, "send_back": SendBackForm, "refuse": RefuseForm, "appeal": AppealForm,
         "appeal_decision": AppealDecisionForm}


@bp.before_request
@login_required
def require_login():
    """Every page needs a signed-in user."""


def amount(field) -> object:
    """The field's text as Decimal yuan; a malformed amount is a 400 beside the field."""
    try:
        return parse_money(field.data, allow_zero=False)
    except MoneyError as exc:
        raise InvalidInput({field.short_name: str(exc)}) from None


def panel_context(project, **given) -> dict:
    """What the approval panel of the project page shows (included by planning.views)."""
    forms = LazyForms(FORMS, given)
    decisions = returns.decisions(project)  # R-RETURN: each round's return or refusal, and the appeal
    refused = [d for d in decisions if d.kind == "refuse"]
    refusal = refused[-1] if refused and project.state == "terminated" else None
    return {**prefill.settlement(project, forms),  # issue 22: R-SURPLUS from the payments
            "approval_forms": forms, "baselines": services.baselines(project), "records": services.records(project),
            "funds": services.funds_of(project), "changes": budget.register_for(project),
            "current_total": budget.current_total(project) if project.approved_estimate else None,
            "cumulative_percent": budget.cumulative_percent(project) if project.approved_estimate else None,
            "settlement": budget.settlement_of(project), "design_due": services.design_due(project),
            "merged_reasons": MERGED_REASONS, "reason_labels": REASON_LABELS,
            "status_labels": STATUS_LABELS, "decisions": decisions, "refusal": refusal,
            "appeal_due": returns.appeal_due(refusal).due_on if refusal else None,
            "appeal_open": bool(refusal and refusal.appealed_on is None
                                and clock.today() <= returns.appeal_due(refusal).due_on),
            "review_stage": review_stage(project.state, bool(project.merged_reason)), "stage_labels": STAGE_LABELS}


def _step(project_id: int, key: str, call, done: str, target: str | None = None):
    """Validate the form, call one service, or show the project page again with the form kept."""
    project = load_project(project_id)
    form = FORMS[key](prefix=key)
    target = target or url_for("planning.project", project_id=project.id, _anchor="approval")
    return submit(form, lambda: call(project, form), done, target) or render_project(project, 400, **{key: form})


STEPS = {  # url step -> (form key, call, message)
    "submit_feasibility": ("feasibility", lambda p, f: services.submit_feasibility(
        current_user, p, f.merged_reason.data or None), "可行性研究报告已报送发改委"),
    "approve_feasibility": ("decision", lambda p, f: services.approve_feasibility(
        current_user, p, f.doc_no.data, f.approved_on.data, amount(f.amount), f.merge_accepted.data != "no"),
        "可研已批复"),
    "submit_design": ("design", lambda p, f: services.submit_design(
        current_user, p, amount(f.estimate), f.content_changed.data), "初步设计已报送"),
    "return_to_feasibility": ("reason", lambda p, f: services.send_back_to_feasibility(
        current_user, p, f.reason.data), "已退回重新报批可研"),
    "send_back_to_feasibility": ("reason", lambda p, f: services.send_back_to_feasibility(
        current_user, p, f.reason.data), "已退回重新报批可研"),
    "decide_deviation": ("deviation", lambda p, f: services.decide_deviation(
        current_user, p, f.refeasibility.data == "yes", f.reason.data), "决定已记录"),
    "return": ("send_back", lambda p, f: returns.return_submission(current_user, p, f.reasons.data),
               "已退回建设单位修改，已告知建设单位"),
    "refuse": ("refuse", lambda p, f: returns.refuse(current_user, p, f.reason.data), "已不予批准，已告知建设单位"),
    "appeal": ("appeal", lambda p, f: returns.appeal(current_user, p, f.reason.data), "申诉已提交省营商环境局"),
    "decide_appeal": ("appeal_decision", lambda p, f: returns.decide_appeal(
        current_user, p, f.uphold.data == "yes", f.reason.data), "申诉决定已记录"),
    "approve_design": ("decision", lambda p, f: services.approve_design(
        current_user, p, f.doc_no.data, f.approved_on.data, amount(f.amount)), "初步设计和概算已批复"),
    "record_gov_approval": ("gov", lambda p, f: services.record_gov_approval(
        current_user, p, f.doc_no.data, f.approved_on.data,
        [(row.source.data.strip(), amount(row.amount)) for row in f.funds if (row.source.data or "").strip()]),
        "省政府审定已登记，项目进入建设"),
    "file_budget_change": ("change", lambda p, f: budget.file_budget_change(
        current_user, p, amount(f.amount), amount(f.new_total), f.reason_category.data, f.content.data,
        f.goal_kept.data), "预算调整已提交"),
    "record_settlement": ("settlement", lambda p, f: budget.record_settlement(
        current_user, p, f.settled_on.data, amount(f.funds_received), parse_money(f.spent.data or "0")),
        "结算已登记"),
    "record_surplus_return": ("surplus", lambda p, f: budget.record_surplus_return(
        current_user, p, f.returned_on.data, amount(f.amount), f.doc.data), "结余资金上缴已登记"),
}


@bp.post("/projects/<int:project_id>/approval/<step>")
def step(project_id: int, step: str):
    if step not in STEPS:
        raise NotFound("没有该操作")
    key, call, done = STEPS[step]
    return _step(project_id, key, call, done)


@bp.post("/budget-changes/<int:change_id>/<decision>")
def decide(change_id: int, decision: str):
    change = budget.get_change(change_id)
    if decision not in ("approve", "reject"):
        raise NotFound("没有该操作")
    load_project(change.project_id)
    project = load_project(change.project_id)
    if request.args.get("next") != "register":
        return _step(change.project_id, "change_decision", lambda p, f: budget.decide_budget_change(
            current_user, change, decision == "approve", f.note.data), "审批意见已记录")
    # issue 19 (finding 9): from the register, a refusal without a reason stays on the register
    form = ChangeDecisionForm(prefix="change_decision")
    return submit(form, lambda: budget.decide_budget_change(current_user, change, decision == "approve",
                                                            form.note.data),
                  "审批意见已记录", url_for("approval.register", status="pending")) or \
        _register_page(MultiDict({"status": "pending"}), 400, refused=(change.id, form), project=project)


def _filtered():
    args = request.args
    return budget.register(args.get("status") or None, args.get("department") or None,
                           args.get("year", type=row_int)), args


@bp.get("/budget-changes")
def register():
    """Finance's register: every change, its status and each project's cumulative % against 15%."""
    require_role(current_user, "finance", "planner", "auditor")
    return _register_page(request.args)


def _register_page(args, status: int = 200, refused=None, project=None):
    """The register; `refused`: (change id, form) of a decision refused, shown on its row."""
    page = paginate(budget.register_query(args.get("status") or None, args.get("department") or None,
                                          args.get("year", type=row_int)), args.get("page", 1, type=row_int))
    return render_template("approval/register.html", rows=budget.register_rows(page.items, page=True), args=args,
                           status_labels=STATUS_LABELS, changes=page.items, page=page, refused=refused,
                           refused_project=project), status


@bp.get("/budget-changes/export.xlsx")
def register_xlsx():
    require_role(current_user, "finance", "planner", "auditor")
    changes, _ = _filtered()
    frame = pd.DataFrame(budget.register_rows(changes))
    if not frame.empty:
        frame["状态"] = frame["状态"].map(STATUS_LABELS)
    return Response(frame_xlsx(frame, "预算调整登记簿"),  # names typed by users stay text (issue 15)
                    headers={"Content-Disposition": "attachment; filename=budget-changes.xlsx"},
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
