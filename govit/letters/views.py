"""The 文书 section of the project page and of the plan page: generate, download, upload the edited
DOCX, make final. Thin views: one service each; a refusal is flashed with its reason."""
from flask import Blueprint, flash, redirect, request, send_file, url_for
from flask_login import current_user
import io

from ..auth.access import load_project
from ..domain.errors import InvalidInput, RuleViolation
from ..domain.letters import KINDS, PROJECT_KINDS, STATUS_LABELS
from ..domain.roles import DEPARTMENT_ROLES
from ..planning import plans
from ..project_page import Panel, contribute
from . import services

bp = Blueprint("letters", __name__)


def panel(project) -> dict:
    """The project page's 文书 section (templates/letters/_panel.html)."""
    return {"letters": [x for x in services.project_letters(project) if services.visible(current_user, x)],
            "labels": KINDS, "status": STATUS_LABELS,
            "kinds": [(k, KINDS[k].label) for k in PROJECT_KINDS if current_user.role in KINDS[k].roles]}


def plan_panel(plan) -> dict:
    """The plan page's 文书 section: the plan's 下达通知 and the monthly 通报 (not for departments' eyes)."""
    letters = [x for x in services.plan_letters(plan) if services.visible(current_user, x)
               and (x.kind != "monthly_bulletin" or current_user.role not in DEPARTMENT_ROLES)]
    return {"letters": letters, "labels": KINDS, "status": STATUS_LABELS,
            "may_issue": current_user.role in KINDS["plan_notice"].roles}


# the 文书 section of the project page, in 材料 (issue 19's panel registry)
contribute(bp, Panel("letters", "materials", 20, "letters/_panel.html",
                     lambda project, page, given: {"project_letters": panel(project)}))


@bp.app_template_global()
def letters_panel(project=None, plan=None) -> dict:
    return panel(project) if project is not None else plan_panel(plan)


def _done(call, message: str, target: str):
    try:
        call()
        flash(message, "success")
    except RuleViolation as err:  # Forbidden and NotFound answer 403 / 404
        fields = "；".join(err.fields.values()) if isinstance(err, InvalidInput) and err.fields else ""
        flash(fields or err.message, "danger")
    return redirect(target)


def _project_target(project_id: int) -> str:
    return url_for("planning.project", project_id=project_id, _anchor="letters")


@bp.post("/projects/<int:project_id>/letters")
def generate(project_id: int):
    project = load_project(project_id)
    kind = request.form.get("kind", "")
    return _done(lambda: services.generate(current_user, project, kind), "文书草稿已生成，可下载 Word 修改后上传，再定稿",
                 _project_target(project_id))


@bp.get("/projects/<int:project_id>/letters/<int:letter_id>.<fmt>")
def download(project_id: int, letter_id: int, fmt: str):
    letter = services.check_visible(current_user, services.get_letter(letter_id, load_project(project_id)))
    data, mimetype, name = services.file_of(letter, fmt)
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


def _upload(letter, target: str):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("请选择修改后的 Word 文件（.docx）", "danger")
        return redirect(target)
    return _done(lambda: services.upload_edit(current_user, letter, upload.filename, upload.read()),
                 "修改后的文书已上传（新版本）", target)


@bp.post("/projects/<int:project_id>/letters/<int:letter_id>/upload")
def upload(project_id: int, letter_id: int):
    letter = services.get_letter(letter_id, load_project(project_id))
    return _upload(letter, _project_target(project_id))


@bp.post("/projects/<int:project_id>/letters/<int:letter_id>/final")
def finalize(project_id: int, letter_id: int):
    letter = services.get_letter(letter_id, load_project(project_id))
    return _done(lambda: services.finalize(current_user, letter), "文书已定稿：文号已编定，PDF 已固化",
                 _project_target(project_id))


# ---- the plan page: 下达通知 and the monthly 通报 -----------------------------------------------
def _plan_target(letter) -> str:
    if letter is not None and letter.plan_id:
        return url_for("planning.plan_page", plan_id=letter.plan_id, _anchor="letters")
    return request.referrer or url_for("planning.plan_list")


@bp.post("/plans/<int:plan_id>/letters")
def generate_plan(plan_id: int):
    plan = plans.get_plan(plan_id)
    kind = request.form.get("kind", "plan_notice")
    call = (lambda: services.generate_bulletin(current_user)) if kind == "monthly_bulletin" else \
        (lambda: services.generate_plan_notice(current_user, plan))
    return _done(call, "文书草稿已生成", url_for("planning.plan_page", plan_id=plan_id, _anchor="letters"))


def _province_letter(letter_id: int):
    letter = services.get_letter(letter_id)
    if letter.kind == "monthly_bulletin" and current_user.role in DEPARTMENT_ROLES:
        from ..domain.errors import Forbidden
        raise Forbidden("月度通报报送省政府领导和主管部门", rule="R-SCOPE")
    return services.check_visible(current_user, letter)


@bp.get("/letters/<int:letter_id>.<fmt>")
def download_plan_letter(letter_id: int, fmt: str):
    data, mimetype, name = services.file_of(_province_letter(letter_id), fmt)
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.post("/letters/<int:letter_id>/upload")
def upload_plan_letter(letter_id: int):
    letter = _province_letter(letter_id)
    return _upload(letter, _plan_target(letter))


@bp.post("/letters/<int:letter_id>/final")
def finalize_plan_letter(letter_id: int):
    letter = _province_letter(letter_id)
    return _done(lambda: services.finalize(current_user, letter), "文书已定稿：文号已编定，PDF 已固化",
                 _plan_target(letter))
