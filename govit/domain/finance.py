"""Money actually contracted and paid (第二十一、二十四、二十五、二十七、三十条): pure rules.

Every function takes plain values (Decimal yuan, dates, strings) and either answers or raises a
RuleViolation naming the rule id; the services read the records and write the results.
"""
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from .errors import InvalidInput, RuleViolation
from .plan import PLAN_YEARS

ZERO = Decimal("0")
CENT = Decimal("0.01")

PROCUREMENT_METHODS = {
    "open_tender": "公开招标", "invited_tender": "邀请招标", "negotiation": "竞争性谈判",
    "consultation": "竞争性磋商", "single_source": "单一来源", "inquiry": "询价", "framework": "框架协议",
}
CONTRACT_KINDS = {"development": "开发", "hardware": "硬件", "cloud": "云服务", "supervision": "监理",
                  "testing": "测评", "other": "其他"}
SUPERVISION = "supervision"
# 第三十条: the clause every contract confirms
IP_CLAUSE = ("项目建设完成后形成的项目成果（如设计文件、源代码、测试文档、数据资源、数据接口等）"
             "及相关知识产权归项目建设单位所有。")
# states in which the project is being built or has been: contracts and payments are recorded
CONSTRUCTION_ON = frozenset({"in_construction", "suspended", "completed", "acceptance_review", "in_operation",
                             "self_evaluated", "closed"})
CONTRACTING = frozenset({"in_construction", "suspended", "completed"})  # new contracts, new payments
PAYING = frozenset({"in_construction", "suspended", "completed", "acceptance_review", "in_operation",
                    "self_evaluated"})  # 尾款 and 质保金 may be paid after acceptance

# ---- 统一社会信用代码 (GB 32100-2015) ------------------------------------------------------------
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The 18th character of a code whose first 17 are given (GB 32100-2015, 第 5 章)."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """R-USCC: what is wrong with a 统一社会信用代码, or None when it is valid."""
    code = (code or "").strip().upper()
    if len(code) != 18:  # R-USCC
        return f"统一社会信用代码应为 18 位（现为 {len(code)} 位）"
    bad = [c for c in code if c not in USCC_CHARS]
    if bad:  # R-USCC
        return f"统一社会信用代码含有不允许的字符：{''.join(sorted(set(bad)))}（不使用 I、O、Z、S、V）"
    if uscc_check_char(code[:17]) != code[17]:  # R-USCC: the check digit
        return "统一社会信用代码校验位不符，请核对后重新填写"
    return None


# ---- contracts within the 概算 (R-BASELINE) -------------------------------------------------------
def check_contract_within_estimate(contracted: Decimal, amount: Decimal, budget: Decimal) -> Decimal:
    """R-CONTRACT-ESTIMATE (R-BASELINE): the contracts' sum stays within the current approved 概算
    (a filed or approved budget change counts); answers what is left after this contract."""
    after = contracted + amount
    if after > budget:  # R-CONTRACT-ESTIMATE
        raise RuleViolation(
            "R-CONTRACT-ESTIMATE",
            f"合同金额 {amount:.2f} 元加上已签合同 {contracted:.2f} 元，共 {after:.2f} 元，超过现行批复概算 "
            f"{budget:.2f} 元 {after - budget:.2f} 元；请先办理预算调整（第二十八条）", fields={"amount": "超出概算"})
    return budget - after


def check_milestones(amount: Decimal, milestones: list[tuple[Decimal, date]]) -> None:
    """R-PAYMENT-CONTRACT: the payment schedule adds up to the contract amount, each step positive."""
    if not milestones:
        raise RuleViolation("R-PAYMENT-CONTRACT", "请填写付款计划（至少一期）", fields={"milestones": "缺少"})
    scheduled = sum((m for m, _ in milestones), ZERO)
    if scheduled != amount:  # R-PAYMENT-CONTRACT
        raise RuleViolation("R-PAYMENT-CONTRACT", f"付款计划合计 {scheduled:.2f} 元，应等于合同金额 {amount:.2f} 元",
                            fields={"milestones": "合计与合同金额不符"})


# ---- payments (第二十七条) -------------------------------------------------------------------------
def check_payment(amount: Decimal, contract_amount: Decimal, paid_on_contract: Decimal,
                  milestone_amount: Decimal, paid_on_milestone: Decimal) -> None:
    """R-PAYMENT-CONTRACT: never more than the contract, nor more than the milestone's amount."""
    if paid_on_contract + amount > contract_amount:  # R-PAYMENT-CONTRACT
        raise RuleViolation("R-PAYMENT-CONTRACT", f"本次支付 {amount:.2f} 元后合同累计支付 "
                            f"{paid_on_contract + amount:.2f} 元，超过合同金额 {contract_amount:.2f} 元",
                            fields={"amount": "超过合同金额"})
    if paid_on_milestone + amount > milestone_amount:  # R-PAYMENT-CONTRACT
        raise RuleViolation("R-PAYMENT-CONTRACT", f"本次支付 {amount:.2f} 元后该期累计支付 "
                            f"{paid_on_milestone + amount:.2f} 元，超过该期计划金额 {milestone_amount:.2f} 元",
                            fields={"amount": "超过该期付款金额"})


def check_year_budget(amount: Decimal, paid_in_year: Decimal, year_budget: Decimal, reason: str) -> bool:
    """R-PAYMENT-YEAR: the year's payments stay within the project's budget for the year, unless a
    reason is recorded; answers whether this payment goes over (and so carries its reason)."""
    over = paid_in_year + amount > year_budget
    if over and not (reason or "").strip():  # R-PAYMENT-YEAR
        raise RuleViolation("R-PAYMENT-YEAR", f"本年累计支付将达 {paid_in_year + amount:.2f} 元，超过本年预算 "
                            f"{year_budget:.2f} 元；如确需支付，请填写超年度预算支付的理由",
                            fields={"over_reason": "请说明超年度预算支付的理由"})
    return over


