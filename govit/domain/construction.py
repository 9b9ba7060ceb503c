"""Construction to post-evaluation (第二十五–三十三条): variance, acceptance, evaluation windows."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .calendar import WorkCalendar, add_months
from .errors import RuleViolation

ACCEPT_MONTHS = 6  # R-ACCEPT-6M
SELF_EVAL_FROM, SELF_EVAL_UNTIL = 6, 12  # R-SELF-EVAL: months after acceptance and going live
PREREQUISITES = {  # R-ACCEPT-PREREQ: document kinds (第二十三、三十一、三十二条)
    "archive_acceptance": "档案验收意见",
    "crypto_assessment": "密码应用安全性评估报告",
    "reliability_statement": "安全可靠产品情况说明",
}
CLASSIFIED_PREREQUISITE = {"confidentiality_assessment": "保密测评报告"}
INCIDENT_KINDS = {"delay": "严重延误", "loss": "重大投资损失"}
INCIDENT_ORDERS = {"rectify": "责令整改", "suspend": "暂停项目", "terminate": "终止项目"}


def is_month(text: str | None) -> bool:
    """Whether `text` is a YYYY-MM month (a period stored before the API checked it may not be)."""
    parts = (text or "").split("-")
    return len(parts) == 2 and len(parts[0]) == 4 and parts[0].isdigit() and parts[1].isdigit() \
        and 1 <= int(parts[1]) <= 12


def month_index(month: str) -> int:
    """'2027-03' -> a running month number."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def planned_percent(start_month: str, end_month: str, period: str) -> Decimal:
    """The share of the schedule that should be done by the end of `period` (straight line)."""
    start, end, now = month_index(start_month), month_index(end_month), month_index(period)
    months = end - start + 1
    done = min(max(now - start + 1, 0), months)
    return (Decimal(done) * 100 / months).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Variance:
    """Schedule and cost variance of one progress report, like the US IT Dashboard's."""

    planned: Decimal  # % of schedule that should be done
    actual: Decimal  # % complete reported
    schedule: Decimal  # actual - planned, percentage points (negative: behind)
    earned: Decimal  # actual % of the baseline total, yuan
    spent: Decimal
    cost: Decimal  # earned - spent, yuan (negative: over cost)

    @property
    def level(self) -> str:
        """'ok', 'watch' (≥10 points behind or ≥10% over) or 'alert' (≥30 points / ≥30%)."""
        behind = -self.schedule
        over = (-self.cost * 100 / self.earned) if self.earned else (Decimal(100) if self.spent else Decimal(0))
        worst = max(behind, over)
        return "alert" if worst >= 30 else "watch" if worst >= 10 else "ok"


def variance(baseline_total: Decimal, planned: Decimal, actual: Decimal, spent: Decimal) -> Variance:
    earned = (baseline_total * actual / 100).quantize(Decimal("0.01"))
    return Variance(planned, actual, actual - planned, earned, spent, earned - spent)


def check_progress(percent: Decimal, spent: Decimal, previous_percent: Decimal | None) -> None:
    if not Decimal(0) <= percent <= Decimal(100):
        raise RuleViolation("R-PERF-REPORT", "完成百分比应在 0 到 100 之间", fields={"percent_complete": "0–100"})
    if previous_percent is not None and percent < previous_percent:
        raise RuleViolation("R-PERF-REPORT", f"完成百分比不能低于上次报告的 {previous_percent}%",
                            fields={"percent_complete": "不能倒退"})


def performance_report_due(year: int) -> date:
    """R-PERF-REPORT: the year's performance evaluation report is due by 12-31."""
    return date(year, 12, 31)


def acceptance_due(completed_on: date, extended_until: date | None, cal: WorkCalendar | None = None) -> date:
    """R-ACCEPT-6M with R-CAL-MONTHS: six months after completion (rolled forward to a working day
    on `cal`), or the approved extension."""
    return extended_until or add_months(completed_on, ACCEPT_MONTHS, cal)


def check_extension_request(today: date, due: date, until: date) -> None:
    """R-ACCEPT-6M: an extension is asked for before the acceptance due date, for a later date."""
    if today > due:
        raise RuleViolation("R-ACCEPT-6M", f"验收申请期限 {due:%Y-%m-%d} 已过，不能再申请延期")
    if until <= due:
        raise RuleViolation("R-ACCEPT-6M", f"延期后的日期应晚于原期限 {due:%Y-%m-%d}", fields={"until": "应晚于原期限"})


def missing_prerequisites(uploaded: set[str], classified: bool) -> dict[str, str]:
    """R-ACCEPT-PREREQ: what acceptance still lacks."""
    needed = {**PREREQUISITES, **(CLASSIFIED_PREREQUISITE if classified else {})}
    return {kind: label for kind, label in needed.items() if kind not in uploaded}


def check_acceptance_prerequisites(uploaded: set[str], classified: bool) -> None:
    missing = missing_prerequisites(uploaded, classified)
    if missing:
        raise RuleViolation("R-ACCEPT-PREREQ", f"申请验收前须上传：{'、'.join(missing.values())}",
                            fields={k: f"缺少{v}" for k, v in missing.items()})


def self_eval_start(live_on: date, accepted_on: date | None = None) -> date:
    """R-SELF-EVAL (第三十三条): the window counts from the later of going live and acceptance."""
    return max(live_on, accepted_on) if accepted_on else live_on


def self_eval_window(live_on: date, accepted_on: date | None = None,
                     cal: WorkCalendar | None = None) -> tuple[date, date]:
    """R-SELF-EVAL: accepted from 6 months after the later of going live and acceptance; overdue
    after 12 (R-CAL-MONTHS: the domain's month arithmetic, rolled forward past holidays there)."""
    start = self_eval_start(live_on, accepted_on)
    return add_months(start, SELF_EVAL_FROM), add_months(start, SELF_EVAL_UNTIL, cal)


def check_self_evaluation(live_on: date, today: date, accepted_on: date | None = None,
                          cal: WorkCalendar | None = None) -> bool:
    """Refuse before the window opens; True when it is filed late (after 12 months: the last day
    of the window itself is still on time)."""
    opens, closes = self_eval_window(live_on, accepted_on, cal)
    if today < opens:  # R-SELF-EVAL
        start = self_eval_start(live_on, accepted_on)
        raise RuleViolation("R-SELF-EVAL", f"自评价须在项目竣工验收并上线（取两者较晚的 {start:%Y-%m-%d}）满 6 个月后提交，"
                                           f"即 {opens:%Y-%m-%d} 起（上线 {live_on:%Y-%m-%d}"
                                           + (f"，验收 {accepted_on:%Y-%m-%d}）" if accepted_on else "）"))
    return today > closes


def check_score(score: Decimal) -> None:
    if not Decimal(0) <= score <= Decimal(100):
        raise RuleViolation("R-SELF-EVAL", "评分应在 0 到 100 之间", fields={"score": "0–100"})


def parse_decimal(text, field: str, places: int = 2) -> Decimal:
    """A plain number (a score, a percentage) with at most `places` decimals, or a field error."""
    from decimal import InvalidOperation
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value.as_tuple().exponent < -places:
        raise RuleViolation("R-INPUT", f"“{text}”不是有效数字（最多 {places} 位小数）", fields={field: "数字格式有误"})
    return value
