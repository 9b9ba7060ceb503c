"""The construction stage's panels of the project page: construction, acceptance and evaluation
(第四至六章), and the 涉密 status confirmed by 保密办 (from the proposal on)."""
from flask_login import current_user

from ..calendar_store import load_calendar
from ..domain.acceptance import ACCEPTANCE_VERDICTS, CLASSIFIED_GRADES, missing_authorities
from ..domain.construction import INCIDENT_KINDS, INCIDENT_ORDERS, missing_prerequisites, self_eval_window
from ..domain.roles import ACCEPTANCE_AUTHORITY_OF_ROLE, ACCEPTANCE_LABELS
from ..finance import panels as finance_panels
from ..finance import prefill
from ..formkit import LazyForms
from ..project_page import Action, Panel
from . import evaluation, joint, services as construction
from .forms import (AcceptanceOpinionForm, AcceptForm, ClassificationForm, CompleteForm, ExtensionDecisionForm,
                    ExtensionForm, IncidentForm, NoteForm, OrderForm, PerformanceForm, PostEvaluationForm,
                    ProgressForm, RejectAcceptanceForm, SelfEvaluationForm)

FORMS = {"progress": ProgressForm, "performance": PerformanceForm, "incident": IncidentForm, "order": OrderForm,
         "note": NoteForm, "complete": CompleteForm, "extension": ExtensionForm,
         "extension_decision": ExtensionDecisionForm, "accept": AcceptForm, "self_eval": SelfEvaluationForm,
         "post_eval": PostEvaluationForm, "acceptance_opinion": AcceptanceOpinionForm,
         "reject_acceptance": RejectAcceptanceForm, "classification": ClassificationForm}
BUILT = frozenset({"in_construction", "suspended", "completed", "acceptance_review", "in_operation",
                   "self_evaluated", "closed"})
# what exists only from a stage on: extensions are asked for (and shown) while completed; evaluations
# are filed from operation on (a terminated project keeps what it had)
EXTENDING = frozenset({"completed"})
EVALUATED = frozenset({"in_operation", "self_evaluated", "closed", "terminated"})


def _lead(project) -> bool:
    return current_user.role in ("applicant", "dept_admin") and current_user.department_id == project.department_id


def panel_context(project, page, given) -> dict | None:
    """What the construction panel shows; the budget is the one the approval panel read already."""
    if project.state not in BUILT and project.state != "terminated":
        return None
    variances = construction.variances(project, page.get("current_total"))
    forms = _forms(page, given)
    return {"build_forms": forms, "variances": variances,
            "latest_variance": variances[-1][1] if variances else None,
            "performance_reports": construction.performance_reports(project),
            "incidents": construction.incidents(project), "incident_kinds": INCIDENT_KINDS,
            "incident_orders": INCIDENT_ORDERS, "acceptance_due": evaluation.acceptance_due_of(project),
            "extensions": evaluation.extensions(project) if project.state in EXTENDING else [],
            "missing_prereqs": missing_prerequisites({d.kind for d in project.documents}, project.classified),
            "self_window": self_eval_window(project.live_on, project.accepted_on, load_calendar()) if project.live_on else None,
            "predicted": lambda day: not load_calendar().is_confirmed(day),  # R-CAL-PREDICT
            "evaluations": evaluation.evaluations(project) if project.state in EVALUATED else {},
            **_joint_context(project),
            **prefill.progress(project, forms, variances, finance_panels.payments(project, page))}  # issue 22: spent from payments


def _forms(page: dict, given: dict) -> LazyForms:
    if "build_forms" not in page:
        page["build_forms"] = LazyForms(FORMS, given)
    return page["build_forms"]


def _joint_context(project) -> dict:
    """R-JOINT-ACCEPT: the current application's opinions, who is still to answer, and the caller's part."""
    given = joint.acceptance_opinions(project) if project.acceptance_application else {}
    return {"acceptance_opinions": given, "acceptance_labels": ACCEPTANCE_LABELS,
            "acceptance_verdicts": ACCEPTANCE_VERDICTS, "classified_grades": CLASSIFIED_GRADES,
            "acceptance_missing": missing_authorities(given, project.classified),
            "my_acceptance_authority": ACCEPTANCE_AUTHORITY_OF_ROLE.get(current_user.role),
            "acceptance_opinion_due": joint.opinion_due(project.acceptance_applied_on)
            if project.state == "acceptance_review" and project.acceptance_applied_on else None}


# (state, who may act, action) of the construction panel (anchor #construction / #acceptance)
STEPS = (
    ("in_construction", lambda p, page, role: _lead(p), Action(
        "报告月度进度", "建设期间按月报告完成比例和累计支出；完工后登记完工。", "construction")),
    ("suspended", lambda p, page, role: role == "planner", Action(
        "恢复建设", "项目已暂停，整改完成后恢复建设。", "construction")),
    ("completed", lambda p, page, role: _lead(p), Action(
        "申请竣工验收", "完工后 6 个月内申请竣工验收（第二十九条）。", "construction")),
    ("completed", lambda p, page, role: role == "planner" and page["extensions"] and page["extensions"][-1].approved is None,
     Action("决定延期申请", "建设单位申请延期验收，请决定。", "construction")),
    ("acceptance_review", lambda p, page, role: page["my_acceptance_authority"] in page["acceptance_missing"],
     Action("出具验收意见", "联合竣工验收须在 20 个工作日内出具意见（第二十九条）。", "acceptance")),
    ("acceptance_review", lambda p, page, role: role == "planner" and not page["acceptance_missing"], Action(
        "作出验收结论", "各部门意见已齐，登记验收通过或不通过。", "acceptance")),
    ("in_operation", lambda p, page, role: _lead(p), Action(
        "提交自评价", "上线运行后 6 至 12 个月内提交自评价（第三十三条）。", "construction")),
    ("self_evaluated", lambda p, page, role: role == "planner", Action(
        "登记后评价或关闭项目", "自评价已提交，登记第三方后评价或直接关闭项目。", "construction")),
)


def panel_actions(project, page) -> list[Action]:
    role = current_user.role
    found = [action for state, may, action in STEPS if project.state == state and may(project, page, role)]
    if role == "planner" and project.state in ("in_construction", "suspended") and any(
            not i.order for i in page["incidents"]):
        found.insert(0, Action("下达处理意见", "建设单位报告了重大问题，请下达处理意见（第二十七条）。", "construction"))
    return found


def classification_context(project, page, given) -> dict:
    """R-CLASSIFIED: the 涉密 status, as declared and as confirmed by 保密办 (who may confirm it)."""
    confirm = current_user.role == "secrecy" and project.state not in ("closed", "terminated")
    return {"classification_form": _forms(page, given)["classification"] if confirm else None,
            "classified_grades": CLASSIFIED_GRADES}


def classification_actions(project, page) -> list[Action]:
    if page["classification_form"] is not None and not project.classified_confirmed_on:
        return [Action("确认涉密属性", "建设单位申报的涉密属性待省委保密办确认。", "classification")]
    return []


PANELS = (Panel("build", "build-acceptance", 10, "acceptance/_panel.html", panel_context, panel_actions),
          Panel("classification", "overview", 30, "acceptance/_classification.html", classification_context,
                classification_actions))
