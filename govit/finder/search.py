"""Search across projects (issue 19, Build 4): name, 项目代码, department, content and goals, ranked,
within what the user may see (planning.queries.scoped_projects, the project list's scope).

Each project's words are stored when it is written (search_index); a query is cut into words the
same way and each word is looked up whole (LIKE '% 词 %'), so no request re-cuts 20,000 projects."""
from sqlalchemy import Integer, case, literal, or_, select

from ..domain.search import WEIGHTS, query_words
from ..extensions import db
from ..models import Department, Project
from ..planning import queries

RESULT_COLUMNS = (Project.id, Project.name, Project.urgent, Project.plan_year, Project.total_investment,
                  Project.state, Project.online_code, queries.of_department(Department.name, "department_name"))


def _word(column, word: str):
    return column.like(f"% {word.replace('%', '').replace('_', '')} %")


def search_query(user, text: str):
    """The scoped select of matching list rows with their `score`, best first (None: nothing to find)."""
    text = (text or "").strip()[:100]
    found = query_words(text)
    if not found:
        return None
    # departments named by a word (人社, 交通, RST): a small table, read once
    departments = {}
    for word in found:
        hits = db.session.execute(select(Department.id).where(or_(
            Department.name.contains(word, autoescape=True), Department.code == word.upper()))).scalars().all()
        if hits:
            departments[word] = hits
    parts, hits = [], []
    phrase = Project.name.contains(text, autoescape=True)
    code = Project.online_code.contains(text, autoescape=True)
    for condition, weight in ((code, WEIGHTS["code"]), (phrase, WEIGHTS["name_phrase"])):
        parts.append(case((condition, weight), else_=0))
        hits.append(condition)
    for word in found:
        title, body = _word(Project.search_title, word), _word(Project.search_body, word)
        parts += [case((title, WEIGHTS["title"]), else_=0), case((body, WEIGHTS["body"]), else_=0)]
        hits += [title, body]
        if word in departments:
            in_department = Project.department_id.in_(departments[word])
            parts.append(case((in_department, WEIGHTS["department"]), else_=0))
            hits.append(in_department)
    score = sum(parts[1:], parts[0]).cast(Integer).label("score") if parts else literal(0).label("score")
    return (queries.scoped_projects(user).where(or_(*hits))
            .with_only_columns(*RESULT_COLUMNS, score).order_by(score.desc(), Project.id.desc()))
