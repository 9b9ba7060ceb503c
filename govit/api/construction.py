"""The construction, acceptance and evaluation actions of API.md."""
from flask import g, jsonify

from ..acceptance import evaluation, joint, services as construction
from ..domain.construction import parse_decimal
from . import body, bp, inputs
from .money import money
from .resources import ACTIONS, _project, parse_date, parse_id
from .serialize import project_json


def _incident(project, data) -> int:
    """The incident the order is about: the one given, else the latest without an order."""
    if data.get("incident_id") is not None:
        return parse_id(data, "incident_id")
    open_ones = [i for i in construction.incidents(project) if i.order is None]
    return open_ones[-1].id if open_ones else 0


@bp.post("/projects/<int:project_id>/acceptance-opinions")
def post_acceptance_opinion(project_id: int):
    """R-JOINT-ACCEPT: the caller's authority gives its acceptance opinion."""
    project, data = _project(project_id), body()
    joint.record_acceptance_opinion(g.api_user, project, inputs.text(data, "verdict", 32), inputs.text(data, "text"),
                                    inputs.text(data, "conditions"))
    return jsonify(project_json(project, g.api_user)), 201


def _goals(data: dict) -> list[dict]:
    """The self-evaluation's goals, as the web form's rows: [{goal, achieved}] of texts (500 each)."""
    return inputs.each(data, "goals", "[{goal, achieved}]",
                       lambda r: {"goal": inputs.text(r, "goal", 500), "achieved": inputs.text(r, "achieved", 500)})


ACTIONS.update({
    "report_progress": lambda u, p, d: construction.report_progress(
        u, p, inputs.month(d, "period"), parse_decimal(inputs.number_text(d, "percent_complete"), "percent_complete"),
        money(d, "spent", allow_zero=True), inputs.text(d, "note")),
    "file_performance_report": lambda u, p, d: construction.file_performance_report(
        u, p, inputs.year(d, "year"), inputs.text(d, "summary"), inputs.text(d, "supervisor_opinion"),
        inputs.text(d, "user_opinions")),
    "report_incident": lambda u, p, d: construction.report_incident(
        u, p, inputs.text(d, "kind", 64), inputs.text(d, "description")),
    "order_rectification": lambda u, p, d: construction.order(u, p, _incident(p, d), "rectify", inputs.text(d, "note")),
    "suspend": lambda u, p, d: construction.order(u, p, _incident(p, d), "suspend", inputs.text(d, "note")),
    "resume": lambda u, p, d: construction.resume(u, p, inputs.text(d, "note")),
    "complete": lambda u, p, d: construction.complete(u, p, parse_date(d, "completed_on")),
    "request_extension": lambda u, p, d: evaluation.request_extension(
        u, p, inputs.text(d, "reason"), parse_date(d, "until")),
    "decide_extension": lambda u, p, d: evaluation.decide_extension(
        u, p, inputs.flag(d, "approve", True), inputs.text(d, "note")),
    "apply_acceptance": lambda u, p, d: evaluation.apply_acceptance(u, p),
    "accept": lambda u, p, d: evaluation.accept(
        u, p, parse_date(d, "accepted_on"), parse_date(d, "live_on"), inputs.text(d, "authorities", 500)),
    "reject_acceptance": lambda u, p, d: joint.reject_acceptance(u, p, inputs.strings(d, "reasons")),
    "confirm_classification": lambda u, p, d: joint.confirm_classification(
        u, p, inputs.flag(d, "classified"), inputs.text(d, "grade", 16), inputs.text(d, "reason")),
    "self_evaluate": lambda u, p, d: evaluation.self_evaluate(
        u, p, parse_decimal(inputs.number_text(d, "score"), "score"), inputs.text(d, "summary"), _goals(d)),
    "post_evaluate": lambda u, p, d: evaluation.post_evaluate(
        u, p, inputs.text(d, "evaluator", 200), parse_decimal(inputs.number_text(d, "score"), "score"),
        inputs.text(d, "summary")),
    "close": lambda u, p, d: evaluation.close(u, p, inputs.text(d, "note")),
})
