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
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import bindparam, select

from . import clock
from .auth.access import READ_WITH_PROJECT
from .auth.services import WITH_SIGNED_IN, read_with_user
from .alerts.deadlines import current_due
from .calendar_store import load_calendar
from .domain.deadlines import KINDS, WORKING_DAY_KINDS, days_left
from .domain.stages import stepper
from .extensions import db
from .formkit import ONCE_FIELD, once_token
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


def shared(page: dict, name: str, build):
    """A read more than one panel needs (the payments, the baselines, the budget changes), made once
    per page and kept in `page` for the panels after it (issue 24: one query per kind of record)."""
    reads = page.setdefault("shared_reads", {})
    if name not in reads:
        reads[name] = build()
    return reads[name]


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
    """The project page, with any refused form passed in `given` (by its key) so its text is kept.

    Issue 24: the page's main content (everything under the layout) is kept rendered, by the project's
    version, per viewer (see `_fragment_key` and docs/PERFORMANCE.md), and the whole page beside it,
    keyed also by what the layout shows besides (its 待办 and unread counts: `_page_key`); a flashed
    message waiting is shown on a layout rendered fresh around the kept content."""
    key = _fragment_key(project, status, given)
    whole_key = _page_key(key)
    whole = _cached(whole_key)
    if whole is not None:
        return whole.fill(), status
    fragment = _cached(key)
    if fragment is None:
        if key is not None:
            db.session.refresh(project)  # its columns as of the version in the key (read after it)
        fragment = _Fragment(_render_main(project, given))
        _keep(key, fragment)
    html = render_template("planning/project.html", project=project, main=fragment.fill())
    _keep(whole_key, _Fragment(html))
    return html, status


def _render_main(project, given: dict) -> str:
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
    return render_template("planning/_project_main.html", groups=groups, next_actions=actions,
                           steps=stepper(project.state, page["stage_dates"]), **page)


# --- issue 24: the rendered main content, kept by the project's version -----------------------------
#
# Why this is honest: a kept fragment is served only while nothing it could show has changed.
# * The version is the project's: the newest event (its hash) of the project itself, of the projects its
#   page names (the similar projects it was matched with: their names and departments), and of the
#   history that belongs to no project (the calendar, departments, accounts, letters and plans of no
#   single project, every scan). Every change to a project appends to its history in the same
#   transaction (so do the contracts, payments, letters and alerts of the project), and everything else
#   a page shows is in the history of no project: a write to an unrelated project leaves the page kept
#   (issue 24: with the whole database's head, a writer every 100 ms made every page be rendered again
#   ten times a second). The hash, not the sequence: a history restored or started again never passes
#   for an older one. Read before the project is refreshed and the panels read their rows, so a
#   fragment is never older than the version it is kept under.
# * Today's date: the days left, the due badges and the forms' default dates move with the day.
# * The viewer: the user's id, role and department (the panels show each role its own forms, actions
#   and what it may see: 涉密 contracts, letters, similar projects), so no viewer gets another's.
# * The query string (?record=all) and the mount point (the links).
# * Never kept: a page answering a refused form (status 400, `given`, finance's g.finance_forms) —
#   it carries what was typed and the errors beside it.
# * What is per request inside the fragment is put back fresh on every serve: the CSRF token (the
#   session's, Flask-WTF's g.csrf_token) and each form's one-time token (formkit.once_field), so a
#   form from a kept page is posted exactly like one freshly rendered.
# Flashed messages, the unread count and the 待办 count are in the layout (base.html), outside the
# fragment; the whole page is kept too, under the fragment's key with the two counts added, and never
# while a flashed message waits (it is shown once). The store is per worker process, bounded (GOVIT_PROJECT_PAGE_CACHE entries, LRU; 0 turns
# it off) and forgets everything when the process ends.

FRAGMENTS_DEFAULT = 256
_fragments: OrderedDict = OrderedDict()
_lock = threading.Lock()
_ONCE = re.compile(rf'(name="{ONCE_FIELD}" value=")[A-Za-z0-9_-]+(")')
_CSRF, _TOKEN = "\x00c\x00", "\x00o\x00"


class _Fragment:
    """Rendered HTML with its per-request tokens cut out: `fill()` puts fresh ones back."""
    __slots__ = ("parts",)

    def __init__(self, html: str):
        csrf = g.get("csrf_token")  # set by Flask-WTF when the fragment rendered a form
        html = _ONCE.sub(lambda m: m.group(1) + _TOKEN + m.group(2), html.replace("\x00", "\ufffd"))
        if csrf:
            html = html.replace(csrf, _CSRF)
        self.parts = tuple(html.split("\x00"))  # text, marker, text, marker, …

    def fill(self) -> Markup:
        parts = self.parts
        if len(parts) == 1:
            return Markup(parts[0])
        out, csrf = [], None
        for i, part in enumerate(parts):
            if not i % 2:
                out.append(part)
            elif part == "c":
                csrf = csrf or generate_csrf()
                out.append(csrf)
            else:
                out.append(once_token())
        return Markup("".join(out))


