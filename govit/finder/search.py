"""Search across projects (issue 19, Build 4): name, 项目代码, department, content and goals, ranked,
within what the user may see (planning.queries.scoped_projects, the project list's scope).

Each project's words are stored with their weights when it is written (search_index); a query is
cut into words the same way and read off the word index, so no request re-cuts 20,000 projects."""
from sqlalchemy import case, func, or_, select

from ..domain.departments import match_departments
from ..domain.search import WEIGHTS, query_words
from ..extensions import db
from ..models import Department, Project, SearchWord
from ..planning import queries
from .departments import department_table

RESULT_COLUMNS = (Project.id, Project.name, Project.urgent, Project.plan_year, Project.total_investment,
                  Project.state, Project.online_code, queries.of_department("name", "department_name"))


def _departments_named(text: str, found: list[str]) -> list[int]:
    """The departments the query names: the whole of it as a department field takes it (人社厅, RST,
    domain.departments), or a word of two characters or more in a name (交通); one statement."""
    codes = match_departments(text, department_table())
    codes = codes if len(codes) == 1 else []  # 省厅 could be any: it names none
    named = [w for w in found if len(w) > 1]
    return list(db.session.execute(select(Department.id).where(or_(
        Department.code.in_(codes), *(Department.name.contains(w, autoescape=True) for w in named)))).scalars())


def search_query(user, text: str):
    """The scoped select of matching list rows with their `score`, best first (None: nothing to find)."""
    text = (text or "").strip()[:100]
    found = query_words(text)
    if not found:
        return None
    words = (select(SearchWord.project_id, func.sum(SearchWord.weight).label("weight"))
             .where(SearchWord.word.in_(found)).group_by(SearchWord.project_id).subquery())
    departments = _departments_named(text, found)
    code = Project.online_code.contains(text, autoescape=True)
    phrase = Project.name.contains(text, autoescape=True)
    in_department = Project.department_id.in_(departments)
    score = (func.coalesce(words.c.weight, 0) + case((code, WEIGHTS["code"]), else_=0)
             + case((phrase, WEIGHTS["name_phrase"]), else_=0)
             + case((in_department, WEIGHTS["department"]), else_=0)).label("score")
    return (queries.with_department(queries.scoped_projects(user).outerjoin(words, words.c.project_id == Project.id)
                                    .where(or_(words.c.project_id.is_not(None), code, phrase, in_department)),
                                    *RESULT_COLUMNS, score).order_by(score.desc(), Project.id.desc()))
