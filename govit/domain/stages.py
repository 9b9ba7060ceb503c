"""The project page's lifecycle stepper: the stages a project passes, which are done, which is current.

Plain values only: the page gives the state and the dates it knows (each stage's date is the day the
project entered it); a terminated project stops at the last stage it reached.
"""
from dataclasses import dataclass
from datetime import date

from .lifecycle import STATES, TERMINATED

# stage key, label, the states in which the project stands at that stage (API.md 'States')
STAGES: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("proposal", "申报", frozenset({"draft"})),
    ("review", "联合审核", frozenset({"joint_review", "supplement_requested", "review_failed"})),
    ("plan", "年度计划", frozenset({"review_passed", "planned"})),
    ("feasibility", "可研审批", frozenset({"feasibility_review", "feasibility_approved"})),
    ("design", "初设与审定", frozenset({"design_review", "design_approved"})),
    ("construction", "建设", frozenset({"in_construction", "suspended", "completed"})),
    ("acceptance", "竣工验收", frozenset({"acceptance_review"})),
    ("operation", "运行与评价", frozenset({"in_operation", "self_evaluated"})),
    ("closed", "关闭", frozenset({"closed"})),
)
STAGE_OF_STATE = {state: key for key, _, states in STAGES for state in states}
assert set(STAGE_OF_STATE) | {TERMINATED} == set(STATES), "every state but terminated has its stage"


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    status: str  # done | current | todo | stopped (where a terminated project ended)
    on: date | None


def stepper(state: str, dates: dict[str, date | None]) -> list[Step]:
    """Each stage with its date and status; `dates`: stage key -> the day the project entered it."""
    keys = [key for key, _, _ in STAGES]
    if state == TERMINATED:  # it ended where it had got to: the last stage with a date
        reached = [i for i, key in enumerate(keys) if dates.get(key)]
        current, status = (reached[-1] if reached else 0), "stopped"
    else:
        current, status = keys.index(STAGE_OF_STATE[state]), "current"
    return [Step(key, label, "done" if i < current else status if i == current else "todo",
                 dates.get(key) if i <= current else None)
            for i, (key, label, _) in enumerate(STAGES)]
