"""The history page's filters (issue 19, finding 3): action (chosen by its Chinese name), person, date
range and project name; the same query feeds the page and its Excel export."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..domain.labels import ACTION_LABELS, action_label, changes, detail_rows
from ..domain.lifecycle import STATE_LABELS
from ..domain.roles import ROLE_LABELS
from ..extensions import db
from ..formkit import row_int
from ..models import Event, Project


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def history_query(args) -> tuple:
    """The filtered events, newest first, and the problems with the filters (in Chinese, to fix)."""
    query, problems = select(Event).order_by(Event.seq.desc()), []
    if args.get("project", type=row_int):
        query = query.where(Event.project_id == args.get("project", type=row_int))
    action = (args.get("action") or "").strip()
    if action:
        # a code from the select, or Chinese typed into the address: every action whose name contains it
        codes = [action] if action in ACTION_LABELS else [c for c, label in ACTION_LABELS.items() if action in label]
        query = query.where(Event.action.in_(codes or [action]))
    person = (args.get("person") or "").strip()
    if person:
        query = query.where(Event.actor.contains(person, autoescape=True))
    name = (args.get("project_name") or "").strip()
    if name:
        ids = select(Project.id).where(Project.name.contains(name, autoescape=True))
        query = query.where(Event.project_id.in_(ids))
    start, end = _day(args.get("from")), _day(args.get("to"))
    if args.get("from") and start is None:
        problems.append("开始日期格式应为 YYYY-MM-DD，例如 2026-11-01")
    if args.get("to") and end is None:
        problems.append("结束日期格式应为 YYYY-MM-DD，例如 2026-11-30")
    if start and end and start > end:
        problems.append("开始日期不能晚于结束日期")
    if start:
        query = query.where(Event.at >= datetime.combine(start, time.min))
    if end:
        query = query.where(Event.at < datetime.combine(end + timedelta(days=1), time.min))
    return query, problems


def project_names(events) -> dict[int, str]:
    """The names of the projects the events belong to, in one query."""
    ids = {e.project_id for e in events if e.project_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(Project.id, Project.name).where(Project.id.in_(ids))).all())


def state_text(event) -> str:
    before, after = STATE_LABELS.get(event.from_state, event.from_state or ""), STATE_LABELS.get(event.to_state, "")
    return f"{before} → {after}" if event.to_state and event.to_state != event.from_state else before


def export_rows(events) -> list[dict]:
    """The Excel rows of the filtered history, every name in Chinese."""
    names = project_names(events)
    return [{"序号": e.seq, "时间": e.at.strftime("%Y-%m-%d %H:%M"), "办理人": e.actor,
             "角色": ROLE_LABELS.get(e.role, e.role), "动作": action_label(e.action),
             "项目": names.get(e.project_id, "") if e.project_id else "", "状态": state_text(e),
             "内容": content_text(e.detail)} for e in events]


def content_text(detail) -> str:
    """An event's content in one cell: its fields, then each change as 字段：修改前 → 修改后."""
    parts = [f"{label}：{value}" for label, value in detail_rows(detail)]
    parts += [f"{label}：{before or '（空）'} → {after or '（空）'}" for label, before, after in changes(detail)]
    return "；".join(parts)
