"""The construction, acceptance and evaluation actions of API.md."""
from flask import g, jsonify

from ..acceptance import evaluation, joint, services as construction
from ..domain.construction import parse_decimal
from ..domain.errors import InvalidInput
from . import body, bp
from .money import money
from .resources import ACTIONS, _project, parse_date, parse_id
from .serialize import project_json


def _incident(project, data) -> int:
    """The incident the order is about: the one given, else the latest without an order."""
    if data.get("incident_id"):
        return parse_id(data, "incident_id")
    open_ones = [i for i in construction.incidents(project) if i.order is None]
    return open_ones[-1].id if open_ones else 0


def _reasons(data) -> list[str]:
    """R-JOINT-ACCEPT: `reasons` is a list of texts (one text is taken as a list of one)."""
    reasons = data.get("reasons")
    if isinstance(reasons, str):
        reasons = [reasons]
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise InvalidInput({"reasons": "应为理由列表，如 [\"等保测评未通过\"]"})
    return reasons


@bp.post("/projects/<int:project_id>/acceptance-opinions")
def post_acceptance_opinion(project_id: int):
    """R-JOINT-ACCEPT: the caller's authority gives its acceptance opinion."""
    project, data = _project(project_id), body()
    joint.record_acceptance_opinion(g.api_user, project, str(data.get("verdict", "")), str(data.get("text", "")),
                                    str(data.get("conditions", "")))
    return jsonify(project_json(project, g.api_user)), 201


ACTIONS.update({
    "report_progress": lambda u, p, d: construction.report_progress(
        u, p, str(d.get("period", "")), parse_decimal(d.get("percent_complete", ""), "percent_complete"),
        money(d, "spent", allow_zero=True), str(d.get("note", ""))),
    "file_performance_report": lambda u, p, d: construction.file_performance_report(
        u, p, int(parse_decimal(d.get("year", ""), "year", 0)), str(d.get("summary", ""))),
    "report_incident": lambda u, p, d: construction.report_incident(
        u, p, str(d.get("kind", "")), str(d.get("description", ""))),
    "order_rectification": lambda u, p, d: construction.order(u, p, _incident(p, d), "rectify", str(d.get("note", ""))),
    "suspend": lambda u, p, d: construction.order(u, p, _incident(p, d), "suspend", str(d.get("note", ""))),
    "resume": lambda u, p, d: construction.resume(u, p, str(d.get("note", ""))),
    "complete": lambda u, p, d: construction.complete(u, p, parse_date(d, "completed_on")),
    "request_extension": lambda u, p, d: evaluation.request_extension(
        u, p, str(d.get("reason", "")), parse_date(d, "until")),
    "decide_extension": lambda u, p, d: evaluation.decide_extension(
        u, p, d.get("approve") is not False, str(d.get("note", ""))),
    "apply_acceptance": lambda u, p, d: evaluation.apply_acceptance(u, p),
    "accept": lambda u, p, d: evaluation.accept(
        u, p, parse_date(d, "accepted_on"), parse_date(d, "live_on"), str(d.get("authorities", ""))),
    "reject_acceptance": lambda u, p, d: joint.reject_acceptance(u, p, _reasons(d)),
    "confirm_classification": lambda u, p, d: joint.confirm_classification(
        u, p, d.get("classified") is True, str(d.get("grade", "")), str(d.get("reason", ""))),
    "self_evaluate": lambda u, p, d: evaluation.self_evaluate(
        u, p, parse_decimal(d.get("score", ""), "score"), str(d.get("summary", "")), d.get("goals") or []),
    "post_evaluate": lambda u, p, d: evaluation.post_evaluate(
        u, p, str(d.get("evaluator", "")), parse_decimal(d.get("score", ""), "score"), str(d.get("summary", ""))),
    "close": lambda u, p, d: evaluation.close(u, p, str(d.get("note", ""))),
})
