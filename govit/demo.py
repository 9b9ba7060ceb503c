"""`govit demo`: departments, one login per role and 20+ proposals in every state of the June round.

Everything goes through the services under clock.travel, so the demo has a real history.
"""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from . import clock
from .auth import services as accounts
from .extensions import db
from .models import User
from .planning import review, services
from .planning.fields import parse_proposal

PASSWORD = "govit2026"
DEPARTMENTS = {"JYT": "省教育厅", "WJW": "省卫生健康委员会", "RST": "省人力资源和社会保障厅",
               "MZT": "省民政厅", "SCJG": "省市场监督管理局", "YBJ": "省医疗保障局"}
LOGINS = [  # username, role, department, display name
    ("admin", "admin", "YSHJ", "系统管理员"), ("planner", "planner", "YSHJ", "王统筹（营商环境局）"),
    ("reviewer_business", "reviewer_business", "YSHJ", "李专家（营商环境局）"),
    ("reviewer_cyber", "reviewer_cyber", "WXB", "赵审核（网信办）"),
    ("reviewer_crypto", "reviewer_crypto", "MMJ", "孙审核（密码管理局）"),
    ("ndrc", "ndrc", "FGW", "周处长（发改委）"), ("finance", "finance", "CZT", "吴处长（财政厅）"),
    ("intranet", "intranet", "NWB", "郑处长（内网办）"), ("auditor", "auditor", "SJT", "冯审计（审计厅）"),
    ("jyt_applicant", "applicant", "JYT", "陈经办（教育厅）"), ("jyt_head", "dept_admin", "JYT", "刘主任（教育厅）"),
    ("wjw_applicant", "applicant", "WJW", "杨经办（卫健委）"), ("wjw_head", "dept_admin", "WJW", "黄主任（卫健委）"),
    ("rst_applicant", "applicant", "RST", "何经办（人社厅）"), ("rst_head", "dept_admin", "RST", "林主任（人社厅）"),
    ("mzt_head", "dept_admin", "MZT", "高主任（民政厅）"), ("scjg_head", "dept_admin", "SCJG", "罗主任（市场监管局）"),
    ("ybj_head", "dept_admin", "YBJ", "梁主任（医保局）"),
]
PROJECTS = [  # department, name, investment (万元), outcome
    ("JYT", "全省教育数据中台建设项目", 2800, "passed"), ("JYT", "智慧校园安全监管平台", 960, "supplement"),
    ("JYT", "高校毕业生就业服务系统升级", 450, "review"), ("JYT", "教育考试综合管理平台", 1200, "failed"),
    ("JYT", "教育督导信息管理系统", 360, "draft"),
    ("WJW", "全民健康信息平台三期", 5600, "passed"), ("WJW", "互联网医院监管平台", 780, "review"),
    ("WJW", "基层医疗卫生机构信息系统整合", 2100, "conditional"), ("WJW", "公共卫生应急指挥系统", 3300, "draft"),
    ("RST", "社会保障卡一卡通应用平台", 1850, "passed"), ("RST", "就业创业一体化服务平台", 1400, "review_late"),
    ("RST", "劳动人事争议调解仲裁系统", 520, "draft"), ("MZT", "养老服务综合监管平台", 890, "passed"),
    ("MZT", "社会救助对象精准识别系统", 640, "supplement"), ("MZT", "婚姻登记全省通办系统", 300, "draft_incomplete"),
    ("SCJG", "市场主体信用监管平台", 1650, "conditional"), ("SCJG", "食品安全智慧监管系统", 1180, "review"),
    ("SCJG", "特种设备安全监管系统", 430, "failed"), ("YBJ", "医保基金智能监控系统", 2350, "passed"),
    ("YBJ", "医保电子凭证应用推广项目", 380, "expert"), ("YBJ", "医药价格和招采信息系统", 760, "draft"),
]


