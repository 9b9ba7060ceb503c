"""Web pages of the annual plan: compile with finance, approve, insert urgent projects, flags."""
from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..auth.access import load_project, require_role
from ..domain.errors import NotFound, RuleViolation
from ..domain.plan import FLAG_KINDS, PLAN_STATE_LABELS, compile_due
from ..extensions import db
from ..formkit import options, row_int, submit
from ..models import Department, DepartmentFlag, Plan, PlanItem, Project
from ..reports.charts import bar_chart_png
from ..reports.plan_export import plan_csv, plan_workbook, wan
from ..acceptance.evaluation import departments_evaluations
from ..finder.departments import filter_code
from . import plans
from .plan_forms import ApprovalForm, CommentForm, FlagForm, InsertionForm, PlanForm, ReasonForm
from .views import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/plans", methods=["GET", "POST"])
def plan_list():
    form = PlanForm()
    done = submit(form, lambda: plans.create_plan(current_user, form.plan_year.data), "年度计划已创建",
                  lambda plan: url_for("planning.plan_page", plan_id=plan.id))
    if done:
        return done
    rows = db.session.execute(select(Plan).order_by(Plan.plan_year.desc())).scalars().all()
    # each plan's projects counted, not loaded (issue 24: every plan's items with their projects were)
    counts = dict(db.session.execute(select(PlanItem.plan_id, func.count()).where(PlanItem.removed_on.is_(None))
                                     .group_by(PlanItem.plan_id)).all())
    return render_template("planning/plans.html", plans=rows, form=form, labels=PLAN_STATE_LABELS,
                           compile_due=compile_due, counts=counts)


def _blocked_departments(plan: Plan) -> list[tuple[Department, object]]:
    depts = db.session.execute(select(Department).where(Department.is_authority.is_(False))
                               .order_by(Department.code)).scalars().all()
    blocks = plans.departments_blocks(plan, [d.id for d in depts])
    return [(d, blocks[d.id]) for d in depts if blocks[d.id].backlog or blocks[d.id].flags]


def insertion_form() -> InsertionForm:
    """R-PLAN-URGENT: the urgent projects that passed the joint review are the choices."""
    form = InsertionForm()
    urgent = db.session.execute(select(Project).where(
        Project.urgent.is_(True), Project.state == "review_passed")).unique().scalars()
    form.project_id.choices = options((p.id, f"{p.name}（{p.department.name}）") for p in urgent)
    return form


def render_plan(plan: Plan, status: int = 200, **forms):
    forms = {"comment": CommentForm(), "approve": ApprovalForm(), "reason": ReasonForm(),
             "insert": insertion_form(), **forms}
    return render_template(
        "planning/plan.html", plan=plan, forms=forms, labels=PLAN_STATE_LABELS, totals=plans.plan_totals(plan),
        due=compile_due(plan.plan_year), blocked=_blocked_departments(plan), wan=wan,
        insertions=plans.insertions(plan)), status


@bp.get("/plans/<int:plan_id>")
def plan_page(plan_id: int):
    return render_plan(plans.get_plan(plan_id))


@bp.get("/plans/<int:plan_id>/candidates")
def plan_candidates(plan_id: int):
    """R-PLAN-ONLY-PASSED: the passed projects of the plan year, with search and filters."""
    plan, args = plans.get_plan(plan_id), request.args
    query = select(Project).where(Project.state == "review_passed", Project.plan_year == plan.plan_year,
                                  Project.id.not_in([i.project_id for i in plan.items]))
    if args.get("q"):
        query = query.where(Project.name.contains(args["q"].strip(), autoescape=True))
    if args.get("department"):  # a name or a code (issue 19, finding 6)
        query = query.join(Department, Project.department_id == Department.id).where(
            Department.code == filter_code(args["department"]))
    found = db.session.execute(query.order_by(Project.department_id, Project.id)
                               .options(selectinload(Project.similar))).unique().scalars().all()
    departments = {p.department_id: p.department for p in found}
    return render_template("planning/plan_candidates.html", plan=plan, projects=found, args=args,
                           blocks=plans.departments_blocks(plan, departments),
                           # R-EVAL-USE: earlier projects' evaluations are in view when the plan is compiled
                           evaluations=departments_evaluations(departments))


def _item(plan: Plan, item_id: int) -> PlanItem:
    item = db.session.get(PlanItem, item_id)
    if item is None or item.plan_id != plan.id:
        raise NotFound("计划中没有该项目")
    return item


@bp.post("/plans/<int:plan_id>/items")
def plan_add(plan_id: int):
    plan = plans.get_plan(plan_id)
    try:
        plans.add_item(current_user, plan, load_project(request.form.get("project_id", type=row_int) or 0))
        flash("已列入计划", "success")
    except RuleViolation as err:
        flash(err.message, "error")
    return redirect(url_for("planning.plan_candidates", plan_id=plan.id))


@bp.post("/plans/<int:plan_id>/items/<int:item_id>/remove")
def plan_remove(plan_id: int, item_id: int):
    plan = plans.get_plan(plan_id)
    plans.remove_item(current_user, plan, _item(plan, item_id))
    flash("已移出计划", "success")
    return redirect(url_for("planning.plan_page", plan_id=plan.id))


@bp.post("/plans/<int:plan_id>/items/<int:item_id>/comment")
def plan_comment(plan_id: int, item_id: int):
    plan, form = plans.get_plan(plan_id), CommentForm()
    if form.validate_on_submit():
        plans.comment_item(current_user, plan, _item(plan, item_id), form.comment.data)
        flash("财政厅意见已保存", "success")
    return redirect(url_for("planning.plan_page", plan_id=plan.id, _anchor="items"))


