"""`govit demo`: departments, one login per role, two plan years of projects in every state so far.

The story, told through the real services under clock.travel: the 2026 round (June 2025) put two
projects into the approved 2026 plan, still being built; urgent projects came in the spring; the 2027
round (June 2026) is under joint review and the draft 2027 plan is being compiled with finance.
`make run` serves it pinned to 2026-06-22 (GOVIT_TODAY).
"""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from . import clock
from .auth import services as accounts
from .extensions import db
from .models import Department, User
from .planning import plans, review, services
from .planning.fields import parse_proposal
from .demo_data import DEPARTMENTS, LAST_YEAR, LOGINS, THIS_YEAR, URGENT

PASSWORD = "govit2026"


def _values(entry) -> dict:
    dept, name, wan, _, goal, content, route = entry
    total = Decimal(wan) * 10000
    first = (total * Decimal("0.6")).quantize(Decimal("0.01"))
    return {
        "name": name, "construction_type": "upgrade" if "升级" in name or "期" in name else "new",
        "basis": f"{DEPARTMENTS[dept]}：{goal}。", "content_scale": f"{content}，覆盖省市县三级。",
        "technical_route": route, "performance_goals": f"{goal}，相关业务网上办理率达到90%以上。",
        "start_month": "2027-03", "end_month": "2028-06", "total_investment": f"{total:.2f}",
        "annual_investments": {"2027": f"{first:.2f}", "2028": f"{total - first:.2f}"},
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


def _propose(users, entry, on: date, urgent: str = ""):
    dept = entry[0].lower()
    head, applicant = users[f"{dept}_head"], users.get(f"{dept}_applicant", users[f"{dept}_head"])
    values = _values(entry)
    if entry[3] == "draft_incomplete":
        values.update(crypto_plan="", cloud_plan="")
    if urgent:
        values.update(urgent=True, urgent_basis=urgent)
    project = _at(on, services.create_project, applicant, parse_proposal(values))
    if not entry[3].startswith("draft"):
        _at(on, services.submit_batch, head, [project])
    return project


def _review(users, project, outcome: str, start: date) -> None:
    """Move a submitted project through the joint review to its demo outcome."""
    biz, cyber, crypto = users["reviewer_business"], users["reviewer_cyber"], users["reviewer_crypto"]
    day = lambda n: date.fromordinal(start.toordinal() + n)  # noqa: E731
    if outcome == "supplement":
        _at(day(1), review.record_opinion, crypto, project, "supplement", "请补充密钥管理方案和密评计划。")
        _at(day(2), review.record_opinion, cyber, project, "pass", "符合网络安全要求。")
        return
    if outcome == "expert":
        _at(day(1), review.call_expert_review, users["planner"], project, "涉及全省参保人员数据，组织专家论证。")
        return
    if outcome == "review":
        _at(day(1), review.record_opinion, cyber, project, "pass", "符合网络安全要求。")
        return
    verdict = "fail" if outcome == "failed" else "conditional" if outcome.startswith("conditional") else "pass"
    _at(day(1), review.record_opinion, cyber, project, "pass", "网络安全方案符合等级保护要求。")
    _at(day(2), review.record_opinion, crypto, project, "pass", "密码应用方案符合 GB/T 39786 要求。")
    text = {"pass": "集约化建设和数据共享符合要求。", "conditional": "原则同意，须接入省数据共享平台。",
            "fail": "与已建系统功能重复，不符合集约化建设要求。"}[verdict]
    _at(day(3), review.record_opinion, biz, project, verdict, text,
        "上线前完成数据资源挂接" if verdict == "conditional" else "")


def _last_year(users) -> None:
    """The 2026 round and its approved plan (two projects now under construction)."""
    planner, finance = users["planner"], users["finance"]
    _at(date(2025, 5, 20), services.open_round, planner, 2026, date(2025, 6, 1), date(2025, 6, 30))
    projects = [_propose(users, e, date(2025, 6, 10)) for e in LAST_YEAR]
    for project in projects:
        _review(users, project, "passed", date(2025, 6, 10))
    plan = _at(date(2025, 10, 20), plans.create_plan, planner, 2026)
    for project in projects:
        _at(date(2025, 10, 20), plans.add_item, planner, plan, project)
    _at(date(2025, 10, 24), plans.finance_check, finance, plan, "资金来源已落实，同意。")
    _at(date(2025, 10, 27), plans.submit_plan, planner, plan)
    _at(date(2025, 10, 30), plans.approve_plan, planner, plan, "黑政函〔2025〕112号", date(2025, 10, 30))
    _urgent(users, plan)


def _urgent(users, plan) -> None:
    """R-PLAN-URGENT: one urgent project inserted in March, one waiting for finance."""
    planner, finance = users["planner"], users["finance"]
    for entry, start in zip(URGENT, (date(2026, 3, 9), date(2026, 4, 7))):
        project = _propose(users, entry, start, urgent="国务院办公厅、国家医保局专项部署要求")
        _review(users, project, "passed", start)
        basis = f"{entry[4]}（党中央、国务院部署）"
        _at(date.fromordinal(start.toordinal() + 6), plans.insert_urgent, planner, plan, project, basis)
        _at(date.fromordinal(start.toordinal() + 7), plans.approve_insertion, planner, plan, project)
        if entry[3] == "inserted":
            _at(date.fromordinal(start.toordinal() + 8), plans.approve_insertion, finance, plan, project)
            _at(date.fromordinal(start.toordinal() + 9), plans.record_insertion, planner, plan, project,
                "黑政函〔2026〕31号", date.fromordinal(start.toordinal() + 9))


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
    rst = db.session.execute(select(Department).where(Department.code == "RST")).scalar_one()
    _at(date(2026, 6, 22), plans.override_backlog, planner, plan, rst,
        "社保卡一卡通平台按期推进，就业平台为省政府年度重点任务")
    for _, project in projects:  # blocked departments stay out and show on the plan page
        if project.state == "review_passed" and not plans.department_blocks(plan, project.department).blocked:
            _at(date(2026, 6, 22), plans.add_item, planner, plan, project)


def load_demo() -> bool:
    """Create the demo once; False when it is already there."""
    if db.session.execute(select(User).where(User.username == "planner")).scalar_one_or_none():
        return False
    for code, name in DEPARTMENTS.items():
        accounts.create_department(None, code, name)
    users = {u: accounts.create_user(None, u, role, dept, PASSWORD, display, must_change=False)
             for u, role, dept, display in LOGINS}
    _last_year(users)
    _this_year(users)
    return True
