"""The project page's lifecycle stepper (issue 19, item 2): each state's stage, the dates shown,
where a terminated project stopped."""
from datetime import date

import pytest

from govit.domain.lifecycle import STATES, TERMINATED
from govit.domain.stages import STAGES, stepper

DATES = {"proposal": date(2026, 6, 2), "review": date(2026, 6, 16), "plan": date(2026, 6, 23),
         "feasibility": date(2027, 2, 1)}


def statuses(state, dates=DATES):
    return [s.status for s in stepper(state, dates)]


@pytest.mark.parametrize("state", [s for s in STATES if s != TERMINATED])
def test_every_state_has_exactly_one_current_stage(state):
    assert statuses(state).count("current") == 1
    assert "stopped" not in statuses(state)


def test_stages_before_the_current_are_done_and_after_it_to_do():
    steps = stepper("feasibility_review", DATES)
    assert [s.key for s in steps] == [key for key, _, _ in STAGES]
    assert [s.status for s in steps[:4]] == ["done", "done", "done", "current"]
    assert {s.status for s in steps[4:]} == {"todo"}


def test_dates_are_shown_up_to_the_current_stage_only():
    steps = stepper("joint_review", {**DATES, "construction": date(2027, 5, 1)})
    assert [s.on for s in steps[:2]] == [date(2026, 6, 2), date(2026, 6, 16)]
    assert all(s.on is None for s in steps[2:])


@pytest.mark.parametrize("state, stage", [("draft", "proposal"), ("supplement_requested", "review"),
                                          ("review_failed", "review"), ("review_passed", "plan"),
                                          ("design_approved", "design"), ("suspended", "construction"),
                                          ("completed", "construction"), ("acceptance_review", "acceptance"),
                                          ("self_evaluated", "operation"), ("closed", "closed")])
def test_states_map_to_their_stage(state, stage):
    assert next(s.key for s in stepper(state, {}) if s.status == "current") == stage


def test_a_terminated_project_stops_at_the_last_stage_it_reached():
    steps = stepper(TERMINATED, DATES)
    assert [s.status for s in steps[:5]] == ["done", "done", "done", "stopped", "todo"]
    assert steps[3].on == date(2027, 2, 1)
    assert stepper(TERMINATED, {})[0].status == "stopped"  # nothing known: it stopped at the proposal
