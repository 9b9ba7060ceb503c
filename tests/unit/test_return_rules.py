"""R-RETURN, R-ONLINE-CODE and R-DESIGN-DEVIATION as plain rules (govit/domain)."""
from datetime import date

import pytest

from govit.domain import lifecycle
from govit.domain.approval import (check_appeal_in_time, check_online_code, check_stage, clean_reasons,
                                   online_code_problem, returned_to, review_stage)
from govit.domain.errors import InvalidInput, InvalidTransition, RuleViolation


@pytest.mark.parametrize("state, target", [("feasibility_review", "planned"), ("design_review", "feasibility_approved"),
                                           ("design_approved", "feasibility_approved"),
                                           ("feasibility_approved", "planned")])
def test_r_return_goes_back_to_where_the_department_resubmits(state, target):
    """R-RETURN: each review's return lands where the department submits again; refusal terminates."""
    assert lifecycle.next_state("return", state) == target
    assert lifecycle.next_state("refuse", state) == "terminated"
    merged = state == "feasibility_approved"
    assert returned_to(review_stage(state, merged), merged) == target


@pytest.mark.parametrize("state", ["planned", "review_passed", "in_construction", "terminated"])
def test_r_return_not_from_a_state_without_a_pending_review(state):
    """R-RETURN: nothing to return or refuse outside a review."""
    with pytest.raises(InvalidTransition):
        lifecycle.next_state("return", state)
    with pytest.raises(RuleViolation) as err:
        check_stage(state, merged=False)
    assert err.value.rule == "R-RETURN"


def test_r_return_feasibility_approved_waits_for_the_gov_only_on_the_merged_path():
    """R-RETURN: an unmerged feasibility_approved project waits for its own design, not an approver."""
    assert review_stage("feasibility_approved", merged=True) == "gov"
    assert review_stage("feasibility_approved", merged=False) is None


def test_r_return_appeal_window_edges():
    """R-RETURN: the 10th working day itself is in time, the day after is not."""
    check_appeal_in_time(date(2026, 10, 20), date(2026, 10, 20))
    with pytest.raises(RuleViolation):
        check_appeal_in_time(date(2026, 10, 20), date(2026, 10, 21))


def test_r_return_reasons_are_listed_at_once():
    """R-RETURN (一次性告知): lines or a list; blanks dropped; at least one."""
    assert clean_reasons("一\n\n 二 ") == ["一", "二"]
    assert clean_reasons(["一", " ", "二"]) == ["一", "二"]
    for bad in ([], [" "], "", [1], None, {"a": 1}):
        with pytest.raises(InvalidInput) as err:
            clean_reasons(bad)
        assert err.value.rule == "R-RETURN"


@pytest.mark.parametrize("code, ok", [("2027-230000-65-01-000001", True), ("2026-231083-65-01-999999", True),
                                      ("2027-220000-65-01-000001", False), ("2027-230000-65-1-000001", False),
                                      ("2027-230000-65-01-0000011", False), (" 2027-230000-65-01-000001x", False),
                                      ("X-1", False)])
def test_r_online_code_shape(code, ok):
    """R-ONLINE-CODE: YYYY-AAAAAA-II-TT-NNNNNN, region 23xxxx."""
    assert (online_code_problem(code) is None) is ok


def test_r_online_code_missing_or_taken():
    """R-ONLINE-CODE: required unless classified; a code another project holds is refused."""
    check_online_code(True, "")
    with pytest.raises(RuleViolation):
        check_online_code(False, "")
    with pytest.raises(RuleViolation) as err:
        check_online_code(False, "2027-230000-65-01-000001", taken_by="别的项目")
    assert "别的项目" in err.value.message
