"""Official documents (公文) drafted from the record (issue 21): which kinds exist, who issues them,
the 发文字号, dates in Chinese numerals and page numbers, and the GB/T 9704-2012 layout figures."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .errors import Forbidden, RuleViolation
from .roles import DEPARTMENT_ROLES


@dataclass(frozen=True)
class Kind:
    label: str
    roles: frozenset[str]  # who may generate and finalise it (R-ROLE)
    numbered: bool = True  # carries the issuing authority's 文号 (a 公文), or is a record/form
    scope: str = "project"  # project | plan | province


KINDS: dict[str, Kind] = {
    # R-REVIEW-PARALLEL / R-SUPPLEMENT-ONCE: the joint review's one letter (一次性告知), 营商环境局
    "joint_review_opinion": Kind("联合审核意见书", frozenset({"planner"})),
    "supplement_notice": Kind("补正通知", frozenset({"planner"})),
    "feasibility_approval": Kind("可行性研究报告批复", frozenset({"ndrc"})),  # R-FEAS-NDRC
    "design_approval": Kind("初步设计批复", frozenset({"planner", "intranet"})),  # R-DESIGN-20WD
    "return_letter": Kind("退回修改通知", frozenset({"ndrc", "planner", "intranet"})),  # R-RETURN
    "refusal_letter": Kind("不予批复通知", frozenset({"ndrc", "planner", "intranet"})),  # R-RETURN
    "acceptance_opinion": Kind("竣工验收意见", frozenset({"planner"})),  # R-JOINT-ACCEPT
    "record_sheet": Kind("全流程记录表", frozenset({"planner", "ndrc", "finance", "intranet", "auditor",
                                                   "applicant", "dept_admin", "reviewer_business",
                                                   "reviewer_cyber", "reviewer_crypto", "police", "secrecy"}),
                         numbered=False),  # R-FULL-RECORD
    "proposal_form": Kind("项目申报书", frozenset({"applicant", "dept_admin"}), numbered=False),  # R-PROPOSAL-FIELDS
    "plan_notice": Kind("年度建设计划下达通知", frozenset({"planner"}), scope="plan"),  # R-PLAN-OCT31
    "monthly_bulletin": Kind("政务信息化项目建设情况通报", frozenset({"planner"}), scope="province"),
}
PROJECT_KINDS = [k for k, v in KINDS.items() if v.scope == "project"]

# the issuing authorities and their 发文字号 prefix (one sequence per authority and year)
AUTHORITY_NAMES = {"YSHJ": "黑龙江省营商环境局", "FGW": "黑龙江省发展和改革委员会", "NWB": "黑龙江省内网办"}
PREFIXES = {"YSHJ": "黑营商审", "FGW": "黑发改审批", "NWB": "黑内网审"}
ROLE_AUTHORITY = {"planner": "YSHJ", "ndrc": "FGW", "intranet": "NWB"}
STAGE_AUTHORITY = {"feasibility": "FGW", "design": "YSHJ", "gov": "YSHJ"}  # R-RETURN: who answered

STATUS_LABELS = {"draft": "草稿", "final": "定稿"}
DRAFT_MARK = "×"  # the number a draft shows until it is made final

# GB/T 9704-2012: A4, 版心 156 × 225 mm, top 37 mm, left 28 mm, 22 lines of 28 characters
PAGE_MM = (210, 297)
MARGIN_TOP_MM, MARGIN_LEFT_MM = 37, 28
TYPE_AREA_MM = (156, 225)
MARGIN_RIGHT_MM = PAGE_MM[0] - MARGIN_LEFT_MM - TYPE_AREA_MM[0]  # 26
MARGIN_BOTTOM_MM = PAGE_MM[1] - MARGIN_TOP_MM - TYPE_AREA_MM[1]  # 35
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28

_DIGITS = "〇一二三四五六七八九"


def authority_for(kind: str, role: str, stage: str | None = None) -> str | None:
    """The department code whose sequence numbers this letter (None: not a numbered 公文)."""
    if not KINDS[kind].numbered:
        return None
    if kind in ("return_letter", "refusal_letter") and stage in STAGE_AUTHORITY:
        return "NWB" if role == "intranet" else STAGE_AUTHORITY[stage]
    return ROLE_AUTHORITY.get(role, "YSHJ")


def check_issuer(kind: str, role: str) -> None:
    """R-ROLE: only the authority that decides a matter drafts its letter."""
    if kind not in KINDS:
        raise RuleViolation("R-ROLE", f"未知的文书种类“{kind}”；可用：{'、'.join(KINDS)}",
                            fields={"kind": "未知的文书种类"})
    if role not in KINDS[kind].roles:
        raise Forbidden(f"“{KINDS[kind].label}”不由本角色出具", rule="R-ROLE")


def decider(stage: str, network: str | None = None) -> str:
    """R-RETURN: the role that decides (approves, returns, refuses) at a review stage: 发改委 the
    feasibility study, 营商环境局 the design (省内网办 for an intranet project) and the 省政府审定."""
    if stage == "feasibility":
        return "ndrc"
    if stage == "design":
        return "intranet" if network == "intranet" else "planner"
    return "planner"  # gov


def check_author(kind: str, role: str, *, stage: str | None = None, network: str | None = None,
                 department_id: int | None = None, author_department_id: int | None = None) -> None:
    """R-ROLE / R-RETURN: who may draft, replace or finalise a letter — the role that issues its kind;
    for a return or refusal the role that decided its stage, for a 初步设计批复 the design's decider
    (so no one takes another authority's 文号); a 全流程记录表 draft stays its author's department's
    (or the planner's)."""
    check_issuer(kind, role)
    if kind in ("return_letter", "refusal_letter") and stage is not None and role != decider(stage, network):
        raise Forbidden(f"该“{KINDS[kind].label}”由作出该决定的{ROLE_LABELS[decider(stage, network)]}出具",
                        rule="R-RETURN")
    if kind == "design_approval" and role != decider("design", network):
        raise Forbidden("电子政务内网项目的初步设计由省内网办批复，其他项目由省营商环境局批复", rule="R-ROLE")
    if kind == "record_sheet" and role != "planner" and author_department_id is not None \
            and department_id != author_department_id:
        raise Forbidden("该全流程记录表草稿由其他单位生成，只能由该单位或省营商环境局修改、定稿", rule="R-ROLE")


ROLE_LABELS = {"ndrc": "省发展和改革委员会", "planner": "省营商环境局", "intranet": "省内网办"}


DEPARTMENT_DRAFTS = frozenset({"proposal_form", "record_sheet"})  # the department's own papers


def may_see(kind: str, status: str, role: str, lead_department: bool = False) -> bool:
    """R-SCOPE: a final letter is for everyone who sees the project; a draft only for the roles that
    issue its kind (a department's role never sees an authority's draft), a 申报书 or 全流程记录表
    draft also for the lead department."""
    if status == "final":
        return True
    if kind in DEPARTMENT_DRAFTS and lead_department:
        return True
    return role in KINDS[kind].roles and role not in DEPARTMENT_ROLES


def doc_number(authority: str, year: int, number: int | None) -> str:
    """发文字号 as GB/T 9704 7.2.4 writes it: 黑营商审〔2026〕7号 (no leading zeros, 六角括号)."""
    if number is not None and number < 1:
        raise ValueError("文号序号从 1 开始")
    return f"{PREFIXES[authority]}〔{year}〕{DRAFT_MARK if number is None else number}号"


def chinese_year(year: int) -> str:
    return "".join(_DIGITS[int(d)] for d in str(year))


def _small(n: int) -> str:
    """1..31 in Chinese numerals: 十, 十一, 二十, 二十二, 三十一."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def chinese_date(day: date) -> str:
    """成文日期 in Chinese numerals (GB/T 9704 7.3.5.1): 二〇二六年六月二十二日."""
    return f"{chinese_year(day.year)}年{_small(day.month)}月{_small(day.day)}日"


def page_label(page: int) -> str:
    """The page number between em dashes (GB/T 9704 7.5): — 1 —."""
    return f"— {page} —"


def wan(amount: Decimal | None) -> Decimal:
    """Yuan to 万元 with two places (the plan table's unit)."""
    return ((amount or Decimal(0)) / Decimal(10000)).quantize(Decimal("0.01"))


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """Execution rate in % with one place; 0 where nothing was planned."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def month_before(day: date) -> tuple[int, int]:
    """The month a bulletin issued on `day` reports on: the previous calendar month."""
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)


def is_bulletin_day(day: date, first_workday: date) -> bool:
    """The monthly 通报 is made on the first working day of the month."""
    return day == first_workday and day.month == first_workday.month


# R-ROLE: the roles that draft or finalise some project document (the route table's outer wall)
ISSUERS = frozenset().union(*(k.roles for k in KINDS.values() if k.scope == "project"))
