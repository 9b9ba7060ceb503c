"""Departments as people name them (issue 19, finding 6): the table read once per request (kept by
the worker while the history has not moved), a datalist for every department field, and the one
resolver the web and the API use."""
from flask import flash, g, has_request_context
from sqlalchemy import select

from ..domain.departments import resolve_department
from ..domain.errors import InvalidInput
from ..extensions import db
from ..models import Department


def department_table() -> dict[str, str]:
    """{code: name} of every department, read at most once per request; a GET keeps it in the worker
    while the history's head it holds has not moved (issue 24: a round trip fewer on every list and
    form with a department field). Every department govit adds is recorded (create_department, and
    the authorities `govit init` adds to a system with a history), so a new one moves the head."""
    if has_request_context() and "department_table" in g:
        return g.department_table
    from ..alerts.dashboard import kept_by_head
    table = kept_by_head("department_table", lambda: dict(db.session.execute(
        select(Department.code, Department.name).order_by(Department.code)).all()))
    if has_request_context():
        g.department_table = table
    return table


def resolve(text: str | None, field: str = "department") -> str | None:
    """The code of the department `text` names (code, name, part or short name); None for nothing
    typed; InvalidInput naming the field for an unknown or ambiguous one."""
    if not (text or "").strip():
        return None
    return resolve_department(text.strip(), department_table(), field)


def department_options() -> list[tuple[str, str]]:
    """(code, name) pairs for the <datalist> of department names (templates/_departments.html)."""
    return list(department_table().items())


def filter_code(text: str | None) -> str | None:
    """A list filter's department: its code; for an unknown or ambiguous name the message is
    flashed and the text is kept, which is no department's code, so the list shows nothing."""
    try:
        return resolve(text)
    except InvalidInput as err:
        flash(err.fields["department"], "danger")
        return text
