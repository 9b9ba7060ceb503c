"""Edges of R-ONLINE-CODE and R-RETURN in govit.domain.approval, as plain unit tests (issue 18).

Each test pins the exact rule id, the field keys and the distinctive part of the message, so the
mutants on those rule lines (rule id dropped, wrapped in XX, lower-cased; limits shifted) die.
"""
from datetime import date, timedelta

import pytest

from govit.domain.approval import (
    APPEAL_WORKING_DAYS,
    ONLINE_CODE_SHAPE,
    check_appeal_in_time,
    check_online_code,
    check_online_code_shape,
    clean_reasons,
)
from govit.domain.errors import InvalidInput, RuleViolation

GOOD_CODE = "2027-230000-65-01-000001"


# --- R-ONLINE-CODE: check_online_code_shape -------------------------------------------------

def test_r_online_code_shape_accepts_the_platform_shape_and_empty():
    """R-ONLINE-CODE: a well-formed code (padded or not) and an empty code pass the shape check."""
    assert check_online_code_shape(GOOD_CODE) is None
    assert check_online_code_shape(f"  {GOOD_CODE}  ") is None
    assert check_online_code_shape("") is None
    assert check_online_code_shape(None) is None


def test_r_online_code_shape_refuses_a_malformed_code_with_rule_field_and_shape():
    """R-ONLINE-CODE: a malformed code is a 400 InvalidInput naming rule R-ONLINE-CODE and online_code."""
    with pytest.raises(InvalidInput) as err:
        check_online_code_shape("2027-110000-65-01-000001")  # not a Heilongjiang 23xxxx region
    assert type(err.value) is InvalidInput
    assert err.value.rule == "R-ONLINE-CODE"
    assert list(err.value.fields) == ["online_code"]
    problem = "项目代码“2027-110000-65-01-000001”格式不对，应为 " + ONLINE_CODE_SHAPE
    assert err.value.fields["online_code"] == problem
    assert err.value.message == problem


# --- R-ONLINE-CODE: check_online_code -------------------------------------------------------

def test_r_online_code_missing_for_non_classified_project():
    """R-ONLINE-CODE: a non-classified project without a code is refused (409 RuleViolation)."""
    for code in ("", "   ", None):
        with pytest.raises(RuleViolation) as err:
            check_online_code(False, code)
        assert type(err.value) is RuleViolation
        assert err.value.rule == "R-ONLINE-CODE"
        assert err.value.fields == {"online_code": "缺少项目代码"}
        assert err.value.message.startswith("非涉密项目须先填写投资项目在线审批监管平台的项目代码")
        assert ONLINE_CODE_SHAPE in err.value.message


def test_r_online_code_classified_project_may_have_no_code():
    """R-ONLINE-CODE: a classified (涉密) project needs no code."""
    assert check_online_code(True, "") is None
    assert check_online_code(True, None) is None


def test_r_online_code_well_formed_free_code_passes():
    """R-ONLINE-CODE: a well-formed code no other project holds passes, classified or not."""
    assert check_online_code(False, GOOD_CODE) is None
    assert check_online_code(True, GOOD_CODE) is None
    assert check_online_code(False, f" {GOOD_CODE} ", taken_by=None) is None


def test_r_online_code_malformed_code_is_refused_with_rule_and_field():
    """R-ONLINE-CODE: a malformed code is refused with the rule id and the problem under online_code."""
    for classified in (False, True):
        with pytest.raises(RuleViolation) as err:
            check_online_code(classified, "2027-23000-65-01-000001")
        assert type(err.value) is RuleViolation
        assert err.value.rule == "R-ONLINE-CODE"
        problem = "项目代码“2027-23000-65-01-000001”格式不对，应为 " + ONLINE_CODE_SHAPE
        assert err.value.message == problem
        assert err.value.fields == {"online_code": problem}


def test_r_online_code_taken_by_another_project_is_refused():
    """R-ONLINE-CODE: a code another project holds is refused, naming that project."""
    with pytest.raises(RuleViolation) as err:
        check_online_code(False, f" {GOOD_CODE} ", taken_by="省政务云")
    assert type(err.value) is RuleViolation
    assert err.value.rule == "R-ONLINE-CODE"
    assert err.value.message == f"项目代码 {GOOD_CODE} 已被项目“省政务云”使用，请核对"
    assert err.value.fields == {"online_code": "与其他项目重复"}


