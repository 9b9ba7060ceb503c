"""Web pages of the June round: home, projects, the proposal form, documents, batch submission."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import clock, vault
from ..auth.access import load_project, require_lead_department, require_role
from ..finder.listing import SORT_LABELS, listing  # issue 19: date ranges, sorting, departments by name
from ..domain.errors import InvalidInput, RuleViolation
from ..formkit import row_int, submit
from ..domain.proposal import RongqueItem
from ..domain.roles import AUTHORITY_OF_ROLE, DEPARTMENT_ROLES, NO_PROJECT_ROLES, ROLES
from ..extensions import db
from ..alerts import todo
from ..models import Document, Notification
from ..project_page import contribute, render_project
from . import panels, queries, services
from .fields import parse_proposal
from .forms import BatchForm, ProposalForm, RoundForm, UploadForm

bp = Blueprint("planning", __name__)
contribute(bp, *panels.PANELS)  # the planning panels of the project page (issue 19)


@bp.before_request
@login_required
def require_login():
    """Every page needs a signed-in user; the admin runs accounts, not projects."""
    if current_user.role in NO_PROJECT_ROLES and request.endpoint != "planning.home":
        require_role(current_user, *(r for r in ROLES if r not in NO_PROJECT_ROLES))


@bp.get("/")
def home():
    user = current_user
    context = {}
    if user.role in AUTHORITY_OF_ROLE or user.role == "planner":
        context["queue"] = queries.page_of(queries.review_queue(user), 1, queries.QUEUE_ON_HOME)
    if user.role in DEPARTMENT_ROLES:
        context["projects"] = queries.paginate(queries.list_rows(queries.project_query(user)), 1, 20, rows=True).items
        context["notes"] = db.session.execute(select(Notification).where(
            Notification.user_id == user.id).order_by(Notification.id.desc()).limit(8)).scalars().all()
    # issue 19: the 待办 centre, built from one source; a page of it at a time (issue 24)
    context["todo"] = todo.page_for(user, request.args.get("page", 1, type=row_int))
    if user.role not in NO_PROJECT_ROLES:  # R-DUTIES: the administrators see no projects nor rounds
        context["open_round"] = queries.round_open_on(clock.today())
    return render_template("planning/home.html", **context)


@bp.get("/projects")
def projects():
    args = request.args
    found = listing(current_user, args)
    for problem in found.problems:
        flash(problem, "danger")
    page = queries.paginate(found.query, args.get("page", 1, type=row_int), rows=True)
    return render_template("planning/projects.html", projects=page.items, page=page, args=args, listing=found,
                           sort_labels=SORT_LABELS)


@bp.route("/projects/new", methods=["GET", "POST"])
def new_project():
    require_role(current_user, *DEPARTMENT_ROLES)
    form = ProposalForm()
    done = submit(form, lambda: services.create_project(current_user, parse_proposal(form.to_values())),
                  "草稿已保存", _saved)
    return done or render_template("planning/form.html", form=form, project=None, checklist=None)


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
def edit_project(project_id: int):
    project = load_project(project_id)
    require_lead_department(current_user, project)
    form = ProposalForm()
    if request.method == "GET":
        form.load(project)
    done = submit(form, lambda: services.update_project(current_user, project, parse_proposal(form.to_values())),
                  "已保存", _saved)
    checklist = services.submission_problems(project) if project.state == "draft" else None
    return done or render_template("planning/form.html", form=form, project=project, checklist=checklist)


def _saved(project) -> str:
    """Issue 19 (finding 8): a saved draft says at once what 统一申报 would refuse (the same checks)."""
    problems = services.submission_problems(project) if project.state == "draft" else {}
    if problems:
        flash(f"“{project.name or '未命名项目'}”统一申报前还须处理 {len(problems)} 项："
              f"{'；'.join(problems.values())}", "warning")
    return url_for("planning.project", project_id=project.id, _anchor="checklist" if problems else None)


@bp.get("/projects/<int:project_id>")
def project(project_id: int):
    return render_project(load_project(project_id))


@bp.post("/projects/<int:project_id>/documents")
def upload(project_id: int):
    project = load_project(project_id)
    form = UploadForm()
    done = submit(form, lambda: services.upload_document(
        current_user, project, form.kind.data, form.file.data.filename, form.file.data.read(),
        form.material.data or None), "材料已上传", url_for("planning.project", project_id=project.id,
                                                          _anchor="documents"))
    return done or render_project(project, 400, upload=form)


@bp.get("/projects/<int:project_id>/documents/<int:document_id>")
def download(project_id: int, document_id: int):
    project = load_project(project_id)
    doc = db.session.get(Document, document_id)
    if doc is None or doc.project_id != project.id:
        abort(404)
    # CRYPTO.md: decrypted on the fly, chunk by chunk, each chunk authenticated before it is sent
    return send_file(vault.open_document(doc), mimetype=doc.content_type, as_attachment=True,
                     download_name=doc.filename, conditional=False, etag=False, max_age=0)


def _rongque_rows(project_ids: list[int], names: dict[int, str]) -> dict[int, list[RongqueItem]]:
    """容缺 rows of the batch form: rongque_kind_<id> / rongque_date_<id>; `names`: the projects' names."""
    rows = {}
    for pid in project_ids:
        kind, when = request.form.get(f"rongque_kind_{pid}"), request.form.get(f"rongque_date_{pid}")
        if kind:
            try:
                rows[pid] = [RongqueItem(kind, date.fromisoformat(when or ""))]
            except ValueError:
                raise InvalidInput({f"rongque_date_{pid}": "请填写容缺材料的承诺补齐日期"},
                                   f"“{names.get(pid) or '未命名项目'}”的容缺材料缺少承诺补齐日期") from None
    return rows


@bp.route("/submit", methods=["GET", "POST"])
def submit_batch():
    """R-CONSOLIDATE: the department head's one submission of the department's drafts."""
    require_role(current_user, "dept_admin", rule="R-CONSOLIDATE")
    form, drafts = BatchForm(), queries.department_drafts(current_user)
    selected = [int(i) for i in request.form.getlist("project_id") if i.isdigit()]
    if form.validate_on_submit():
        try:
            chosen = [load_project(pid) for pid in selected]
            services.submit_batch(current_user, chosen, _rongque_rows(selected, {p.id: p.name for p in chosen}))
        except RuleViolation as err:
            flash(err.message, "error")
        else:
            flash(f"已统一申报 {len(chosen)} 个项目，进入联合审核", "success")
            return redirect(url_for("planning.projects"))
    checks = {p.id: services.submission_problems(p) for p in drafts}
    return render_template("planning/submit.html", form=form, drafts=drafts, checks=checks,
                           selected=set(selected), open_round=queries.round_open_on(clock.today()))


@bp.route("/rounds", methods=["GET", "POST"])
def rounds():
    form = RoundForm()
    if request.method == "GET":
        year = clock.today().year
        form.plan_year.data, form.opens_on.data, form.closes_on.data = year + 1, date(year, 6, 1), date(year, 6, 30)
    done = submit(form, lambda: services.open_round(current_user, form.plan_year.data, form.opens_on.data,
                                                    form.closes_on.data),
                  f"{form.plan_year.data} 年度需求征集已开启", url_for("planning.rounds"))
    return done or render_template("planning/rounds.html", form=form, rounds=queries.all_rounds())


from . import plan_views, review_views  # noqa: E402,F401  (these pages share this blueprint)
