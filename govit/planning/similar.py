"""R-NO-SPLIT: on submission, find the department's other proposals and recent projects that match."""
from flask import current_app
from sqlalchemy import delete, or_, select

from ..domain.similarity import close_matches
from ..extensions import db
from ..models import Project, SimilarityMatch

LOOKBACK_YEARS = 3  # "all projects of the last years": the last three plan years


def comparable_text(project: Project) -> str:
    """Goal, content and technical route (第八条), with the name and basis that state the goal."""
    return "\n".join((project.name, project.basis, project.content_scale, project.performance_goals,
                      project.technical_route))


def candidates(project: Project) -> list[Project]:
    year = project.plan_year or 0
    query = select(Project).where(
        Project.id != project.id, Project.state != "terminated",
        or_(Project.department_id == project.department_id,
            Project.plan_year.between(year - LOOKBACK_YEARS, year)))
    return list(db.session.execute(query).unique().scalars())


def record_similar(project: Project) -> list[SimilarityMatch]:
    """Replace the project's stored matches with those at or above the configured threshold."""
    threshold = current_app.config["GOVIT_SIMILARITY_THRESHOLD"]
    others = candidates(project)
    found = close_matches(comparable_text(project), [(o.id, comparable_text(o)) for o in others], threshold)
    db.session.execute(delete(SimilarityMatch).where(SimilarityMatch.project_id == project.id))
    by_id = {o.id: o for o in others}
    matches = [SimilarityMatch(project_id=project.id, other_id=i, other=by_id[i], score=s) for i, s in found]
    db.session.add_all(matches)
    return matches