PLAN_ACTIONS = {  # action -> (form class, call, done message)
    "finance_check": (CommentForm, lambda u, p, f: plans.finance_check(u, p, f.comment.data), "财政厅审核完成"),
    "return_to_draft": (CommentForm, lambda u, p, f: plans.return_to_draft(u, p, f.comment.data), "已退回编制"),
    "submit": (CommentForm, lambda u, p, f: plans.submit_plan(u, p), "已报省政府"),
    "approve": (ApprovalForm, lambda u, p, f: plans.approve_plan(u, p, f.doc_no.data, f.approved_on.data),
                "已登记省政府批复，计划内项目转为“已列入年度计划”"),
}


@bp.post("/plans/<int:plan_id>/actions/<action>")
def plan_action(plan_id: int, action: str):
    plan = plans.get_plan(plan_id)
    if action not in PLAN_ACTIONS:
        raise NotFound(f"没有“{action}”操作")
    form_class, call, message = PLAN_ACTIONS[action]
    form = form_class()
    done = submit(form, lambda: call(current_user, plan, form), message,
                  url_for("planning.plan_page", plan_id=plan.id))
    return done or render_plan(plan, 400, **{"approve" if action == "approve" else "comment": form})


def _department(code: str) -> Department:
    dept = db.session.execute(select(Department).where(Department.code == code)).scalar_one_or_none()
    if dept is None:
        raise NotFound("部门不存在")
    return dept


@bp.post("/plans/<int:plan_id>/backlog/<code>")
def plan_override(plan_id: int, code: str):
    plan, form, dept = plans.get_plan(plan_id), ReasonForm(), _department(code)
    if form.validate_on_submit():
        try:
            plans.override_backlog(current_user, plan, dept, form.reason.data)
            flash(f"已放行{dept.name}，理由已记录", "success")
        except RuleViolation as err:
            flash(err.message, "error")
    else:
        flash("放行须填写理由", "error")
    return redirect(url_for("planning.plan_page", plan_id=plan.id, _anchor="blocked"))


@bp.post("/plans/<int:plan_id>/insertions")
def plan_insert(plan_id: int):
    plan, form = plans.get_plan(plan_id), insertion_form()
    done = submit(form, lambda: plans.insert_urgent(current_user, plan, load_project(form.project_id.data),
                                                    form.basis.data),
                  "已申请紧急增补，待营商环境局和财政厅同意", url_for("planning.plan_page", plan_id=plan.id,
                                                                 _anchor="urgent"))
    return done or render_plan(plan, 400, insert=form)


@bp.post("/plans/<int:plan_id>/insertions/<int:project_id>/<step>")
def plan_insertion_step(plan_id: int, project_id: int, step: str):
    plan, project = plans.get_plan(plan_id), load_project(project_id)
    if step not in ("approve", "record"):
        raise NotFound("没有该操作")
    form = ApprovalForm()
    try:
        if step == "approve":
            plans.approve_insertion(current_user, plan, project)
        elif form.validate_on_submit():
            plans.record_insertion(current_user, plan, project, form.doc_no.data, form.approved_on.data)
        else:
            raise RuleViolation("R-PLAN-URGENT", "请填写省政府批复文号和日期")
        flash("已记录", "success")
    except RuleViolation as err:
        flash(err.message, "error")
    return redirect(url_for("planning.plan_page", plan_id=plan.id, _anchor="urgent"))


@bp.get("/plans/<int:plan_id>/export.xlsx")
def plan_xlsx(plan_id: int):
    plan = plans.get_plan(plan_id)
    return Response(plan_workbook(plan), mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=plan-{plan.plan_year}.xlsx"})


@bp.get("/plans/<int:plan_id>/export.csv")
def plan_csv_export(plan_id: int):
    plan = plans.get_plan(plan_id)
    return Response(plan_csv(plan), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=plan-{plan.plan_year}.csv"})


@bp.get("/plans/<int:plan_id>/chart/<kind>.png")
def plan_chart(plan_id: int, kind: str):
    plan = plans.get_plan(plan_id)
    titles = {"department": f"{plan.plan_year}年度计划 各部门总投资", "fund_source": f"{plan.plan_year}年度计划 按资金来源"}
    if kind not in titles:
        raise NotFound("没有该图表")
    values = {k: wan(v) for k, v in plans.plan_totals(plan)[kind].items()}
    return Response(bar_chart_png(titles[kind], values), mimetype="image/png")


@bp.route("/flags", methods=["GET", "POST"])
def flags():
    """R-SHARE-BLOCK: the planner flags and clears departments (第三十四条)."""
    form = FlagForm()
    form.department.choices = options((d.code, d.name) for d in db.session.execute(
        select(Department).where(Department.is_authority.is_(False)).order_by(Department.code)).scalars())
    done = submit(form, lambda: plans.flag_department(current_user, _department(form.department.data),
                                                      form.kind.data, form.reason.data),
                  "问题已登记", url_for("planning.flags"))
    if done:
        return done
    rows = db.session.execute(select(DepartmentFlag).order_by(DepartmentFlag.id.desc())).scalars().all()
    return render_template("planning/flags.html", form=form, flags=rows, kinds=FLAG_KINDS, clear=ReasonForm())


@bp.post("/flags/<int:flag_id>/clear")
def clear_flag(flag_id: int):
    require_role(current_user, "planner", rule="R-SHARE-BLOCK")
    flag, form = db.session.get(DepartmentFlag, flag_id), ReasonForm()
    if flag is None:
        raise NotFound("没有该记录")
    if form.validate_on_submit():
        try:
            plans.clear_flag(current_user, flag, form.reason.data)
            flash("已整改销号", "success")
        except RuleViolation as err:
            flash(err.message, "error")
    else:
        flash("销号须填写整改情况", "error")
    return redirect(url_for("planning.flags"))