# --- R-RETURN: clean_reasons ----------------------------------------------------------------

def _refused_reasons(reasons) -> InvalidInput:
    with pytest.raises(InvalidInput) as err:
        clean_reasons(reasons)
    assert err.value.rule == "R-RETURN"
    assert list(err.value.fields) == ["reasons"]
    assert err.value.fields["reasons"] == err.value.message
    return err.value


LIMIT_MESSAGE = "意见至多 100 条，每条不超过 2000 字"


def test_r_return_reasons_are_stripped_and_blank_lines_dropped():
    """R-RETURN: text is one point a line; blanks go, each point is stripped."""
    assert clean_reasons("  补充预算表 \n\n  \n核对工期\r\n") == ["补充预算表", "核对工期"]
    assert clean_reasons([" a ", "", "  ", "b"]) == ["a", "b"]


def test_r_return_reasons_must_be_a_list_of_text():
    """R-RETURN: anything but text or a list of text is refused."""
    for bad in (None, 5, {"a": "b"}, ["ok", 3]):
        assert _refused_reasons(bad).message == "修改意见应为文字列表，一条一项"


def test_r_return_reasons_need_at_least_one_point():
    """R-RETURN: no point at all is refused (一次性告知)."""
    for empty in ("", "  \n ", [], ["", "  "]):
        assert _refused_reasons(empty).message == "退回修改须一次性列明全部修改意见（至少一条）"


def test_r_return_reasons_count_boundary_100():
    """R-RETURN: 99 and exactly 100 points pass; 101 are refused with the limit message."""
    assert len(clean_reasons([f"第{i}条" for i in range(99)])) == 99
    assert clean_reasons([f"第{i}条" for i in range(100)]) == [f"第{i}条" for i in range(100)]
    assert _refused_reasons([f"第{i}条" for i in range(101)]).message == LIMIT_MESSAGE
    assert _refused_reasons([f"第{i}条" for i in range(102)]).message == LIMIT_MESSAGE


def test_r_return_reasons_length_boundary_2000():
    """R-RETURN: a point of 1999 and exactly 2000 characters passes; 2001 is refused."""
    assert clean_reasons(["字" * 1999]) == ["字" * 1999]
    assert clean_reasons(["字" * 2000]) == ["字" * 2000]
    assert clean_reasons(["短", "字" * 2000]) == ["短", "字" * 2000]
    assert _refused_reasons(["字" * 2001]).message == LIMIT_MESSAGE
    assert _refused_reasons(["短", "字" * 2001]).message == LIMIT_MESSAGE


def test_r_return_reasons_one_limit_alone_is_enough():
    """R-RETURN: too many short points, or few points with one too long, are each refused (either limit)."""
    assert _refused_reasons(["短"] * 101).message == LIMIT_MESSAGE
    assert _refused_reasons(["字" * 2001, "短"]).message == LIMIT_MESSAGE
    assert _refused_reasons(["字" * 2001] * 101).message == LIMIT_MESSAGE


# --- R-RETURN: check_appeal_in_time ---------------------------------------------------------

def test_r_return_appeal_on_or_before_due_day_is_accepted():
    """R-RETURN: an appeal on the due day itself, or the day before, is in time."""
    due = date(2027, 3, 15)
    assert check_appeal_in_time(due, due) is None
    assert check_appeal_in_time(due, due - timedelta(days=1)) is None


def test_r_return_appeal_after_due_day_is_refused():
    """R-RETURN: an appeal the day after the due day is refused with the rule id, field and date."""
    due = date(2027, 3, 15)
    with pytest.raises(RuleViolation) as err:
        check_appeal_in_time(due, due + timedelta(days=1))
    assert type(err.value) is RuleViolation
    assert err.value.rule == "R-RETURN"
    assert err.value.fields == {"reason": "已超过申诉期限"}
    assert err.value.message == (f"申诉期限已过（不予批准后 {APPEAL_WORKING_DAYS} 个工作日内，截至 "
                                 "2027-03-15）")
    assert APPEAL_WORKING_DAYS == 10
