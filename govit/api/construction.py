"""The construction, acceptance and evaluation actions of API.md."""
from ..acceptance import evaluation, services as construction
from ..domain.construction import parse_decimal
from .money import money
from .resources import ACTIONS, parse_date, parse_id


def _incident(project, data) -> int:
    """The incident the order is about: the one given, else the latest without an order."""
    if data.get("incident_id"):
        return parse_id(data, "incident_id")
    open_ones = [i for i in construction.incidents(project) if i.order is None]
    return open_ones[-1].id if open_ones else 0


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
    "self_evaluate": lambda u, p, d: evaluation.self_evaluate(
        u, p, parse_decimal(d.get("score", ""), "score"), str(d.get("summary", "")), d.get("goals") or []),
    "post_evaluate": lambda u, p, d: evaluation.post_evaluate(
        u, p, str(d.get("evaluator", "")), parse_decimal(d.get("score", ""), "score"), str(d.get("summary", ""))),
    "close": lambda u, p, d: evaluation.close(u, p, str(d.get("note", ""))),
})
