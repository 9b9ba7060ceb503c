"""The planning stage's panels of the project page: the submission checklist, the proposal (第九条),
the joint review, similar projects, the materials, the full-process record and termination."""
from flask import current_app, url_for
from flask_login import current_user

from ..domain.roles import AUTHORITY_OF_ROLE, sees_all_projects
from ..formkit import LazyForms
from ..project_page import Action, Panel
from . import queries, review, services
from .fields import CHOICES
from .forms import AnswerForm, ConsentForm, OpinionForm, ReasonForm, UploadForm

FORMS = {"upload": UploadForm, "opinion": OpinionForm, "answer": AnswerForm, "expert": ReasonForm,
         "terminate": ReasonForm, "consent": ConsentForm}
OPEN = frozenset(review.IN_REVIEW)


def is_editor(project) -> bool:
    """The lead department's own staff (auth.access.require_lead_department's test, for showing forms)."""
    return current_user.role in ("applicant", "dept_admin") and current_user.department_id == project.department_id


def _forms(page: dict, given: dict) -> dict:
    if "forms" not in page:
        page["forms"] = LazyForms(FORMS, given, prefixed=False)
    return {"forms": page["forms"]}


def checklist_context(project, page, given):
    """Issue 19 (finding 8): what keeps the draft from 统一申报, by the submission's own checks."""
    if project.state != "draft" or not is_editor(project):
        return None
    return {"checklist": services.submission_problems(project)}


def checklist_actions(project, page):
    edit = url_for("planning.edit_project", project_id=project.id)
    if page["checklist"]:
        return [Action("补齐申报内容", f"统一申报前还有 {len(page['checklist'])} 项须补齐或更正（见申报检查清单）。",
                       "checklist", edit)]
    if current_user.role == "dept_admin":
        return [Action("统一申报", "申报内容已齐全，由部门负责人汇总本部门项目后一次性申报（第八条）。", "checklist",
                       url_for("planning.submit_batch"))]
    return []


def proposal_context(project, page, given):
    return {"choice_labels": CHOICES, **_forms(page, given)}


def review_context(project, page, given):
    """The joint review: opinions, the viewer's form, 补正 and expert evaluation (R-REVIEW-*)."""
    if project.state == "draft":
        return None
    reviewing = project.state in OPEN
    supplements = review.open_supplements(project) if reviewing else []
    mine = AUTHORITY_OF_ROLE.get(current_user.role)
    return {"latest": review.latest_opinions(project), "my_authority": mine, "open_supplements": supplements,
            "due": review.review_due_for(project) if reviewing else None,
            # 补正 and expert reviews pause the joint review: the page shows them only while it runs
            "waiting_me": any(s.authority == mine for s in supplements),
            "expert_running": reviewing and any(e.finished_on is None for e in project.expert_reviews),
            "editor": is_editor(project), **_forms(page, given)}


def review_actions(project, page):
    found, mine, latest = [], page["my_authority"], page["latest"]
    if project.state in OPEN and mine and not page["waiting_me"] and (
            mine not in latest or latest[mine].verdict == "supplement"):
        found.append(Action("出具审核意见", "联合审核须在 5 个工作日内出具意见（第十条）。", "opinion"))
    if project.state == "supplement_requested" and page["editor"]:
        found.append(Action("提交陈述和补正", "审核部门要求陈述和补正，答复后项目回到联合审核。", "answer"))
    if current_user.role == "planner" and page["expert_running"]:
        found.append(Action("记录专家论证结论", "专家评估论证进行中，结束后记录结论。", "expert"))
    return found


def similar_context(project, page, given):
    # R-NO-SPLIT: the matches are for the reviewers and the planner, not other departments' eyes
    if not (project.similar and sees_all_projects(current_user.role)):
        return None
    return {"similar": project.similar, "threshold": current_app.config["GOVIT_SIMILARITY_THRESHOLD"]}


def documents_context(project, page, given):
    return {"rongque_left": queries.rongque_days_left, "editor": is_editor(project), **_forms(page, given)}


def record_context(project, page, given):
    return {}  # the page reads the record itself (project_page.render_project)


def terminate_context(project, page, given):
    if current_user.role != "planner" or project.state in ("terminated", "closed"):
        return None
    return _forms(page, given)


PANELS = (
    Panel("checklist", "overview", 10, "planning/_checklist.html", checklist_context, checklist_actions),
    Panel("proposal", "overview", 20, "planning/_proposal.html", proposal_context),
    Panel("terminate", "overview", 90, "planning/_terminate.html", terminate_context),
    Panel("review", "joint-review", 10, "planning/_review.html", review_context, review_actions),
    Panel("similar", "joint-review", 20, "planning/_similar.html", similar_context),
    Panel("documents", "materials", 10, "planning/_documents.html", documents_context, empty="暂无材料"),
    Panel("record", "full-record", 10, "planning/_record.html", record_context, empty="暂无记录"),
)
