"""The project page, composed in one place from the panels each stage contributes (issue 19).

Each stage blueprint registers its panels at start-up (`contribute(bp, Panel(...))`); the page asks
every panel, in group order, for its context and for what the viewer should do next. No stage's
views import another's: they all render the page through `render_project` here.

Register a panel::

    from ..project_page import Action, Panel, contribute

    def letters_context(project, page, given):      # None: the panel is not shown
        return {"letters": letters_of(project)}     # merged into the page's context

    def letters_actions(project, page):              # optional: what the viewer must do here
        return [Action("出具文书", "…一句说明…", "letters")] if ... else []

    contribute(bp, Panel("letters", "approval", 30, "letters/_panel.html", letters_context,
                         letters_actions, empty="暂无文书"))
"""
from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, current_app, render_template, request

from . import clock
from .alerts.deadlines import current_due
from .calendar_store import load_calendar
from .domain.deadlines import KINDS, WORKING_DAY_KINDS, days_left
from .domain.stages import stepper
from .history import project_events, recent_events
from .reports.record import record_of

# the page's groups, in order: anchor id, heading, what an empty group says
GROUPS = (("overview", "概览", "暂无概览信息"),
          ("joint-review", "联合审核", "暂无联合审核信息"),
          ("approval-funds", "审批与资金", "项目尚未进入审批阶段，暂无审批与资金信息"),
          ("build-acceptance", "建设与验收", "项目尚未进入建设阶段，暂无建设与验收信息"),
          ("materials", "材料", "暂无材料"),
          ("full-record", "全流程记录", "暂无记录"))
GROUP_KEYS = tuple(key for key, _, _ in GROUPS)


@dataclass(frozen=True)
class Action:
    """The next step for the viewer: a heading, one line saying why, and the anchor of its form."""
    title: str
    hint: str
    anchor: str
    href: str | None = None  # a page of its own instead of an anchor (e.g. 修改申报内容)


@dataclass(frozen=True)
class Panel:
    """One part of the project page: `context(project, page, given)` returns the names its template
    reads (merged into the page; `page` holds what earlier panels returned) or None when the panel
    is not shown; `actions(project, page)` lists what the viewer may do there."""
    name: str
    group: str
    order: int
    template: str
    context: Callable[[object, dict, dict], dict | None]
    actions: Callable[[object, dict], list[Action]] | None = None
    empty: str = ""  # what the panel says when it renders no text (instead of an empty box)


def contribute(bp: Blueprint, *panels: Panel) -> None:
    """Register `panels` on every app `bp` is registered on (at start-up, once per app)."""
    for panel in panels:
        if panel.group not in GROUP_KEYS:
            raise ValueError(f"unknown project page group {panel.group!r}")
    bp.record_once(lambda state: _registry(state.app).extend(panels))


def _registry(app) -> list[Panel]:
    return app.extensions.setdefault("govit_project_panels", [])


def panels_of(app) -> list[Panel]:
    """The app's panels in page order (group, then order)."""
    return sorted(_registry(app), key=lambda p: (GROUP_KEYS.index(p.group), p.order, p.name))


def running_deadline(kind: str, due) -> dict:
    """R-ALERT: the deadline the project waits on, its label and the days left (negative: late),
    counted as the scan counts them (working days where the rule counts them)."""
    return {"kind": kind, "label": KINDS[kind], "due": due, "unit": "个工作日" if kind in WORKING_DAY_KINDS else "天",
            "left": days_left(kind, clock.today(), due.due_on, load_calendar())}


def stage_dates(project) -> dict:
    """The day the project entered each stage, from its own columns (panels may add to them)."""
    return {"proposal": project.created_at.date() if project.created_at else None,
            "review": project.submitted_on, "plan": project.concluded_on if project.state != "review_failed" else None,
            "feasibility": project.feasibility_submitted_on, "design": project.design_submitted_on,
            "acceptance": project.acceptance_applied_on, "operation": project.live_on or project.accepted_on}


def render_project(project, status: int = 200, **given):
    """The project page, with any refused form passed in `given` (by its key) so its text is kept."""
    running = current_due(project)  # the deadline the API's `due` and the scan watch (one source)
    events, more_events = ((project_events(project.id), False) if request.args.get("record") == "all"
                           else recent_events(project.id))
    page = {"project": project, "running": running and running_deadline(*running),  # issue 19 finding 10
            "events": record_of(project, events, pending=False), "more_events": more_events,  # R-FULL-RECORD
            "stage_dates": stage_dates(project)}
    shown, actions = [], []
    for panel in panels_of(current_app):
        context = panel.context(project, page, given)
        if context is None:
            continue
        page.update(context)
        shown.append(panel)
        if panel.actions:
            actions.extend(panel.actions(project, page))
    groups = [(key, label, empty, [p for p in shown if p.group == key]) for key, label, empty in GROUPS]
    return render_template("planning/project.html", groups=groups, next_actions=actions,
                           steps=stepper(project.state, page["stage_dates"]), **page), status
