"""API routes: thin — check the caller, parse, call one service, serialise."""
from datetime import date

from flask import g, jsonify, request, url_for
from sqlalchemy import select

from ..auth import services as accounts
from ..auth.access import load_project, require_role
from ..domain.errors import InvalidInput, NotFound
from ..domain.plan import PLAN_YEARS
from ..domain.proposal import RongqueItem
from ..domain.deadlines import KINDS as ALERT_KINDS
from ..domain.lifecycle import STATES
from ..domain.review import VERDICTS
from ..extensions import db
from ..finder.departments import resolve
from ..history import project_events
from ..alerts.scan import alert_json
from ..domain.roles import sees_all_projects
from ..models import Alert, Department, Project
from ..planning import queries, review, services
from ..planning.fields import parse_proposal
from . import body, bp, inputs, optional_body
from .serialize import (PROJECT_LOADS, SUMMARY_COLUMNS, document_json, event_json, open_alerts_of, project_json,
                        project_summaries, user_json)


def parse_date(data: dict, key: str) -> date:
    return inputs.day(data, key)


def parse_id(data: dict, key: str) -> int:
    """A row id named in the body: a positive integer a database id column holds."""
    return inputs.row_id(data, key)


def parse_year(data: dict) -> int:
    value = data.get("plan_year")
    try:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(value)
        year = int(value)
    except (TypeError, ValueError):
        raise InvalidInput({"plan_year": "请填写计划年度，如 2027"}) from None
    if year not in PLAN_YEARS:
        raise InvalidInput({"plan_year": f"计划年度应在 {PLAN_YEARS.start}–{PLAN_YEARS.stop - 1} 之间"})
    return year


def _project(project_id: int):
    return load_project(project_id, g.api_user)


@bp.get("/me")
def me():
    return jsonify(user_json(g.api_user))


@bp.get("/departments")
def departments():
    rows = db.session.execute(select(Department).order_by(Department.code)).scalars()
    return jsonify([{"code": d.code, "name": d.name} for d in rows])


@bp.post("/departments")
def create_department():
    require_role(g.api_user, "admin")
    data = body()
    dept = accounts.create_department(g.api_user, inputs.text(data, "code", 16), inputs.text(data, "name", 100))
    return jsonify({"code": dept.code, "name": dept.name}), 201


@bp.get("/rounds")
def rounds():
    return jsonify([{"plan_year": r.plan_year, "opens_on": r.opens_on.isoformat(),
                     "closes_on": r.closes_on.isoformat()} for r in queries.all_rounds()])


@bp.post("/rounds")
def open_round():
    data = body()
    plan_year = parse_year(data)
    opens = parse_date(data, "opens_on") if data.get("opens_on") is not None else date(plan_year - 1, 6, 1)
    closes = parse_date(data, "closes_on") if data.get("closes_on") is not None else date(plan_year - 1, 6, 30)
    rnd = services.open_round(g.api_user, plan_year, opens, closes)
    return jsonify({"plan_year": rnd.plan_year, "opens_on": rnd.opens_on.isoformat(),
                    "closes_on": rnd.closes_on.isoformat()}), 201


@bp.post("/projects")
def create_project():
    project = services.create_project(g.api_user, parse_proposal(body()))
    return jsonify(project_json(project, g.api_user)), 201


@bp.get("/projects")
def list_projects():
    """One page (`page`, `per_page` ≤ 200, default 100), newest first; X-Total-Count and Link
    headers tell the rest. Items are summaries (id, name, department, state, money, due, alerts);
    `view=full` gives whole records, each relation loaded for the whole page in one query."""
    args = request.args
    view = args.get("view", "summary")
    if view not in ("summary", "full"):
        raise InvalidInput({"view": "应为 summary（默认，摘要）或 full（完整记录）"})
    query = queries.project_query(g.api_user, inputs.query_choice(args, "state", STATES),
                                  resolve(args.get("department")),  # a code or a name (issue 19, finding 6)
                                  inputs.query_int(args, "plan_year"), args.get("q"))
    query = query.options(*PROJECT_LOADS) if view == "full" else queries.with_department(query, *SUMMARY_COLUMNS)
    per_page = min(max(inputs.query_int(args, "per_page", 100), 1), 200)
    page = queries.paginate(query, inputs.query_int(args, "page", 1), per_page, rows=view != "full")
    if view == "full":
        alerts = open_alerts_of([p.id for p in page.items])
        response = jsonify([project_json(p, g.api_user, alerts[p.id]) for p in page.items])
    else:
        response = jsonify(project_summaries(page.items))
    # X-Total-Count when counted in full; past COUNT_CAP rows only the lower bound is told
    response.headers["X-Total-At-Least" if page.capped else "X-Total-Count"] = str(page.total)
    links = [(n, rel) for n, rel in ((page.number + 1, "next"), (page.number - 1, "prev"))
             if 1 <= n <= page.pages and n != page.number]
    if links:
        response.headers["Link"] = ", ".join(
            f'<{url_for("api.list_projects", **{**args.to_dict(), "page": n})}>; rel="{rel}"' for n, rel in links)
    return response