def _values(dept: str, name: str, wan: int) -> dict:
    total = Decimal(wan) * 10000
    first = (total * Decimal("0.6")).quantize(Decimal("0.01"))
    return {
        "name": name, "construction_type": "upgrade" if "升级" in name or "三期" in name else "new",
        "basis": f"落实省委省政府关于数字政府建设的部署，{DEPARTMENTS[dept]}现有系统分散建设、数据不通，急需统筹建设{name}。",
        "content_scale": f"建设{name}，包括业务应用、数据治理、统一门户三部分，覆盖省市县三级。",
        "start_month": "2027-03", "end_month": "2028-06",
        "total_investment": f"{total:.2f}",
        "annual_investments": {"2027": f"{first:.2f}", "2028": f"{total - first:.2f}"},
        "fund_source": "省级财政预算安排", "performance_goals": "业务办理时长压减40%，数据共享率达到95%以上。",
        "data_catalog": "编制信息资源目录，资源全部挂接省一体化数据共享交换平台。",
        "cloud_plan": "部署于省级政务云，申请云主机32台、存储50TB。",
        "protection_plan": "按网络安全等级保护第三级建设，上线前完成测评。",
        "security_plan": "建设安全监测、数据防泄漏和日志审计，落实三同步。",
        "product_reliability": "关键软硬件选用安全可靠产品。",
        "crypto_plan": "采用国产商用密码算法实现身份鉴别、传输和存储加密，同步开展密评。",
    }


def _opine(reviewer: User, project, verdict: str, on: date, text: str, conditions: str = "") -> None:
    with clock.travel(on):
        review.record_opinion(reviewer, project, verdict, text, conditions)


def _walk(outcome: str, project, users: dict, head: User, applicant: User, day: int) -> None:
    """Move one submitted project through the review to its demo outcome."""
    biz, cyber, crypto = users["reviewer_business"], users["reviewer_cyber"], users["reviewer_crypto"]
    june = lambda d: date(2026, 6, d)  # noqa: E731
    if outcome in ("passed", "conditional", "failed"):
        _opine(cyber, project, "pass", june(day + 1), "网络安全方案符合等级保护要求。")
        _opine(crypto, project, "pass", june(day + 2), "密码应用方案符合 GB/T 39786 要求。")
        verdict = {"passed": "pass", "conditional": "conditional", "failed": "fail"}[outcome]
        _opine(biz, project, verdict, june(day + 3),
               {"pass": "集约化建设和数据共享符合要求。", "conditional": "原则同意，须接入省数据共享平台。",
                "fail": "与已建系统功能重复，不符合集约化建设要求。"}[verdict],
               "上线前完成数据资源挂接" if verdict == "conditional" else "")
    elif outcome == "supplement":
        _opine(crypto, project, "supplement", june(day + 1), "请补充密钥管理方案和密评计划。")
        _opine(cyber, project, "pass", june(day + 2), "符合网络安全要求。")
    elif outcome == "expert":
        with clock.travel(june(day + 1)):
            review.call_expert_review(users["planner"], project, "涉及全省参保人员数据，组织专家论证。")
    elif outcome == "review":
        _opine(cyber, project, "pass", june(day + 1), "符合网络安全要求。")


def load_demo() -> bool:
    """Create the demo once; False when it is already there."""
    if db.session.execute(select(User).where(User.username == "planner")).scalar_one_or_none():
        return False
    for code, name in DEPARTMENTS.items():
        accounts.create_department(None, code, name)
    users = {u: accounts.create_user(None, u, role, dept, PASSWORD, display, must_change=False)
             for u, role, dept, display in LOGINS}
    with clock.travel(date(2026, 5, 20)):
        services.open_round(users["planner"], 2027, date(2026, 6, 1), date(2026, 6, 30))
    for index, (dept, name, wan, outcome) in enumerate(PROJECTS):
        prefix = dept.lower()
        head = users.get(f"{prefix}_head")
        applicant = users.get(f"{prefix}_applicant", head)
        day = 8 + index % 12
        with clock.travel(date(2026, 6, day)):
            values = _values(dept, name, wan)
            if outcome == "draft_incomplete":
                values.update(crypto_plan="", cloud_plan="")
            project = services.create_project(applicant, parse_proposal(values))
            if outcome.startswith("draft"):
                continue
            services.submit_batch(head, [project])
        _walk(outcome, project, users, head, applicant, day)
    return True
