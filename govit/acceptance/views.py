"""Web pages of construction, acceptance and evaluation: the project's panel and its progress chart."""
from flask import Blueprint, Response, url_for
from flask_login import current_user, login_required

from ..auth.access import load_project
from ..domain.construction import parse_decimal
from ..domain.errors import NotFound
from ..formkit import amount, submit
from ..project_page import contribute, render_project
from ..reports.charts import progress_chart_png
from . import evaluation, joint, panels, services as construction
from .forms import AcceptanceOpinionForm, OrderForm
from .panels import FORMS

bp = Blueprint("acceptance", __name__)
contribute(bp, *panels.PANELS)  # the construction and 涉密 panels of the project page (issue 19)


@bp.before_request
@login_required
def require_login():
    """Every page needs a signed-in user."""


def _goals(form) -> list[dict]:
    return [{"goal": row.goal.data, "achieved": row.achieved.data} for row in form.goals]


STEPS = {  # url step -> (form key, call, message)
    "report_progress": ("progress", lambda p, f: construction.report_progress(
        current_user, p, f.period.data, parse_decimal(f.percent_complete.data, "percent_complete"),
        amount(f.spent), f.note.data), "进度已报告"),
    "file_performance_report": ("performance", lambda p, f: construction.file_performance_report(
        current_user, p, int(f.year.data), f.summary.data, f.supervisor_opinion.data, f.user_opinions.data),
        "年度绩效评价报告已报送"),
    "report_incident": ("incident", lambda p, f: construction.report_incident(
        current_user, p, f.kind.data, f.description.data), "已报告营商环境局"),
    "resume": ("note", lambda p, f: construction.resume(current_user, p, f.note.data), "已恢复建设"),
    "complete": ("complete", lambda p, f: construction.complete(current_user, p, f.completed_on.data),
                 "已完工，请在 6 个月内申请竣工验收"),
    "request_extension": ("extension", lambda p, f: evaluation.request_extension(
        current_user, p, f.reason.data, f.until.data), "延期申请已提交"),
    "decide_extension": ("extension_decision", lambda p, f: evaluation.decide_extension(
        current_user, p, f.approve.data, f.note.data), "延期申请已决定"),
    "apply_acceptance": ("note", lambda p, f: evaluation.apply_acceptance(current_user, p), "验收申请已提交"),
    "accept": ("accept", lambda p, f: evaluation.accept(
        current_user, p, f.accepted_on.data, f.live_on.data, f.authorities.data), "验收已登记"),
    "reject_acceptance": ("reject_acceptance", lambda p, f: joint.reject_acceptance(
        current_user, p, f.reasons.data.splitlines()), "验收未通过，已告知建设单位理由"),
    "confirm_classification": ("classification", lambda p, f: joint.confirm_classification(
        current_user, p, f.classified.data, f.grade.data, f.reason.data), "涉密属性已确认，已告知建设单位"),
    "self_evaluate": ("self_eval", lambda p, f: evaluation.self_evaluate(
        current_user, p, parse_decimal(f.score.data, "score"), f.summary.data, _goals(f)), "自评价已提交"),
    "post_evaluate": ("post_eval", lambda p, f: evaluation.post_evaluate(
        current_user, p, f.evaluator.data, parse_decimal(f.score.data, "score"), f.summary.data), "后评价已登记"),
    "close": ("note", lambda p, f: evaluation.close(current_user, p, f.note.data), "项目已关闭"),
}


@bp.post("/projects/<int:project_id>/build/<step>")
def step(project_id: int, step: str):
    if step not in STEPS:
        raise NotFound("没有该操作")
    key, call, done = STEPS[step]
    project = load_project(project_id)
    form = FORMS[key](prefix=key)
    target = url_for("planning.project", project_id=project.id, _anchor="construction")
    return submit(form, lambda: call(project, form), done, target) or render_project(project, 400, **{key: form})


@bp.post("/projects/<int:project_id>/acceptance-opinion")
def opinion(project_id: int):
    """R-JOINT-ACCEPT: the caller's authority gives its acceptance opinion."""
    project = load_project(project_id)
    form = AcceptanceOpinionForm(prefix="acceptance_opinion")
    target = url_for("planning.project", project_id=project.id, _anchor="acceptance")
    return submit(form, lambda: joint.record_acceptance_opinion(
        current_user, project, form.verdict.data, form.text.data, form.conditions.data),
        "验收意见已出具，已告知建设单位", target) or render_project(project, 400, acceptance_opinion=form)


@bp.post("/projects/<int:project_id>/incidents/<int:incident_id>/order")
def order(project_id: int, incident_id: int):
    project = load_project(project_id)
    form = OrderForm(prefix="order")
    target = url_for("planning.project", project_id=project.id, _anchor="construction")
    return submit(form, lambda: construction.order(current_user, project, incident_id, form.order.data,
                                                   form.note.data), "处理意见已下达", target) \
        or render_project(project, 400, order=form)


@bp.get("/projects/<int:project_id>/progress.png")
def progress_chart(project_id: int):
    project = load_project(project_id)
    rows = construction.variances(project)
    if not rows:
        raise NotFound("尚无进度报告")
    return Response(progress_chart_png([r.period for r, _ in rows], [v.planned for _, v in rows],
                                       [v.actual for _, v in rows]), mimetype="image/png")
