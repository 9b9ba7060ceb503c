"""The ledger page (issue 20): template, upload and check, annotated copy, confirmed import, export.
For a department's `dept_admin` (its own rows) and the `planner` (any department)."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import clock
from ..auth.access import require_role
from ..domain.errors import RuleViolation
from ..extensions import db
from ..models import LedgerBatch
from . import services
from .forms import LedgerImportForm, LedgerUploadForm

bp = Blueprint("ledger", __name__, url_prefix="/ledger")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str) -> Response:
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={name}"})


CHECKED = "ledger_checked"  # session: (user id, sha256) of the file this user checked last


def _page(status: int = 200, **context):
    query = select(LedgerBatch).order_by(LedgerBatch.id.desc()).limit(10)
    if current_user.role == "dept_admin":  # a department sees its own batches only
        query = query.where(LedgerBatch.department_code == current_user.department.code)
    batches = db.session.execute(query).scalars()
    return render_template("ledger/index.html", upload=context.pop("upload", LedgerUploadForm()),
                           batches=list(batches), **context), status


@bp.get("")
def index():
    require_role(current_user, *services.IMPORTERS)
    return _page()


@bp.get("/template.xlsx")
def template():
    require_role(current_user, *services.IMPORTERS)
    return _xlsx(services.template_bytes(), "ledger-template.xlsx")


@bp.get("/export.xlsx")
def export():
    require_role(current_user, *services.IMPORTERS)
    return _xlsx(services.export_bytes(current_user), f"ledger-{clock.today():%Y%m%d}.xlsx")


@bp.post("/check")
def check():
    """Read and check every row; the file is kept by its sha256 for the confirmed import."""
    require_role(current_user, *services.IMPORTERS)
    form = LedgerUploadForm()
    if not form.validate_on_submit():
        return _page(400, upload=form)
    data, name = form.file.data.read(), form.file.data.filename or "ledger.xlsx"
    try:
        report = services.check_ledger(data, name, current_user)
    except RuleViolation as err:
        form.file.errors = [err.message]
        return _page(400, upload=form)
    _forget()  # the previous check's file is replaced by this one
    services.keep_upload(data)  # CRYPTO.md: SM4-sealed at rest (issue 23)
    session[CHECKED] = [current_user.id, report.sha256]
    confirm = LedgerImportForm(formdata=None, sha256=report.sha256, filename=report.filename)
    return _page(report=report, confirm=confirm)


def _forget() -> None:
    """The stored upload is kept only between its check and its import (or the next check)."""
    checked = session.pop(CHECKED, None)
    if checked:
        services.discard_upload(checked[1])


def _stored(sha256: str) -> bytes:
    """The file this user checked last: never another person's upload (its sha256 is in the history)."""
    if session.get(CHECKED) != [current_user.id, sha256]:
        abort(404)
    data = services.kept_upload(sha256)
    if data is None:
        abort(404)
    return data


@bp.get("/<sha256>/annotated.xlsx")
def annotated(sha256: str):
    """The uploaded workbook with its problem cells marked red and commented."""
    require_role(current_user, *services.IMPORTERS)
    data = _stored(sha256)
    report = services.check_ledger(data, "ledger.xlsx", current_user)
    return _xlsx(services.annotated_bytes(data, report), f"ledger-checked-{sha256[:8]}.xlsx")


@bp.post("/import")
def confirm():
    """The confirmed import: one transaction; refused whole while a row has an error (unless chosen)."""
    require_role(current_user, *services.IMPORTERS)
    form = LedgerImportForm()
    if not form.validate_on_submit():
        flash("请先上传并检查台账，再确认导入", "error")
        return redirect(url_for("ledger.index"))
    data = _stored(form.sha256.data)
    try:
        _, batch = services.import_ledger(current_user, data, form.filename.data or "ledger.xlsx",
                                          only_valid=form.only_valid.data)
    except RuleViolation as err:
        flash(err.message, "error")
        return redirect(url_for("ledger.index"))
    _forget()
    flash(f"台账已导入：新增 {batch.created} 个项目，更新 {batch.updated} 个，未改动 {batch.skipped} 行", "success")
    return redirect(url_for("ledger.index"))
