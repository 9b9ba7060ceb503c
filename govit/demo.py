"""`govit demo`: departments, one login per role, two plan years of projects in every state so far.

The story, told through the real services under clock.travel: the 2026 round (June 2025) put two
projects into the approved 2026 plan, still being built; urgent projects came in the spring; the 2027
round (June 2026) is under joint review and the draft 2027 plan is being compiled with finance.
`make run` serves it pinned to 2026-06-22 (GOVIT_TODAY).
"""
import zlib
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from . import clock
from .auth import services as accounts
from .extensions import db
from .acceptance import evaluation, joint, services as construction
from .alerts.scan import scan
from . import demo_finance
from .approval import budget, returns, services as approval
from .models import ApprovalRecord, Department, User
from .planning import plans, review, services
from .domain.proposal import RongqueItem
from .planning.fields import parse_proposal
from .demo_docs import demo_pdf
from .demo_data import (BUILD_DATES, DEPARTMENTS, LAST_YEAR, LOGINS, THIS_YEAR, TWO_YEARS_AGO,
                        URGENT)

PASSWORD = "Govit@2026"


def _values(entry, plan_year: int = 2027) -> dict:
    dept, name, wan, _, goal, content, route = entry
    total = Decimal(wan) * 10000
    first = (total * Decimal("0.6")).quantize(Decimal("0.01"))
    y1, y2 = str(plan_year), str(plan_year + 1)
    return {
        "name": name, "construction_type": "upgrade" if "升级" in name or "期" in name else "new",
        "basis": f"{DEPARTMENTS[dept]}：{goal}。", "content_scale": f"{content}，覆盖省市县三级。",
        "technical_route": route, "online_code": f"2026-230000-65-01-{zlib.crc32(name.encode()) % 10**6:06d}", "performance_goals": f"{goal}，相关业务网上办理率达到90%以上。",
        "start_month": f"{y1}-03", "end_month": f"{y2}-06", "total_investment": f"{total:.2f}",
        "annual_investments": {y1: f"{first:.2f}", y2: f"{total - first:.2f}"},
        "fund_source": "中央转移支付" if wan >= 3000 else "省级财政预算安排",
        "data_catalog": "编制信息资源目录，资源全部挂接省一体化数据共享交换平台。",
        "cloud_plan": f"部署于省级政务云，申请云主机{max(4, wan // 100)}台。",
        "protection_plan": "按网络安全等级保护第三级建设，上线前完成测评。",
        "security_plan": "建设安全监测、数据防泄漏和日志审计，落实三同步。",
        "product_reliability": "关键软硬件选用安全可靠产品。",
        "crypto_plan": "采用国产商用密码算法实现身份鉴别、传输和存储加密，同步开展密评。",
    }


def _at(day: date, call, *args, **kwargs):
    with clock.travel(day):
        return call(*args, **kwargs)


def _propose(users, entry, on: date, urgent: str = "", plan_year: int = 2027):
    dept = entry[0].lower()
    head, applicant = users[f"{dept}_head"], users.get(f"{dept}_applicant", users[f"{dept}_head"])
    values = _values(entry, plan_year)
    if entry[3] == "draft_incomplete":
        values.update(crypto_plan="", cloud_plan="")
    if urgent:
        values.update(urgent=True, urgent_basis=urgent)
    project = _at(on, services.create_project, applicant, parse_proposal(values))
    if entry[3].endswith("_rongque"):  # R-RONGQUE: accepted with a document promised for 06-19
        _at(on, services.submit_batch, head, [project],
            {project.id: [RongqueItem("sharing_analysis", date.fromordinal(on.toordinal() + 9))]})
    elif not entry[3].startswith("draft"):
        _at(on, services.submit_batch, head, [project])
    return project


def _review(users, project, outcome: str, start: date) -> None:
    """Move a submitted project through the joint review to its demo outcome."""
    biz, cyber, crypto = users["reviewer_business"], users["reviewer_cyber"], users["reviewer_crypto"]
    day = lambda n: date.fromordinal(start.toordinal() + n)  # noqa: E731
    if outcome == "supplement":
        _at(day(1), review.record_opinion, crypto, project, "supplement", "请补充密钥管理方案和密评计划。")
        if "救助" in project.name:  # R-SUPPLEMENT-ONCE: a second authority's request joins the notice
            _at(day(2), review.record_opinion, cyber, project, "supplement", "请补充个人信息保护影响评估和等保定级报告。")
            return
        _at(day(2), review.record_opinion, cyber, project, "pass", "符合网络安全要求。")
        return
    if outcome == "expert":
        _at(day(1), review.call_expert_review, users["planner"], project, "涉及全省参保人员数据，组织专家论证。")
        return
    if outcome.startswith("review"):
        _at(day(1), review.record_opinion, cyber, project, "pass", "符合网络安全要求。")
        return
    verdict = "fail" if outcome == "failed" else "conditional" if outcome.startswith("conditional") else "pass"
    _at(day(1), review.record_opinion, cyber, project, "pass", "网络安全方案符合等级保护要求。")
    _at(day(2), review.record_opinion, crypto, project, "pass", "密码应用方案符合 GB/T 39786 要求。")
    text = {"pass": "集约化建设和数据共享符合要求。", "conditional": "原则同意，须接入省数据共享平台。",
            "fail": "与已建系统功能重复，不符合集约化建设要求。"}[verdict]
    _at(day(3), review.record_opinion, biz, project, verdict, text,
        "上线前完成数据资源挂接" if verdict == "conditional" else "")


