"""Keeps each project's search words current (issue 19, Build 4): whenever a project is inserted or
its name, content or goals change, whoever writes it (web, API, CLI, demo), its words are cut again
with jieba (domain.search) in the same flush. A search then reads stored words, never re-cuts."""
from sqlalchemy import event, inspect

from .domain.search import indexed_text
from .models import Project

TITLE_FIELDS = ("name",)
BODY_FIELDS = ("content_scale", "performance_goals")


def refresh(project: Project) -> None:
    """Cut the project's words again."""
    project.search_title = indexed_text(*(getattr(project, f) or "" for f in TITLE_FIELDS))
    project.search_body = indexed_text(*(getattr(project, f) or "" for f in BODY_FIELDS))


@event.listens_for(Project, "before_insert")
def _on_insert(mapper, connection, project: Project) -> None:
    refresh(project)


@event.listens_for(Project, "before_update")
def _on_update(mapper, connection, project: Project) -> None:
    state = inspect(project)
    if any(state.attrs[f].history.has_changes() for f in TITLE_FIELDS + BODY_FIELDS):
        refresh(project)
