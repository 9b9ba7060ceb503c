"""Web pages of the June round: home, projects, the proposal form, documents, batch submission."""
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import clock, vault
from ..calendar_store import load_calendar
from ..auth.access import load_project, require_lead_department, require_role
from ..domain.deadlines import KINDS, WORKING_DAY_KINDS, days_left
from ..domain.errors import InvalidInput, RuleViolation
from ..formkit import LazyForms, row_int, submit
from ..domain.proposal import RongqueItem
from ..domain.roles import AUTHORITY_OF_ROLE, DEPARTMENT_ROLES, NO_PROJECT_ROLES, ROLES, sees_all_projects
from ..extensions import db
from ..history import project_events, recent_events
from ..reports.record import record_of
from ..models import Document, Notification
from . import queries, review, services
from .fields import parse_proposal
from .forms import (AnswerForm, BatchForm, ConsentForm, OpinionForm, ProposalForm, ReasonForm, RoundForm,
                    UploadForm)

bp = Blueprint("planning", __name__)
STAGE_ONE = frozenset({"draft", "joint_review", "supplement_requested", "review_passed", "review_failed"})


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
        context["queue"] = queries.review_queue(user)
    if user.role in DEPARTMENT_ROLES:
        context["projects"] = queries.paginate(queries.list_rows(queries.project_query(user)), 1, 20, rows=True).items
        context["notes"] = db.session.execute(select(Notification).where(
            Notification.user_id == user.id).order_by(Notification.id.desc()).limit(8)).scalars().all()
    if user.role in NO_PROJECT_ROLES:  # R-DUTIES: each administrator starts on its own page
        return redirect(url_for("admin.departments" if user.role == "admin" else "admin.users"))
    context["open_round"] = services.open_round_on(clock.today())
    return render_template("planning/home.html", **context)


@bp.get("/projects")
def projects():
    args = request.args
    query = queries.project_query(current_user, args.get("state") or None, args.get("department") or None,
                                  args.get("plan_year", type=row_int), args.get("q") or None)
    page = queries.paginate(queries.list_rows(query), args.get("page", 1, type=row_int), rows=True)
    return render_template("planning/projects.html", projects=page.items, page=page, args=args)


@bp.route("/projects/new", methods=["GET", "POST"])
def new_project():
    require_role(current_user, *DEPARTMENT_ROLES)
    form = ProposalForm()
    done = submit(form, lambda: services.create_project(current_user, parse_proposal(form.to_values())),
                  "草稿已保存", lambda project: url_for("planning.project", project_id=project.id))
    return done or render_template("planning/form.html", form=form, project=None)


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
def edit_project(project_id: int):
    project = load_project(project_id)
    require_lead_department(current_user, project)
    form = ProposalForm()
    if request.method == "GET":
        form.load(project)
    done = submit(form, lambda: services.update_project(current_user, project, parse_proposal(form.to_values())),
                  "已保存", url_for("planning.project", project_id=project.id))
    return done or render_template("planning/form.html", form=form, project=project)


def render_project(project, status=200, **given):
    """The project page, with any refused form passed in so its text is kept."""
    forms = LazyForms({"upload": UploadForm, "opinion": OpinionForm, "answer": AnswerForm, "expert": ReasonForm,
                       "terminate": ReasonForm, "consent": ConsentForm}, given, prefixed=False)
    from ..acceptance.views import panel_context as build_panel  # later stages add their panels
    from ..approval.views import panel_context as approval_panel
    mine = AUTHORITY_OF_ROLE.get(current_user.role)
    extra = {}
    if project.state not in STAGE_ONE:
        extra = approval_panel(project, **given)
        extra.update(build_panel(project, extra["current_total"], **given))
    reviewing = project.state in review.IN_REVIEW
    supplements = review.open_supplements(project) if reviewing else []
    from ..api.serialize import current_due  # the deadline the API's `due` and the scan watch (one source)
    running = current_due(project)
    events, more_events = ((project_events(project.id), False) if request.args.get("record") == "all"
                           else recent_events(project.id))
    return render_template(
        "planning/project.html", project=project, forms=forms, more_events=more_events,
        events=record_of(project, events, pending=False),  # R-FULL-RECORD
        due=review.review_due_for(project) if reviewing else None,
        latest=review.latest_opinions(project), my_authority=mine,
        # 补正 and expert reviews pause the joint review: the page shows them only while it runs
        waiting_me=any(s.authority == mine for s in supplements), open_supplements=supplements,
        expert_running=reviewing and any(e.finished_on is None for e in project.expert_reviews),
        # R-NO-SPLIT: the matches are for the reviewers and the planner, not other departments' eyes
        similar=project.similar if sees_all_projects(current_user.role) else [],
        threshold=current_app.config["GOVIT_SIMILARITY_THRESHOLD"],
        running=running and running_deadline(*running),  # issue 19 (finding 10): the header's deadline
        rongque_left=queries.rongque_days_left, classification_form=_classification_form(given), **extra), status


def running_deadline(kind: str, due) -> dict:
    """R-ALERT: the deadline the project waits on, its label and the days left (negative: late),
    counted as the scan counts them (working days where the rule counts them)."""
    return {"kind": kind, "label": KINDS[kind], "due": due, "unit": "个工作日" if kind in WORKING_DAY_KINDS else "天",
            "left": days_left(kind, clock.today(), due.due_on, load_calendar())}


def _classification_form(given: dict):
    """保密办 confirms the 涉密 status from the proposal on (the build panel has it from construction)."""
    if current_user.role != "secrecy":
        return None
    from ..acceptance.forms import ClassificationForm
    return given.get("classification") or ClassificationForm(prefix="classification")


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


def _rongque_rows(project_ids: list[int]) -> dict[int, list[RongqueItem]]:
    """容缺 rows of the batch form: rongque_kind_<id> / rongque_date_<id>."""
    rows = {}
    for pid in project_ids:
        kind, when = request.form.get(f"rongque_kind_{pid}"), request.form.get(f"rongque_date_{pid}")
        if kind:
            try:
                rows[pid] = [RongqueItem(kind, date.fromisoformat(when or ""))]
            except ValueError:
                raise InvalidInput({f"rongque_date_{pid}": "请填写容缺材料的承诺补齐日期"},
                                   f"项目 {pid} 的容缺材料缺少承诺补齐日期") from None
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
            services.submit_batch(current_user, chosen, _rongque_rows(selected))
        except RuleViolation as err:
            flash(err.message, "error")
        else:
            flash(f"已统一申报 {len(chosen)} 个项目，进入联合审核", "success")
            return redirect(url_for("planning.projects"))
    checks = {p.id: services.submission_problems(p) for p in drafts}
    return render_template("planning/submit.html", form=form, drafts=drafts, checks=checks,
                           selected=set(selected), open_round=services.open_round_on(clock.today()))


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