# ---- execution (paid ÷ budget) -----------------------------------------------------------------
def execution_rate(paid: Decimal, budget: Decimal) -> Decimal | None:
    """R-EXECUTION: paid ÷ budget in percent, cut (never rounded up) to two places; None without a budget."""
    if budget <= 0:
        return None
    return (paid * 100 / budget).quantize(CENT, rounding=ROUND_DOWN)  # 29.999% shows 29.99%, still short


@dataclass(frozen=True)
class Checkpoint:
    """R-EXECUTION: by `month`-`day` of a construction year, at least `percent` of the year's budget paid."""
    month: int
    day: int
    percent: Decimal

    def due_on(self, year: int) -> date:
        return date(year, self.month, self.day)


def parse_thresholds(text: str) -> tuple[Checkpoint, ...]:
    """'06-30:30,09-30:60' (GOVIT_EXECUTION_THRESHOLDS) -> the checkpoints, earliest first; anything
    else is ValueError naming the part (config.load_config checks it once, so a request never meets it)."""
    found = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        when, _, percent = part.strip().partition(":")
        month, _, day = when.partition("-")
        try:
            point = Checkpoint(int(month), int(day), Decimal(percent.strip()))
            point.due_on(2001)  # a real day of every year (02-29 is not: a common year would fail)
            in_range = point.percent.is_finite() and ZERO < point.percent <= 100
        except (ValueError, ArithmeticError):
            raise ValueError(f"execution threshold is not MM-DD:percent: {part.strip()!r}") from None
        if not in_range:
            raise ValueError(f"execution threshold out of range: {part.strip()!r}")
        found.append(point)
    return tuple(sorted(found, key=lambda p: (p.month, p.day)))


def check_year(year: int, field: str = "year") -> int:
    """A year a figure may be asked for: the plan years (domain.plan.PLAN_YEARS), else InvalidInput."""
    if year not in PLAN_YEARS:
        raise InvalidInput({field: f"年度应在 {PLAN_YEARS.start}–{PLAN_YEARS.stop - 1} 之间"})
    return year


def below(paid: Decimal, budget: Decimal, percent: Decimal) -> bool:
    """R-EXECUTION: exactly: paid × 100 < percent × budget (30.00% meets 30%, 29.99% does not)."""
    return paid * 100 < percent * budget  # R-EXECUTION (no budget: never below, as paid is never negative)


def missed_checkpoint(today: date, year: int, paid: Decimal, budget: Decimal,
                      points: tuple[Checkpoint, ...]) -> Checkpoint | None:
    """R-EXECUTION: the latest checkpoint reached by `today` (its day included) that the year's
    payments miss, else None; a checkpoint not yet reached never counts."""
    reached = [p for p in points if p.due_on(year) <= today]  # R-EXECUTION: on the due day it counts
    if not reached:
        return None
    last = reached[-1]
    return last if below(paid, budget, last.percent) else None


def milestone_overdue(due_on: date, today: date, paid: Decimal, amount: Decimal) -> bool:
    """R-PAYMENT-DUE: a milestone not fully paid after its date (on the date itself it is not late)."""
    return today > due_on and paid < amount  # R-PAYMENT-DUE


# ---- 监理 (第二十四条) and the performance report (第二十五条) ----------------------------------------
def supervision_missing(state: str, kinds) -> bool:
    """R-SUPERVISION: a project in construction needs a 监理 contract."""
    return state in CONTRACTING and SUPERVISION not in set(kinds)  # R-SUPERVISION


def check_performance_opinions(supervisor: str, supervisor_uploaded: bool, users: str, users_uploaded: bool) -> None:
    """R-PERF-REPORT (第二十五条): the report carries the 监理's and the using units' opinions, typed or uploaded."""
    missing = {}
    if not ((supervisor or "").strip() or supervisor_uploaded):  # R-PERF-REPORT
        missing["supervisor_opinion"] = "请填写或上传监理单位意见"
    if not ((users or "").strip() or users_uploaded):  # R-PERF-REPORT
        missing["user_opinions"] = "请填写或上传项目使用单位意见"
    if missing:
        raise RuleViolation("R-PERF-REPORT", "绩效评价报告须征求监理单位和使用单位的意见（第二十五条）："
                            + "；".join(missing.values()), fields=missing)


# ---- settlement (第二十七条) ----------------------------------------------------------------------
def surplus(received: Decimal, paid: Decimal) -> Decimal:
    """R-SURPLUS: what is to be returned: funds received − paid (never negative: more paid is an error)."""
    if paid > received:  # R-SURPLUS
        raise RuleViolation("R-SURPLUS", f"已支付 {paid:.2f} 元超过到位资金 {received:.2f} 元，请核对",
                            fields={"spent": "超过到位资金"})
    return received - paid


def year_budgets(funds: Decimal, annual: dict[int, Decimal], approved_year: int) -> dict[int, Decimal]:
    """R-EXECUTION: the 省政府审定 funds split over the years by the plan's annual amounts (the last
    year takes the cents left, so the years add up to the funds exactly); without annual amounts,
    all in the year of the approval."""
    shares = {y: a for y, a in sorted(annual.items()) if a > 0}
    total = sum(shares.values(), ZERO)
    if total <= 0:
        return {approved_year: funds}
    years = list(shares)
    split = {y: (funds * shares[y] / total).quantize(CENT, rounding=ROUND_DOWN) for y in years[:-1]}
    split[years[-1]] = funds - sum(split.values(), ZERO)  # R-EXECUTION: exact total
    return split
