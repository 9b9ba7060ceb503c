"""Ledger rows made from a plan year's timeline: the template's sample row, the demo's earlier years,
the tests' 300-row ledger and the bench's 2,000 rows are all made here, so they keep one shape."""
from datetime import date, timedelta
from decimal import Decimal

from ..domain.ledger import STAGES, display
from ..domain.lifecycle import STATE_LABELS

TEXTS = {
    "basis": "落实《黑龙江省政务信息化项目建设管理办法（试行）》，支撑本部门核心业务网上办理。",
    "fund_source": "省级财政预算安排",
    "data_catalog": "编制信息资源目录，资源全部挂接省一体化数据共享交换平台。",
    "cloud_plan": "部署于省级政务云，申请云主机8台。",
    "protection_plan": "按网络安全等级保护第三级建设，上线前完成测评。",
    "security_plan": "建设安全监测、数据防泄漏和日志审计，落实三同步。",
    "product_reliability": "关键软硬件选用安全可靠产品。",
    "crypto_plan": "采用国产商用密码算法实现身份鉴别、传输和存储加密，同步开展密评。",
}
TOPICS = ("政务服务", "数据共享", "监管执法", "协同办公", "公共信用", "应急指挥", "社会保障", "医疗健康",
          "教育资源", "交通运输", "市场监管", "生态环境", "自然资源", "住房保障", "文化旅游", "农业农村")
KINDS = ("平台", "系统", "中台", "工程", "数据库", "服务网")


def _month(day: date, months: int = 0) -> str:
    index = day.year * 12 + day.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def timeline(plan_approved_on: date) -> dict:
    """The dates of each stage, counted from the plan's approval (as the demo and the tests walk them)."""
    base = plan_approved_on
    gov = base + timedelta(days=53)
    completed = gov + timedelta(days=540)
    live = completed + timedelta(days=77)
    self_on = live + timedelta(days=186)
    return {"feas_submitted_on": base + timedelta(days=5), "feas_approved_on": base + timedelta(days=23),
            "design_submitted_on": base + timedelta(days=28), "design_approved_on": base + timedelta(days=43),
            "gov_approved_on": gov, "progress_period": _month(gov, 6), "completed_on": completed,
            "accepted_on": live, "live_on": live, "self_eval_on": self_on,
            "post_eval_on": self_on + timedelta(days=61), "start_month": _month(gov), "end_month": _month(gov, 17)}


def row(serial: int, department: str, stage: str, plan_year: int, plan_approved_on: date,
        total_wan: int = 500, name: str | None = None, code_year: int | None = None) -> dict:
    """One ledger row's values (domain values, as check_row reads them) at `stage`."""
    t = timeline(plan_approved_on)
    total = Decimal(total_wan) * 10000
    first = (total * Decimal("0.6")).quantize(Decimal("0.01"))
    topic, kind = TOPICS[serial % len(TOPICS)], KINDS[serial // len(TOPICS) % len(KINDS)]
    v = {"ledger_id": f"TZ-{serial:05d}", "online_code": f"{code_year or plan_year}-230000-65-01-{serial:06d}",
         "department": department, "name": name or f"{topic}{kind}建设项目（{serial:04d}）", "stage": stage,
         "plan_year": plan_year, "plan_doc_no": f"黑政函〔{plan_approved_on.year}〕{plan_year % 100}号",
         "plan_approved_on": plan_approved_on, "construction_type": "new", "network": "extranet",
         "classified": False, "content_scale": f"建设{topic}{kind}的受理、办理、统计和共享功能，覆盖省市县三级。",
         "technical_route": "省政务云部署，微服务架构，对接省一体化数据共享交换平台",
         "performance_goals": f"{topic}相关业务网上办理率达到90%以上。",
         "start_month": t["start_month"], "end_month": t["end_month"], "total_investment": total,
         "annual": {t["start_month"][:4]: first, t["end_month"][:4]: total - first}, **TEXTS}
    if t["start_month"][:4] == t["end_month"][:4]:
        v["annual"] = {t["start_month"][:4]: total}
    reached = STAGES.index(stage)
    if reached >= STAGES.index("feasibility_review"):
        v["feas_submitted_on"] = t["feas_submitted_on"]
    if reached >= STAGES.index("feasibility_approved"):
        v.update(feas_doc_no=f"黑发改审批〔{plan_year}〕{serial}号", feas_approved_on=t["feas_approved_on"],
                 approved_investment=total)
    if reached >= STAGES.index("design_review"):
        v.update(design_submitted_on=t["design_submitted_on"], estimate=total)
    if reached >= STAGES.index("design_approved"):
        v.update(design_doc_no=f"黑营商审〔{plan_year}〕{serial}号", design_approved_on=t["design_approved_on"])
    if reached >= STAGES.index("in_construction"):
        v.update(gov_doc_no=f"黑政审〔{plan_year}〕{serial}号", gov_approved_on=t["gov_approved_on"], gov_funds=total,
                 progress_period=t["progress_period"], progress_percent=Decimal(30),
                 progress_spent=(total * Decimal("0.25")).quantize(Decimal("0.01")))
    if reached >= STAGES.index("completed"):
        v["completed_on"] = t["completed_on"]
    if reached >= STAGES.index("in_operation"):
        v.update(accepted_on=t["accepted_on"], live_on=t["live_on"])
    if reached >= STAGES.index("self_evaluated"):
        v.update(self_eval_on=t["self_eval_on"], self_eval_score=Decimal("86.5"), self_eval_summary="绩效目标基本实现")
    if reached >= STAGES.index("closed"):
        v.update(post_evaluator="黑龙江省工程咨询评审中心", post_eval_on=t["post_eval_on"],
                 post_eval_score=Decimal(82), post_eval_summary="建设目标实现，数据共享仍需加强")
    return v


def rows(count: int, departments: list[str], plan_year: int, plan_approved_on: date, first_serial: int = 1) -> list[dict]:
    """`count` rows, every stage represented in turn, spread over `departments`."""
    return [row(first_serial + i, departments[i % len(departments)], STAGES[i % len(STAGES)], plan_year,
                plan_approved_on) for i in range(count)]


def sample_row() -> dict:
    """The template's example: a project in construction."""
    return row(1, "JYT", "in_construction", 2025, date(2024, 10, 30), 1300, "中小学智慧教育平台一期")


def ledger_bytes(values: list[dict], departments: list[tuple[str, str]]) -> bytes:
    """A ledger workbook of `values` in the template's layout."""
    from . import workbook
    from .services import _cells
    return workbook.layout(departments, [_cells(v) for v in values], None)


__all__ = ["row", "rows", "sample_row", "ledger_bytes", "timeline", "display", "STATE_LABELS", "STAGES"]
