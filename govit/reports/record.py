"""R-FULL-RECORD: the project's full-process record (全流程记录表) from its history, for the page,
the Excel file and the API — every step, actor, date, due date, whether it was late, and what it said."""
import json
from dataclasses import dataclass
from datetime import date, datetime

from .. import clock
from ..domain.deadlines import KINDS
from ..domain.labels import ACTION_LABELS, record_content  # one table of labels with the history page
from ..domain.lifecycle import STATE_LABELS
from ..domain.record import late_days, late_text
from ..domain.roles import ROLE_LABELS
from ..history import project_events
from ..models import Project


@dataclass(frozen=True)
class RecordRow:
    at: datetime | None
    action: str
    label: str
    actor: str
    role: str
    from_state: str | None
    to_state: str | None
    due_on: date | None
    late_days: int | None
    content: str
    pending: bool = False  # a step not yet taken whose due date has passed

    @property
    def late(self) -> bool:
        return bool(self.late_days)

    def excel(self) -> dict:
        """One row of the Excel file (the column names are the 全流程记录表's)."""
        if self.from_state != self.to_state:
            state = f"{STATE_LABELS.get(self.from_state, '')}→{STATE_LABELS.get(self.to_state, '')}"
        else:
            state = STATE_LABELS.get(self.to_state or "", "")
        return {"时间": self.at.strftime("%Y-%m-%d %H:%M") if self.at else "（未办理）", "步骤": self.label,
                "办理人": self.actor, "角色": ROLE_LABELS.get(self.role, self.role), "状态": state,
                "期限": self.due_on.isoformat() if self.due_on else "",
                "是否超期": late_text(self.late_days), "内容": self.content}


def record_of(project: Project, events=None, pending: bool = True) -> list[RecordRow]:
    """Every event of the project in order (`events`: those already read), and with `pending` last
    the step it waits on when that is overdue."""
    rows = []
    for ev in project_events(project.id) if events is None else events:
        detail = json.loads(ev.detail) if isinstance(ev.detail, str) else (ev.detail or {})
        rows.append(RecordRow(ev.at, ev.action, ACTION_LABELS.get(ev.action, ev.action), ev.actor, ev.role,
                              ev.from_state, ev.to_state, ev.due_on, late_days(ev.at.date(), ev.due_on),
                              record_content(ev.action, detail)))
    waiting = _overdue_step(project) if pending else None
    return rows + ([waiting] if waiting else [])


def _overdue_step(project: Project) -> RecordRow | None:
    from ..alerts.deadlines import current_due  # the API's `due` is the step the project waits on

    found = current_due(project)
    today = clock.today()
    if found is None or found[1].due_on >= today:
        return None
    kind, due = found
    return RecordRow(None, kind, f"待办：{KINDS.get(kind, kind)}", "", "", project.state, project.state,
                     due.due_on, late_days(today, due.due_on), f"截至 {today:%Y-%m-%d} 尚未办理", pending=True)
