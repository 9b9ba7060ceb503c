"""Shared bits of the web forms: options, refusals shown beside their fields, the submit pattern."""
from collections.abc import Callable

from flask import flash, redirect
from wtforms.fields.choices import SelectChoice

from .domain.errors import InvalidInput, RuleViolation

FIELD_ALIASES = {"annual_investments": "annual", "co_departments": "participants"}


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs or a {value: label} mapping."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


def show_errors(form, err: RuleViolation) -> None:
    """Put a refusal next to the fields it names, keeping what was typed."""
    placed = False
    for name, message in err.fields.items():
        target = FIELD_ALIASES.get(name, name)
        if target in form._fields:
            form[target].errors = list(form[target].errors) + [message]
            placed = True
    flash(err.message if not placed or not isinstance(err, InvalidInput) else "请按提示修改标红的内容", "error")


def submit(form, call: Callable[[], object], done: str, target: Callable[[object], str] | str):
    """Validate, call one service, then redirect with `done`; None when the form must be shown again.

    A rule's refusal stays beside the form (what was typed is kept); Forbidden and NotFound are not
    RuleViolations, so they still answer 403 and 404.
    """
    if not form.validate_on_submit():
        return None
    try:
        result = call()
    except RuleViolation as err:
        show_errors(form, err)
        return None
    flash(done, "success")
    return redirect(target(result) if callable(target) else target)


def row_int(text: str) -> int:
    """`request.args.get(name, type=row_int)`: an integer a database column holds (32-bit), else
    ValueError, which makes `get` answer its default, as for text that is no number at all."""
    value = int(text)
    if not -2**31 <= value < 2**31:
        raise ValueError(text)
    return value


class LazyForms(dict):
    """The forms of a page, each built when the template first uses it: a page offers only the
    steps the viewer may take in the project's state, so most forms are never built."""

    def __init__(self, classes: dict, given: dict, prefixed: bool = True):
        super().__init__({key: form for key, form in given.items() if key in classes and form is not None})
        self._classes, self._prefixed = classes, prefixed

    def __missing__(self, key):
        cls = self._classes[key]
        form = self[key] = cls(prefix=key) if self._prefixed else cls()
        return form