def _fragment_key(project, status: int, given: dict) -> tuple | None:
    """What the kept fragment depends on (see above); None: render it and keep nothing."""
    if (status != 200 or request.method != "GET" or any(v is not None for v in given.values())
            or g.get("finance_forms") or not current_app.config.get("GOVIT_PROJECT_PAGE_CACHE", FRAGMENTS_DEFAULT)):
        return None
    user = current_user
    return (str(db.engine.url), request.script_root, project.id, _version(project.id), clock.today(),
            user.get_id(), user.role, user.department_id, tuple(sorted(request.args.items(multi=True))))


def _page_key(key: tuple | None) -> tuple | None:
    """The whole page's key: the main content's and what the layout around it shows that the content's
    key does not hold (the menu's 待办 and unread counts); None while a flashed message waits (the
    layout shows it once). The rest of the layout is in the content's key already: the viewer (id,
    role, department), today, the mount point; an account's name and its department's are changed
    through the history of no project, which is in the version."""
    if key is None or session.get("_flashes"):
        return None
    from .navigation import unread_messages, waiting_todo
    return ("page", *key, waiting_todo(current_user), unread_messages(current_user))


def _version_columns(project_id):
    """The three newest hashes of the version (see `_version`)."""
    from .models import Event, SimilarityMatch

    def newest(*where):
        return select(Event.hash).where(*where).order_by(Event.seq.desc()).limit(1).scalar_subquery()
    similar = select(SimilarityMatch.other_id).where(SimilarityMatch.project_id == project_id)
    return (newest(Event.project_id == project_id), newest(Event.project_id.in_(similar)),
            newest(Event.project_id.is_(None)))


def _version_statement():
    """The version's one statement (see `_version`), built once: a parameter for the project."""
    global _VERSION
    if _VERSION is None:
        _VERSION = select(*_version_columns(bindparam("project_id")))
    return _VERSION


def _shown_statement():
    """The page's project and its version in one statement (issue 24: a round trip fewer on
    PostgreSQL): one snapshot, so the version is never older than the project's columns it keys."""
    global _SHOWN
    if _SHOWN is None:
        from .models import Project
        project_id = bindparam("project_id")
        _SHOWN = select(*_shown_columns(project_id)).where(Project.id == project_id)
    return _SHOWN


_VERSION = _SHOWN = None
SHOWN_VERSION = "govit.project_version"  # request.environ: (project id, the version read with it)


def read_shown(project_id: int):
    """The project (None: no such project) for the scope check of a GET of its page, with the page's
    version read in the same statement and held for `_version` (auth.access.READ_WITH_PROJECT): the
    signed-in user's statement, which reads them for this page (auth.services.WITH_SIGNED_IN), or
    else one of its own."""
    row = read_with_user("planning.project", project_id)
    if row is None:
        row = db.session.execute(_shown_statement(), {"project_id": project_id}).one_or_none()
    if row is None or row[0] is None:
        return None
    request.environ[SHOWN_VERSION] = (project_id, tuple(row[1:]))
    return row[0]


def _shown_columns(project_id):
    from .models import Project
    return (Project, *_version_columns(project_id))


READ_WITH_PROJECT["planning.project"] = read_shown
WITH_SIGNED_IN["planning.project"] = _shown_columns


def _version(project_id: int) -> tuple:
    """The hashes of the newest events the page depends on (see above); read with the project when
    the scope check loaded it by `read_shown`. (The history's head, which the layout's 待办 count is
    kept by, came with the signed-in user: alerts.dashboard.held_head.)"""
    shown = request.environ.pop(SHOWN_VERSION, None)
    if shown is not None and shown[0] == project_id:
        return shown[1]
    # columns, on the session's connection: no entity to build on every serve of a kept page
    return tuple(db.session.connection().execute(_version_statement(), {"project_id": project_id}).one())


def _cached(key) -> "_Fragment | None":
    if key is None:
        return None
    with _lock:
        found = _fragments.get(key)
        if found is not None:
            _fragments.move_to_end(key)
        return found


def _keep(key, fragment: _Fragment) -> None:
    if key is None:
        return
    limit = current_app.config.get("GOVIT_PROJECT_PAGE_CACHE", FRAGMENTS_DEFAULT)
    with _lock:
        _fragments[key] = fragment
        _fragments.move_to_end(key)
        while len(_fragments) > limit:
            _fragments.popitem(last=False)


def forget_fragments() -> None:
    """Drop every kept fragment (tests)."""
    with _lock:
        _fragments.clear()
