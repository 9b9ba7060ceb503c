"""The joint review (第十条): parallel opinions, the result, and the 5-working-day clock."""
from dataclasses import dataclass
from datetime import date, timedelta

from .calendar import Due, WorkCalendar
from .errors import RuleViolation

PASS, CONDITIONAL, SUPPLEMENT, FAIL = "pass", "conditional", "supplement", "fail"
VERDICTS = {PASS: "通过", CONDITIONAL: "有条件通过", SUPPLEMENT: "需陈述和补正", FAIL: "不通过"}
FINAL_VERDICTS = frozenset({PASS, CONDITIONAL, FAIL})
REVIEW_WORKING_DAYS = 5  # R-REVIEW-5WD


@dataclass(frozen=True)
class Pause:
    """A span the authority waits on someone else (补正 R-CLOCK, expert evaluation R-REVIEW-EXPERT)."""

    started_on: date
    ended_on: date | None


def check_opinion(verdict: str, text: str, current: str | None, awaiting_answer: bool) -> None:
    """R-REVIEW-PARALLEL: one valid verdict with reasons; a final opinion is not changed.

    R-SUPPLEMENT: an authority that asked for 补正 speaks again only after the answer.
    """
    if verdict not in VERDICTS:
        raise RuleViolation("R-REVIEW-PARALLEL", f"审核结论只能是：{'、'.join(VERDICTS)}")
    if not text or not text.strip():
        raise RuleViolation("R-REVIEW-PARALLEL", "请填写审核意见的具体内容")
    if current in FINAL_VERDICTS:
        raise RuleViolation("R-REVIEW-PARALLEL", "本部门已出具最终审核意见，不能重复出具")
    if awaiting_answer:
        raise RuleViolation("R-SUPPLEMENT", "已要求陈述和补正，须等待建设单位答复后再出具意见")


def review_result(latest: dict[str, str | None], authorities: list[str]) -> str | None:
    """R-REVIEW-RESULT: once all opinions are final, any fail fails; else passed; else None."""
    verdicts = [latest.get(a) for a in authorities]
    if any(v not in FINAL_VERDICTS for v in verdicts):
        return None
    return "review_failed" if FAIL in verdicts else "review_passed"


def review_due(cal: WorkCalendar, submitted_on: date, pauses: list[Pause], today: date) -> Due:
    """R-REVIEW-5WD with R-CLOCK: 5 working days, moved later by every paused working day.

    A pause still open counts up to today, so the due date shown keeps moving while it waits.
    """
    base = cal.add_working_days(submitted_on, REVIEW_WORKING_DAYS)
    paused_days: set[date] = set()  # overlapping pauses count once
    for pause in pauses:
        day, end = pause.started_on, pause.ended_on or max(today, pause.started_on)
        while day < end:
            day += timedelta(days=1)
            if cal.is_workday(day):
                paused_days.add(day)
    moved = cal.add_working_days(base.due_on, len(paused_days))
    return Due(moved.due_on, base.confirmed and moved.confirmed)


def check_supplement_once(authority_label: str, earlier_on: date | None, consented: bool) -> None:
    """R-SUPPLEMENT-ONCE (一次性告知): one 补正 request per authority per joint review; a second
    needs the planner's consent with a recorded reason."""
    if earlier_on is not None and not consented:
        raise RuleViolation("R-SUPPLEMENT-ONCE", f"{authority_label}已于 {earlier_on:%Y-%m-%d} 要求过一次陈述和补正；"
                                                 "按一次性告知，须在一次要求中列明全部问题，再次要求须经营商环境局同意并说明理由")
