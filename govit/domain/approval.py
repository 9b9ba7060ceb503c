"""Approval (第十五–十九条): feasibility, the merged path, preliminary design, the 省政府审定."""
import re
from datetime import date
from decimal import Decimal

from .errors import InvalidInput, RuleViolation

DESIGN_WORKING_DAYS = 20  # R-DESIGN-20WD
MAJOR_DEVIATION = Decimal("0.10")  # 政府投资条例 第十条: more than 10% over is put to ndrc
MERGED_REASONS = {  # R-MERGED: 第十七条's three cases
    "expansion": "对已建项目进行局部扩充或升级改造",
    "emergency": "应急类项目",
    "simple": "建设内容单一、投资规模小、技术方案简单或纯设备购置类项目",
}
CATALOG_KINDS = {"data_catalog": "信息资源目录", "sharing_analysis": "信息资源共享分析篇"}


# R-ONLINE-CODE: the platform's 项目代码, YYYY-AAAAAA-II-TT-NNNNNN with a Heilongjiang (23xxxx) region
ONLINE_CODE = re.compile(r"^(20\d{2})-(23\d{4})-(\d{2})-(\d{2})-(\d{6})$")
ONLINE_CODE_SHAPE = "YYYY-AAAAAA-II-TT-NNNNNN（年份-行政区划代码 23xxxx-行业-类型-流水号，如 2027-230000-65-01-000001）"


def check_online_code_shape(online_code: str) -> None:
    """R-ONLINE-CODE when a code is typed in: the expected shape is shown (400)."""
    problem = online_code_problem(online_code)
    if problem:
        raise refused_input("R-ONLINE-CODE", "online_code", problem)


def online_code_problem(online_code: str) -> str | None:
    """R-ONLINE-CODE: what is wrong with a non-empty code's shape, or None when it has the platform's."""
    code = (online_code or "").strip()
    if not code or ONLINE_CODE.match(code):
        return None
    return f"项目代码“{code[:64]}”格式不对，应为 {ONLINE_CODE_SHAPE}"


def check_online_code(classified: bool, online_code: str, taken_by: str | None = None) -> None:
    """R-ONLINE-CODE: a non-classified project carries a well-formed code no other project holds."""
    if not classified and not (online_code or "").strip():
        raise RuleViolation("R-ONLINE-CODE", f"非涉密项目须先填写投资项目在线审批监管平台的项目代码，格式 {ONLINE_CODE_SHAPE}",
                            fields={"online_code": "缺少项目代码"})
    problem = online_code_problem(online_code)
    if problem:
        raise RuleViolation("R-ONLINE-CODE", problem, fields={"online_code": problem})
    if taken_by is not None:
        raise RuleViolation("R-ONLINE-CODE", f"项目代码 {online_code.strip()} 已被项目“{taken_by}”使用，请核对",
                            fields={"online_code": "与其他项目重复"})


def check_catalog(uploaded_kinds: set[str], step: str) -> None:
    """R-CATALOG: the uploaded 信息资源目录 and 信息资源共享分析篇; the proposal's text is not enough."""
    missing = [label for kind, label in CATALOG_KINDS.items() if kind not in uploaded_kinds]
    if missing:
        raise RuleViolation("R-CATALOG", f"{step}须上传{'和'.join(missing)}（申报书中的数据资源目录文字不能代替）",
                            fields={k: f"缺少{v}" for k, v in CATALOG_KINDS.items() if v in missing})


def check_merged_reason(reason: str | None) -> None:
    """R-MERGED: only the three reasons of 第十七条 merge feasibility and design."""
    if reason is not None and reason not in MERGED_REASONS:
        raise RuleViolation("R-MERGED", f"合并审批的理由只能是：{'；'.join(MERGED_REASONS.values())}",
                            fields={"merged_reason": f"应为 {'、'.join(MERGED_REASONS)}"})


