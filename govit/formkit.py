"""Shared bits of the web forms: options, refusals shown beside their fields, the submit pattern."""
import re
import secrets
from collections.abc import Callable

from flask import flash, has_request_context, redirect, request, url_for
from flask_wtf import FlaskForm as _FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import Form as _Form
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta

from .domain.errors import InvalidInput, RuleViolation
from .domain.money import MoneyError, parse_money

# The formats both the web forms and the API check (one validation path, issue 16)
MONTH = re.compile(r"20\d\d-(0[1-9]|1[0-2])")  # YYYY-MM: a report period, a start or end month
YEAR = re.compile(r"20\d\d")
TEXT_LIMIT = 5000  # a note, a reason, a summary: the web forms' Length(max=5000)

FIELD_ALIASES = {"annual_investments": "annual", "co_departments": "participants"}


class _ChineseMeta:
    """WTForms' own messages ("Field cannot be longer than 200 characters.") in its Chinese
    translation; Flask-WTF would look for Flask-Babel, which govit does not use."""

    locales = ("zh",)

    def get_translations(self, form):
        return DefaultMeta.get_translations(self, form)

    def wrap_formdata(self, form, formdata):
        """A web form reads form fields only: a JSON body (which Flask-WTF would turn into form
        data, failing on a list or a number) counts as an empty form, refused field by field."""
        if formdata is not None and has_request_context() and request.is_json:
            return ImmutableMultiDict()
        return super().wrap_formdata(form, formdata)


class FlaskForm(_FlaskForm):
    """Every web form of govit: Flask-WTF's (CSRF), with WTForms' messages in Chinese."""

    class Meta(_ChineseMeta):
        pass


class Form(_Form):
    """A row of a FieldList (FormField): its own messages in Chinese too."""

    class Meta(_ChineseMeta):
        pass


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


def amount(field) -> object:
    """The field's text as Decimal yuan; a malformed amount is a 400 beside the field (the approval
    and construction steps both read money this way)."""
    try:
        return parse_money(field.data, allow_zero=False)
    except MoneyError as exc:
        raise InvalidInput({field.short_name: str(exc)}) from None


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


ONCE_FIELD = "once_token"  # a web form's one-time token (issue 16 Build 4)


def once_token() -> str:
    """A fresh one-time token for a web form (the project page's kept forms get theirs here too)."""
    return secrets.token_urlsafe(16)


def once_field() -> Markup:
    """The hidden one-time token a form carries (templates: `{{ once_field() }}` beside the CSRF token)."""
    return Markup(f'<input type="hidden" name="{ONCE_FIELD}" value="{once_token()}">')


def register_once_tokens(app) -> None:
    """A form posted twice (a double click, a resubmitted page, a retry after a lost answer) files
    once: its token is claimed in the same transaction as the write the form asks for, so the
    second post finds it and changes nothing. A refused form claims nothing (the service rolled
    back), so the corrected form can be sent again."""
    from datetime import timedelta

    from flask_login import current_user
    from sqlalchemy import delete
    from sqlalchemy.exc import IntegrityError

    from . import clock
    from .extensions import db
    from .models import RequestKey

    app.add_template_global(once_field)

    @app.before_request
    def claim_once_token():
        if request.method != "POST" or request.path.startswith("/api/") or not current_user.is_authenticated:
            return None
        token = request.form.get(ONCE_FIELD, "")
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token):
            return None  # a form without a token (or with a mangled one) is an ordinary post
        now = clock.now()
        db.session.execute(delete(RequestKey).where(RequestKey.user_id == current_user.id,
                                                    RequestKey.created_at < now - timedelta(hours=24)))
        db.session.add(RequestKey(user_id=current_user.id, key=f"form:{token}", fingerprint=request.path[:64],
                                  created_at=now))
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            flash("该表单已经提交过，本次未重复办理", "warning")
            back = request.referrer or ""  # back to the page the form was on, if it is one of ours
            return redirect(back if back.startswith(request.host_url) else url_for("planning.home"), 303)
        return None
