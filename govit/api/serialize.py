"""Projects and their records as API.md's JSON (money as two-decimal strings, dates ISO)."""
import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..alerts.deadlines import current_due  # noqa: F401  (the API's `due`; beside the deadline rules)
from ..alerts.scan import alert_json
from ..domain.money import format_money
from ..domain.roles import sees_all_projects
from ..extensions import db
from ..models import Alert, Event, Opinion, Project, SimilarityMatch, User
from ..planning.review import IN_REVIEW, pauses_by_project
from ..planning.fields import SHARE_FIELDS
from ..planning.queries import of_department
from ..planning.services import SCALAR_FIELDS


# everything project_json reads, for a whole page of projects at once: a page holds at most 200
# projects, within one SELECT … IN batch (500), so one query per relationship
PROJECT_LOADS = (
    selectinload(Project.opinions).lazyload(Opinion.reviewer),  # the reviewer's account is not shown
    selectinload(Project.similar).joinedload(SimilarityMatch.other).load_only(Project.id, Project.name),
    *(selectinload(rel) for rel in (Project.supplements, Project.expert_reviews, Project.annual,
                                    Project.participants, Project.rongque)))


def _iso(value):
    return value.isoformat() if value else None


def open_alerts_of(project_ids: list[int]) -> dict[int, list]:
    """The open alerts of many projects in one query, as rows for alert_json; kept by the worker
    while the history's head a GET holds has not moved (every change to an alert is recorded: the
    scan's, alerts.scan._scan; issue 24: a list of the API a round trip fewer)."""
    from ..alerts.dashboard import kept_by_head

    def read() -> dict[int, list]:
        found: dict[int, list] = {pid: [] for pid in project_ids}
        for alert in db.session.execute(select(*Alert.__table__.c).where(
                Alert.project_id.in_(project_ids), Alert.status == "open").order_by(Alert.id)):
            found[alert.project_id].append(alert)
        return found
    return kept_by_head(("open_alerts", tuple(project_ids)), read)


def _due_json(due) -> dict | None:
    return {"kind": due[0], "due_on": due[1].due_on.isoformat(), "calendar_confirmed": due[1].confirmed} if due else None


# A list item: what a caller needs to pick a project and see what it waits on; the whole record
# (第九条 texts, opinions, participants…) is GET /projects/{id}, or the list with view=full
SUMMARY_COLUMNS = (Project.id, Project.name, Project.state, Project.plan_year, Project.urgent,
                   Project.total_investment, Project.approved_estimate, Project.submitted_on, Project.concluded_on,
                   Project.design_submitted_on, Project.completed_on, Project.acceptance_extended_until,
                   Project.accepted_on, Project.live_on, Project.updated_at,
                   of_department("code", "department_code"))


def project_summaries(projects) -> list[dict]:
    """The list items of a page of project rows (SUMMARY_COLUMNS, read as plain rows: the deadline
    rules read the same attributes of a row as of a Project); their open alerts and review pauses
    are read in one query each."""
    ids = [p.id for p in projects]
    alerts = open_alerts_of(ids)
    reviewing = [p.id for p in projects if p.state in IN_REVIEW]
    pauses = pauses_by_project(reviewing) if reviewing else {}
    return [{"id": p.id, "name": p.name, "department": p.department_code, "state": p.state,
             "plan_year": p.plan_year, "urgent": p.urgent, "total_investment": format_money(p.total_investment),
             "approved_estimate": format_money(p.approved_estimate), "submitted_on": _iso(p.submitted_on),
             "updated_at": p.updated_at.isoformat(timespec="seconds") if p.updated_at else None,
             "due": _due_json(current_due(p, pauses.get(p.id))), "alerts": [alert_json(a) for a in alerts[p.id]]}
            for p in projects]


def project_json(project: Project, viewer: User | None = None, alerts=None) -> dict:
    """`alerts`: the project's open alerts when the caller loaded them for a whole page."""
    data = {key: getattr(project, key) for key in SCALAR_FIELDS}
    due = current_due(project)
    data.update(
        id=project.id, state=project.state, plan_year=project.plan_year,
        department=project.department.code, total_investment=format_money(project.total_investment),
        annual_investments={str(a.year): format_money(a.amount) for a in project.annual},
        co_departments=[p.department.code for p in project.participants],
        participants=[{"code": p.department.code, "name": p.department.name,
                       **{k: getattr(p, k) for k in SHARE_FIELDS}} for p in project.participants],
        submitted_on=_iso(project.submitted_on), conditions=project.conditions,
        completed_on=_iso(project.completed_on), accepted_on=_iso(project.accepted_on),
        live_on=_iso(project.live_on),
        due=_due_json(due),
        approved_estimate=format_money(project.approved_estimate),
        approved_investment=format_money(project.approved_investment), merged_reason=project.merged_reason,
        # R-MERGED, R-DESIGN-DEVIATION: ndrc refused the merge; the declared change; the question put to ndrc
        merge_refused=project.merge_refused, design_content_changed=project.design_content_changed,
        deviation_status=project.deviation_status,
        alerts=[alert_json(a) for a in (open_alerts_of([project.id])[project.id] if alerts is None else alerts)],
        # R-NO-SPLIT: best first; other departments' projects only to the authorities
        similar_projects=[{"id": m.other_id, "name": m.other.name, "score": m.score} for m in project.similar
                          if viewer is None or sees_all_projects(viewer.role)],
        opinions=[{"authority": o.authority, "verdict": o.verdict, "text": o.text,
                   "conditions": o.conditions, "at": o.at.isoformat(timespec="seconds")}
                  for o in project.opinions],
        rongque=[{"kind": r.kind, "promised_on": r.promised_on.isoformat(),
                  "fulfilled_on": _iso(r.fulfilled_on)} for r in project.rongque],
        **_acceptance_json(project),
    )
    return data


def _acceptance_json(project: Project) -> dict:
    """R-JOINT-ACCEPT: the current application's opinions (read only once one was made), and the
    保密办's confirmation of the 涉密 status."""
    from ..acceptance.joint import acceptance_opinions
    opinions = acceptance_opinions(project).values() if project.acceptance_application else []
    return {"acceptance_opinions": [{"authority": o.authority, "verdict": o.verdict, "text": o.text,
                                     "conditions": o.conditions, "at": o.at.isoformat(timespec="seconds")}
                                    for o in opinions],
            "acceptance_applied_on": _iso(project.acceptance_applied_on),
            "classified_grade": project.classified_grade,
            "classified_confirmed_on": _iso(project.classified_confirmed_on)}


def document_json(doc) -> dict:
    return {"id": doc.id, "kind": doc.kind, "material": doc.material, "version": doc.version,
            "filename": doc.filename, "content_type": doc.content_type, "size": doc.size,
            "sha256": doc.sha256, "uploaded_at": doc.uploaded_at.isoformat(timespec="seconds"),
            "uploaded_by": doc.uploaded_by.username}


def event_json(ev: Event) -> dict:
    """R-FULL-RECORD: one step of the full-process record."""
    return {"at": ev.at.isoformat(timespec="seconds"), "actor": ev.actor, "role": ev.role,
            "action": ev.action, "from_state": ev.from_state, "to_state": ev.to_state,
            "due_on": _iso(ev.due_on), "late": bool(ev.due_on and ev.at.date() > ev.due_on),
            "detail": json.loads(ev.detail)}


def user_json(user: User) -> dict:
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "department": user.department.code}