@bp.get("/projects/<int:project_id>")
def get_project(project_id: int):
    return jsonify(project_json(_project(project_id), g.api_user))


@bp.patch("/projects/<int:project_id>")
def patch_project(project_id: int):
    project = _project(project_id)
    return jsonify(project_json(services.update_project(g.api_user, project, parse_proposal(body())), g.api_user))


@bp.get("/projects/<int:project_id>/documents")
def list_documents(project_id: int):
    return jsonify([document_json(d) for d in _project(project_id).documents])


@bp.post("/projects/<int:project_id>/documents")
def upload_document(project_id: int):
    project = _project(project_id)
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput({"file": "请选择要上传的文件"})
    doc = services.upload_document(g.api_user, project, request.form.get("kind", ""), upload.filename or "",
                                   upload.read(), request.form.get("material") or None)
    return jsonify(document_json(doc)), 201


@bp.post("/projects/<int:project_id>/opinions")
def post_opinion(project_id: int):
    project, data = _project(project_id), body()
    review.record_opinion(g.api_user, project, inputs.choice(data, "verdict", VERDICTS),
                          inputs.text(data, "text", 20000), inputs.text(data, "conditions"))
    return jsonify(project_json(project, g.api_user)), 201


@bp.get("/projects/<int:project_id>/history")
def project_history(project_id: int):
    _project(project_id)
    return jsonify([event_json(e) for e in project_events(project_id)])


def _rongque(data: dict) -> list[RongqueItem]:
    return inputs.each(data, "rongque", "[{kind, promised_on}]",
                       lambda i: RongqueItem(inputs.text(i, "kind", 64), parse_date(i, "promised_on")))


ACTIONS = {
    "submit": lambda u, p, d: services.submit_batch(u, [p], {p.id: _rongque(d)}),
    "answer_supplement": lambda u, p, d: review.answer_supplement(u, p, inputs.text(d, "text", 20000)),
    "call_expert_review": lambda u, p, d: review.call_expert_review(u, p, inputs.text(d, "reason")),
    "finish_expert_review": lambda u, p, d: review.finish_expert_review(u, p, inputs.text(d, "conclusion")),
    "consent_supplement": lambda u, p, d: review.consent_supplement(  # R-SUPPLEMENT-ONCE
        u, p, inputs.text(d, "authority", 32), inputs.text(d, "reason")),
    "terminate": lambda u, p, d: services.terminate(u, p, inputs.text(d, "reason")),
}


@bp.post("/projects/<int:project_id>/actions/<action>")
def project_action(project_id: int, action: str):
    project = _project(project_id)
    if action not in ACTIONS:
        raise NotFound(f"动作“{action}”不存在或尚未开放；可用：{', '.join(ACTIONS)}")
    ACTIONS[action](g.api_user, project, optional_body())
    return jsonify(project_json(project, g.api_user))


@bp.get("/alerts")
def list_alerts():
    """R-ALERT: alerts of the projects the caller may see (plan alerts for the authorities)."""
    args = request.args
    visible = Alert.project_id.in_(queries.scoped_projects(g.api_user).with_only_columns(Project.id))
    if sees_all_projects(g.api_user.role):
        visible = visible | Alert.project_id.is_(None)
    query = select(Alert).where(visible)
    if args.get("project"):
        query = query.where(Alert.project_id == inputs.query_int(args, "project"))
    if args.get("kind"):
        query = query.where(Alert.kind == inputs.query_choice(args, "kind", ALERT_KINDS))
    if args.get("status"):
        query = query.where(Alert.status == inputs.query_choice(args, "status", ("open", "closed")))
    return jsonify([alert_json(a) for a in db.session.execute(query.order_by(Alert.id)).scalars()])
