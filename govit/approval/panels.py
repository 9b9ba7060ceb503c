"""The approval stage's panel of the project page: approvals, returns and appeals, money (第三、四章)."""
from decimal import Decimal

from flask_login import current_user

from .. import clock
from ..domain.approval import MERGED_REASONS, STAGE_LABELS, review_stage
from ..domain.budget import APPROVED, FILED, REASON_LABELS, STATUS_LABELS
from ..domain.finance import CONSTRUCTION_ON
from ..finance import panels as finance_panels
from ..finance import prefill
from ..formkit import LazyForms
from ..project_page import Action, Panel
from . import budget, returns, services
from .forms import (AppealDecisionForm, AppealForm, BudgetChangeForm, ChangeDecisionForm, DecisionForm, DesignForm,
                    DeviationForm, FeasibilityForm, GovApprovalForm, ReasonForm, RefuseForm, ReturnForm, SendBackForm,
                    SettlementForm)

FORMS = {"feasibility": FeasibilityForm, "decision": DecisionForm, "design": DesignForm, "reason": ReasonForm,
         "gov": GovApprovalForm, "change": BudgetChangeForm, "change_decision": ChangeDecisionForm,
         "settlement": SettlementForm, "surplus": ReturnForm,
         "deviation": DeviationForm, "send_back": SendBackForm, "refuse": RefuseForm, "appeal": AppealForm,
         "appeal_decision": AppealDecisionForm}
STAGE_ONE = frozenset({"draft", "joint_review", "supplement_requested", "review_passed", "review_failed"})
BUILT = frozenset({"in_construction", "suspended", "completed", "acceptance_review", "in_operation",
                   "self_evaluated", "closed"})


def panel_context(project, page, given) -> dict | None:
    """What the approval panel shows, from the plan on."""
    if project.state in STAGE_ONE:
        return None
    decisions = returns.decisions(project)  # R-RETURN: each round's return or refusal, and the appeal
    refused = [d for d in decisions if d.kind == "refuse"]
    refusal = refused[-1] if refused and project.state == "terminated" else None
    # issue 24: each kind of record read once for the page (the finance panel sums the same rows)
    records, funds = finance_panels.approval_records(project, page), finance_panels.gov_funds(project, page)
    baselines, changes = services.baselines(project), budget.register_for(project)
    paid = finance_panels.payments(project, page) if project.state in CONSTRUCTION_ON else None
    forms = LazyForms(FORMS, given)
    money = _budget_figures(project, baselines, changes) if project.approved_estimate else {}
    return {**prefill.settlement(project, forms, funds, paid),  # issue 22: R-SURPLUS from the payments
            "approval_forms": forms, "baselines": baselines, "records": records, "funds": funds, "changes": changes,
            "current_total": money.get("current_total"), "cumulative_percent": money.get("cumulative_percent"),
            "settlement": budget.settlement_of(project), "design_due": services.design_due(project),
            "merged_reasons": MERGED_REASONS, "reason_labels": REASON_LABELS,
            "status_labels": STATUS_LABELS, "decisions": decisions, "refusal": refusal,
            "appeal_due": returns.appeal_due(refusal).due_on if refusal else None,
            "appeal_open": bool(refusal and refusal.appealed_on is None
                                and clock.today() <= returns.appeal_due(refusal).due_on),
            "review_stage": review_stage(project.state, bool(project.merged_reason)), "stage_labels": STAGE_LABELS,
            "money_shown": project.approved_estimate is not None and project.state in BUILT,
            # the stepper: construction starts on the day the province's approval is recorded
            "stage_dates": {**page["stage_dates"], **{"construction": r.approved_on for r in records
                                                      if r.kind == "gov"}}}


def _budget_figures(project, baselines: list, changes: list) -> dict:
    """budget.current_total and budget.cumulative_percent from the baselines and changes the panel
    read (the same rules: R-BASELINE, R-BUDGET-15), without reading them again."""
    approved = baselines[-1].total if baselines else (project.approved_estimate or Decimal("0"))
    current = next((c.new_total for c in reversed(changes) if c.status in (FILED, APPROVED)), approved)
    version = baselines[-1].version if baselines else 1  # budget.self_filed_totals: since the current baseline
    filed = sum((c.amount for c in changes if c.status == FILED and c.baseline_version == version), Decimal("0"))
    return {"current_total": current, "cumulative_percent": budget.cumulative_percent(project, filed, approved)}


def _approver_of_design(project, role: str) -> bool:
    return (role == "intranet" and project.network == "intranet") or (role == "planner" and project.network != "intranet")


def _lead(project) -> bool:
    return current_user.role in ("applicant", "dept_admin") and current_user.department_id == project.department_id


# (state, who may act, action): the approval steps the viewer takes from the panel (anchor #approval)
STEPS = (
    ("planned", lambda p, role: _lead(p), Action(
        "报送可行性研究报告", "项目已列入年度计划，上传可研报告等材料后报送发改委审批（第十五条）。", "approval")),
    ("feasibility_review", lambda p, role: role == "ndrc", Action(
        "批复可研", "建设单位已报送可行性研究报告，请审批并登记批复文号和投资。", "approval")),
    ("feasibility_approved", lambda p, role: _lead(p) and not p.merged_reason, Action(
        "报送初步设计和概算", "可研已批复，请报送初步设计和投资概算（第十七条）。", "approval")),
    ("design_review", lambda p, role: _approver_of_design(p, role), Action(
        "批复初步设计和概算", "初步设计和概算须在 20 个工作日内批复（第十八条）。", "approval")),
    ("design_approved", lambda p, role: role == "planner", Action(
        "登记省政府审定", "初步设计已批复，登记省政府审定文号和资金来源后项目进入建设。", "approval")),
    ("feasibility_approved", lambda p, role: role == "planner" and bool(p.merged_reason), Action(
        "登记省政府审定", "可研与初步设计合并审批已批复，登记省政府审定后项目进入建设。", "approval")),
)


def panel_actions(project, page) -> list[Action]:
    role = current_user.role
    found = [action for state, may, action in STEPS if project.state == state and may(project, role)]
    if page["appeal_open"] and role == "dept_admin" and _lead(project):
        found.append(Action("提交申诉", f"可在 {page['appeal_due']:%Y-%m-%d} 前向省营商环境局申诉。", "approval"))
    refusal = page["refusal"]
    if refusal and refusal.appealed_on and not refusal.appeal_decided_on and role == "planner":
        found.append(Action("决定申诉", "建设单位已对不予批准提出申诉，请作出决定。", "approval"))
    if any(c.status == "pending" and ((role == "planner" and not c.planner_approved_on)
                                      or (role == "finance" and not c.finance_approved_on)) for c in page["changes"]):
        found.append(Action("审批预算调整", "有待您审批的预算调整（第二十八条）。", "budget"))
    settlement = page["settlement"]
    if role == "finance" and settlement and not settlement.returned_on and settlement.surplus > 0:
        found.append(Action("登记结余资金上缴", "项目已结算且有结余，请登记上缴（第二十七条）。", "settlement"))
    return found


PANELS = (Panel("approval", "approval-funds", 10, "approval/_panel.html", panel_context, panel_actions),)