def _past_cycle(users, plan_year: int, entries, doc_no: str):
    """A past round (June of the year before), every proposal passed, approved into the plan by 10-30."""
    planner, finance, year = users["planner"], users["finance"], plan_year - 1
    _at(date(year, 5, 20), services.open_round, planner, plan_year, date(year, 6, 1), date(year, 6, 30))
    projects = [_propose(users, e, date(year, 6, 10), plan_year=plan_year) for e in entries]
    for project in projects:
        _review(users, project, "passed", date(year, 6, 10))
    plan = _at(date(year, 10, 20), plans.create_plan, planner, plan_year)
    for project in projects:
        if _at(date(year, 10, 20), plans.department_blocks, plan, project.department).blocked:  # R-PLAN-BACKLOG
            _at(date(year, 10, 20), plans.override_backlog, planner, plan, project.department,
                "上年度项目按期推进，经研究同意安排")
        _at(date(year, 10, 20), plans.add_item, planner, plan, project)
    _at(date(year, 10, 24), plans.finance_check, finance, plan, "资金来源已落实，同意。")
    _at(date(year, 10, 27), plans.submit_plan, planner, plan)
    _at(date(year, 10, 30), plans.approve_plan, planner, plan, doc_no, date(year, 10, 30))
    return plan, projects


def _two_years_ago(users) -> None:
    """The 2025 round (June 2024), approved and in construction when govit went live in April 2025:
    it comes in through the departments' ledger (台账, issue 20), then is built in govit up to closed."""
    from .ledger.demo import import_demo_ledger
    projects = _at(date(2025, 4, 20), import_demo_ledger, users["planner"])
    for entry, project in zip(TWO_YEARS_AGO, projects):
        approved = db.session.scalar(select(ApprovalRecord.approved_on).where(  # the ledger's 省政府审定
            ApprovalRecord.project_id == project.id, ApprovalRecord.kind == "gov"))
        demo_finance.equip(users, project, approved or date(2025, 4, 20))  # issue 22: contracts, payments
        _build(users, project, entry[3])


def _build(users, project, stage: str) -> None:
    """Construction (第二十五、二十六条), acceptance (第二十九条) and evaluation (第三十三条)."""
    head, planner = users[f"{project.department.code.lower()}_head"], users["planner"]
    total = project.approved_estimate
    pace = project.id % 7  # issue 19: each project its own progress (ids run in a row), not one chart
    for period, pct in (("2025-04", 12 + 2 * pace), ("2025-06", 35 + 3 * pace)):
        _at(date.fromisoformat(f"{period}-28"), construction.report_progress, head, project, period,
            Decimal(pct), (total * Decimal(pct - 5) / 100).quantize(Decimal("0.01")), "按计划推进")
    if stage == "suspended":
        # R-PLAN-BACKLOG: really behind (60% where 87.50% was planned by 2026-04): its department is blocked
        _at(date(2026, 5, 6), construction.report_progress, head, project, "2026-04", Decimal(60),
            (total * Decimal("0.62")).quantize(Decimal("0.01")), "感知设备到货严重滞后")
        incident = _at(date(2026, 5, 11), construction.report_incident, head, project, "delay",
                       "感知设备供应商无法按期交货，工期预计延误 8 个月")
        _at(date(2026, 5, 15), construction.order, planner, project, incident.id, "suspend",
            "暂停建设，重新论证设备方案后报批")
        return
    completed, applied, live, self_on, post_on = (d and date.fromisoformat(d) for d in BUILD_DATES[stage])
    if not completed:  # still building: its 2025 performance report never came (R-PERF-REPORT)
        # R-PLAN-BACKLOG: it reports on schedule (2025-03..2026-06: 93.75% planned by 2026-05)
        _at(date(2026, 6, 5), construction.report_progress, head, project, "2026-05", Decimal(92),
            (total * Decimal("0.85")).quantize(Decimal("0.01")), "按计划推进，进入联调测试")
        return
    _at(completed, construction.complete, head, project, completed)
    if not applied:
        return
    for kind in ("archive_acceptance", "crypto_assessment", "reliability_statement", "acceptance_report"):
        _at(applied, services.upload_document, head, project, kind, f"{kind}.pdf", demo_pdf(kind))
    _at(applied, evaluation.apply_acceptance, head, project)
    # R-JOINT-ACCEPT: the authorities answer in parallel; one still in review waits on 公安厅 alone
    answers = {"reviewer_cyber": "网络安全检测和风险评估已完成，符合要求。",
               "reviewer_crypto": "密评报告结论为符合，同意通过。",
               "ndrc": "投资控制在批复概算以内，同意通过。",
               "police": "已完成等级保护第三级测评，整改项已闭环。"}
    for role, text in answers.items():
        if live or role != "police":
            _at(applied + timedelta(days=14), joint.record_acceptance_opinion, users[role], project, "pass", text)
    if not live:
        return
    _at(live, evaluation.accept, planner, project, live, live, "")
    if not self_on:
        return
    _at(self_on, evaluation.self_evaluate, head, project, Decimal("86.5"), "绩效目标基本实现，使用率高于预期",
        [{"goal": "业务网上办理率达到90%以上", "achieved": "达到 93%"}])
    if post_on:
        _at(post_on, evaluation.post_evaluate, planner, project, "黑龙江省工程咨询评审中心", Decimal("82"),
            "建设目标实现，数据共享仍需加强")