def design_deviation(estimate: Decimal, feasibility_investment: Decimal, content_changed: bool = False) -> str:
    """R-DESIGN-DEVIATION: 'none'; 'chapter' (content changed or estimate above the approved
    investment: the separate chapter is needed); 'referred' (more than 10% above: also put to ndrc)."""
    if estimate > feasibility_investment * (1 + MAJOR_DEVIATION):
        return "referred"
    if estimate > feasibility_investment or content_changed:
        return "chapter"
    return "none"


def check_funds(funds: list[tuple[str, Decimal]], approved_total: Decimal) -> None:
    """R-GOV-APPROVE: the fund sources of the 省政府审定 add up to the approved total."""
    if not funds:
        raise RuleViolation("R-GOV-APPROVE", "请填写资金来源和金额", fields={"funds": "至少一项"})
    total = sum((amount for _, amount in funds), Decimal("0"))
    if total != approved_total:
        raise RuleViolation("R-GOV-APPROVE", f"各资金来源合计 {total:.2f} 元，应等于批复总投资 {approved_total:.2f} 元",
                            fields={"funds": "合计与批复总投资不符"})


# ---- R-RETURN: the approvers' other answers -------------------------------------------------------
STAGE_LABELS = {"feasibility": "可行性研究报告审批", "design": "初步设计和概算审批", "gov": "省政府审定"}
APPEAL_WORKING_DAYS = 10  # R-RETURN: the department appeals a refusal within 10 working days


def review_stage(state: str, merged: bool) -> str | None:
    """The review a project in `state` waits for: feasibility, design, the 省政府审定, or None."""
    if state == "feasibility_review":
        return "feasibility"
    if state == "design_review":
        return "design"
    if state == "design_approved" or (state == "feasibility_approved" and merged):
        return "gov"  # the merged path waits for the 省政府审定 right after the 可研 (R-MERGED)
    return None


def returned_to(stage: str, merged: bool) -> str:
    """Where a returned submission goes for revision: the state the department resubmits from."""
    if stage == "feasibility" or (stage == "gov" and merged):
        return "planned"  # resubmit the 可研 (on the merged path it carries the design)
    return "feasibility_approved"  # resubmit the 初步设计 and 概算


def check_stage(state: str, merged: bool) -> str:
    """R-RETURN: the project must be waiting for an approver's answer."""
    stage = review_stage(state, merged)
    if stage is None:
        raise RuleViolation("R-RETURN", "项目不在可研审批、初步设计审批或待省政府审定阶段，不能退回或不予批准")
    return stage


def refused_input(rule: str, field: str, message: str) -> InvalidInput:
    """A 400 that names the rule whose shape the input misses (the form keeps what was typed)."""
    err = InvalidInput({field: message}, message)
    err.rule = rule
    return err


def clean_reasons(reasons) -> list[str]:
    """R-RETURN (一次性告知): every point to revise, at least one, each non-empty; text: one a line."""
    if isinstance(reasons, str):
        reasons = reasons.splitlines()
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise refused_input("R-RETURN", "reasons", "修改意见应为文字列表，一条一项")
    points = [r.strip() for r in reasons if r.strip()]
    if not points:
        raise refused_input("R-RETURN", "reasons", "退回修改须一次性列明全部修改意见（至少一条）")
    if len(points) > 100 or any(len(p) > 2000 for p in points):
        raise refused_input("R-RETURN", "reasons", "意见至多 100 条，每条不超过 2000 字")
    return points


def check_appeal_in_time(appeal_due: date, today: date) -> None:
    """R-RETURN: an appeal is accepted up to and including the 10th working day after the refusal."""
    if today > appeal_due:
        raise RuleViolation("R-RETURN", f"申诉期限已过（不予批准后 {APPEAL_WORKING_DAYS} 个工作日内，截至 "
                                        f"{appeal_due:%Y-%m-%d}）", fields={"reason": "已超过申诉期限"})
