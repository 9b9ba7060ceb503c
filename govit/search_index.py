"""Keeps each project's search words current (issue 19, Build 4): whenever a project is inserted or
its name, content or goals change, whoever writes it (web, API, CLI, demo), its words are cut again
with jieba (domain.search) and written in the same flush. A search reads the words, never re-cuts."""
from sqlalchemy import delete, event, insert, inspect

from .domain.search import weighted_words
from .models import Project, SearchWord

FIELDS = ("name", "content_scale", "performance_goals")


def word_rows(project_id: int, name: str, content: str, goals: str) -> list[dict]:
    """The search_word rows of one project."""
    return [{"project_id": project_id, "word": word, "weight": weight}
            for word, weight in weighted_words(name or "", content or "", goals or "").items()]


def _write(connection, project: Project, replace: bool) -> None:
    if replace:
        connection.execute(delete(SearchWord).where(SearchWord.project_id == project.id))
    rows = word_rows(project.id, project.name, project.content_scale, project.performance_goals)
    if rows:
        connection.execute(insert(SearchWord), rows)


@event.listens_for(Project, "after_insert")
def _on_insert(mapper, connection, project: Project) -> None:
    _write(connection, project, replace=False)


@event.listens_for(Project, "after_update")
def _on_update(mapper, connection, project: Project) -> None:
    state = inspect(project)
    if any(state.attrs[f].history.has_changes() for f in FIELDS):
        _write(connection, project, replace=True)