def _last_year(users) -> None:
    """The 2026 round and its approved plan, its projects now at every approval step."""
    plan, projects = _past_cycle(users, 2026, LAST_YEAR, "黑政函〔2025〕112号")
    _urgent(users, plan)
    for entry, project in zip(LAST_YEAR, projects):
        # R-MERGED: 卫健委 asked for the merged path; 发改委 approved the report but not the merge
        _approve(users, project, entry[3], date(2026, 1, 12), refuse_merge="simple" if entry[0] == "WJW" else None)
        if entry[3] == "design_review":  # R-RETURN: the design returned for revision, then resubmitted
            head = users[f"{project.department.code.lower()}_head"]
            _at(date(2026, 6, 17), returns.return_submission, users["planner"], project,
                ["概算中软件开发工作量未按功能点测算，请补充测算依据", "养老补贴发放监管须说明与民政部系统的数据接口",
                 "请补充等级保护第三级的安全建设投资明细"])
            _at(date(2026, 6, 19), approval.submit_design, head, project, project.total_investment)
        if project.state == "in_construction":  # R-PLAN-BACKLOG: on schedule (18.75% planned by 2026-05)
            _at(date(2026, 6, 3), construction.report_progress, users[f"{entry[0].lower()}_head"], project,
                "2026-05", Decimal(18), (project.approved_estimate * Decimal("0.15")).quantize(Decimal("0.01")),
                "发卡管理模块完成开发")
    _budget_changes(users, projects[0])


def _doc_no(prefix: str, on: date, project) -> str:
    """An approval number of the year it is dated (issue 19: no 〔2026〕 dated 2025), one per project."""
    return f"{prefix}〔{on.year}〕{project.id + 6}号"


def _approve(users, project, stage: str, start: date, merged: str | None = None,
             refuse_merge: str | None = None) -> None:
    """Walk a planned project through approval (第十五–十九条) up to `stage`, from `start`; with
    `refuse_merge` the department asks for the merged path and 发改委 refuses it (R-MERGED)."""
    head = users[f"{project.department.code.lower()}_head"]
    if stage == "planned":
        return
    day = lambda n: date.fromordinal(start.toordinal() + n)  # noqa: E731
    for kind in ("data_catalog", "sharing_analysis", "feasibility_report", "design_report"):
        _at(day(0), services.upload_document, head, project, kind, f"{kind}.pdf", demo_pdf(kind))
    total = project.total_investment
    _at(day(3), approval.submit_feasibility, head, project, merged or refuse_merge)
    if stage == "feasibility_review":
        return
    _at(day(30), approval.approve_feasibility, users["ndrc"], project, _doc_no("黑发改审批", day(30), project), day(30), total,
        merge_accepted=not refuse_merge)
    if stage == "feasibility_approved":
        return
    if not merged:
        _at(date(2026, 6, 15) if stage == "design_review" else day(40), approval.submit_design, head, project, total)
        if stage == "design_review":
            return
        _at(day(60), approval.approve_design, users["planner"], project, _doc_no("黑营商审", day(60), project), day(60),
            total)
        if stage == "design_approved":
            return
    _at(day(75), approval.record_gov_approval, users["planner"], project, _doc_no("黑政审", day(75), project), day(75),
        [("省级财政资金", total)])
    demo_finance.equip(users, project, day(75))  # issue 22: procurements, contracts, payments


