"""Web pages of the joint review: the queue, opinions, 补正, expert evaluation, termination."""
from flask import render_template, request, url_for
from flask_login import current_user

from ..auth.access import load_project, require_role
from ..domain.roles import AUTHORITY_OF_ROLE
from ..formkit import row_int, submit
from . import queries, review, services
from .forms import AnswerForm, ConsentForm, OpinionForm, ReasonForm
from ..project_page import render_project
from .views import bp


@bp.get("/review")
def review_queue():
    """R-REVIEW-5WD: the reviewer's queue, most urgent first, with working days left, 50 a page."""
    require_role(current_user, *AUTHORITY_OF_ROLE, "planner")
    page = queries.page_of(queries.review_queue(current_user), request.args.get("page", 1, type=row_int))
    return render_template("planning/review_queue.html", queue=page)


def _post(project_id: int, form, form_key: str, call, done: str):
    """Validate the form, call one service, or show the page again with the form kept."""
    project = load_project(project_id)
    target = url_for("planning.project", project_id=project.id)
    return submit(form, lambda: call(project, form), done, target) or render_project(project, 400, **{form_key: form})


@bp.post("/projects/<int:project_id>/opinion")
def opinion(project_id: int):
    return _post(project_id, OpinionForm(), "opinion", lambda p, f: review.record_opinion(
        current_user, p, f.verdict.data, f.text.data, f.conditions.data), "审核意见已出具，已告知建设单位")


@bp.post("/projects/<int:project_id>/answer")
def answer(project_id: int):
    return _post(project_id, AnswerForm(), "answer", lambda p, f: review.answer_supplement(
        current_user, p, f.text.data), "陈述和补正已提交，项目回到联合审核")


@bp.post("/projects/<int:project_id>/expert")
def call_expert(project_id: int):
    return _post(project_id, ReasonForm(), "expert", lambda p, f: review.call_expert_review(
        current_user, p, f.reason.data), "已组织专家评估论证，期间暂停计时")


@bp.post("/projects/<int:project_id>/expert/finish")
def finish_expert(project_id: int):
    return _post(project_id, ReasonForm(), "expert", lambda p, f: review.finish_expert_review(
        current_user, p, f.reason.data), "专家评估论证结论已记录")


@bp.post("/projects/<int:project_id>/terminate")
def terminate(project_id: int):
    return _post(project_id, ReasonForm(), "terminate", lambda p, f: services.terminate(
        current_user, p, f.reason.data), "项目已终止")


@bp.post("/projects/<int:project_id>/supplement-consent")
def consent_supplement(project_id: int):
    """R-SUPPLEMENT-ONCE: the planner's recorded consent to one more 补正 request."""
    return _post(project_id, ConsentForm(), "consent", lambda p, f: review.consent_supplement(
        current_user, p, f.authority.data, f.reason.data), "已同意该部门再次要求补正，理由已记录")