def _budget_changes(users, project) -> None:
    """R-BUDGET-15: one change filed (8%), one waiting for planner and finance (9% more)."""
    head = users[f"{project.department.code.lower()}_head"]
    eight, nine = ((project.approved_estimate * Decimal(p) / 100).quantize(Decimal("0.01")) for p in (8, 9))
    _at(date(2026, 6, 2), budget.file_budget_change, head, project, eight, project.approved_estimate,
        "optimisation", "发卡终端改用国产安全芯片方案，调整硬件和软件投资结构")
    change = _at(date(2026, 6, 17), budget.file_budget_change, head, project, nine, project.approved_estimate,
                 "business_need", "增加文旅场景受理终端")
    _at(date(2026, 6, 19), budget.decide_budget_change, users["planner"], change, True, "同意，请财政厅审核")


def _urgent(users, plan) -> None:
    """R-PLAN-URGENT: one urgent project inserted in March, one waiting for finance."""
    planner, finance = users["planner"], users["finance"]
    for entry, start in zip(URGENT, (date(2026, 3, 9), date(2026, 4, 7))):
        project = _propose(users, entry, start, urgent="国务院办公厅、国家医保局专项部署要求", plan_year=2026)
        _review(users, project, "passed", start)
        if _at(start, plans.department_blocks, plan, project.department).blocked:
            _at(start, plans.override_backlog, planner, plan, project.department, "党中央、国务院部署的紧急任务")
        basis = f"{entry[4]}（党中央、国务院部署）"
        _at(date.fromordinal(start.toordinal() + 6), plans.insert_urgent, planner, plan, project, basis)
        _at(date.fromordinal(start.toordinal() + 7), plans.approve_insertion, planner, plan, project)
        if entry[3] == "inserted":
            _at(date.fromordinal(start.toordinal() + 8), plans.approve_insertion, finance, plan, project)
            _at(date.fromordinal(start.toordinal() + 9), plans.record_insertion, planner, plan, project,
                "黑政函〔2026〕31号", date.fromordinal(start.toordinal() + 9))
            _approve(users, project, "feasibility_approved", date.fromordinal(start.toordinal() + 12),
                     merged="emergency")  # R-MERGED: an emergency project


def _this_year(users) -> None:
    """The 2027 round under review and the draft 2027 plan, with its blocks."""
    planner = users["planner"]
    scjg = db.session.execute(select(Department).where(Department.code == "SCJG")).scalar_one()
    _at(date(2026, 5, 15), plans.flag_department, planner, scjg, "data_sharing",
        "市场主体登记数据未按目录向省共享平台推送")
    _at(date(2026, 5, 20), services.open_round, planner, 2027, date(2026, 6, 1), date(2026, 6, 30))
    projects = []
    for index, entry in enumerate(THIS_YEAR):
        start = date(2026, 6, 8 + index % 12)
        project = _propose(users, entry, start)
        if not entry[3].startswith("draft"):
            _review(users, project, entry[3], start)
        projects.append((entry[3], project))
    plan = _at(date(2026, 6, 22), plans.create_plan, planner, 2027)
    for code, reason in (("RST", "社保卡一卡通平台按期推进，就业平台为省政府年度重点任务"),
                         ("JYT", "教育资源平台仅差可研批复，教育数据中台为教育强省建设急需"),
                         ("WJW", "电子健康卡工程已批复初设，全民健康信息平台三期为国家试点")):
        dept = db.session.execute(select(Department).where(Department.code == code)).scalar_one()
        if _at(date(2026, 6, 22), plans.department_blocks, plan, dept).blocked:  # R-PLAN-BACKLOG: on each schedule
            _at(date(2026, 6, 22), plans.override_backlog, planner, plan, dept, reason)
    for _, project in projects:  # blocked departments stay out and show on the plan page
        if project.state == "review_passed" and not _at(date(2026, 6, 22), plans.department_blocks, plan,
                                                          project.department).blocked:
            _at(date(2026, 6, 22), plans.add_item, planner, plan, project)


class DemoError(RuntimeError):
    """The database holds part of a demo: start from an empty database."""


def load_demo() -> bool:
    """Create the demo once; False when it is already there."""
    if plans.plan_for_year(2027) is not None:  # the demo's last step: it is complete
        return False
    if db.session.execute(select(User).where(User.username == "planner")).scalar_one_or_none():
        raise DemoError("数据库中已有部分演示数据（上次载入中断），请换一个空数据库后重新运行 govit demo")
    for code, name in DEPARTMENTS.items():
        accounts.create_department(None, code, name)
    users = {u: accounts.create_user(None, u, role, dept, PASSWORD, display, must_change=False)
             for u, role, dept, display in LOGINS}
    _two_years_ago(users)
    _last_year(users)
    _this_year(users)
    scan(date(2026, 6, 22))  # R-ALERT: the alerts the planner finds on the demo's day
    return True
