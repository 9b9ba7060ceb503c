"""Edges of govit/domain/acceptance.py's rule checks (issue 18): R-JOINT-ACCEPT in check_acceptance_opinion and
check_conclusion, R-INPUT in check_classification. Plain values only: each branch, the value one step either
side of it, the exact rule id, the field keys and the message text."""
import pytest

from govit.domain.acceptance import (ACCEPTANCE_VERDICTS, BASE_AUTHORITIES, CLASSIFIED_GRADES, CONDITIONAL, FAIL,
                                     PASS, check_acceptance_opinion, check_classification, check_conclusion)
from govit.domain.errors import RuleViolation

LABELS = {"cyber": "网信办", "crypto": "密码管理局", "police": "公安厅", "ndrc": "发改委", "secrecy": "保密办"}
ALL_PASS = {a: PASS for a in BASE_AUTHORITIES}
ALL_PASS_CLASSIFIED = {**ALL_PASS, "secrecy": PASS}


# --- check_acceptance_opinion: R-JOINT-ACCEPT -------------------------------------------------------------

@pytest.mark.parametrize("authority", BASE_AUTHORITIES)
@pytest.mark.parametrize("classified", [False, True])
def test_r_joint_accept_base_authority_may_opine(authority, classified):
    """R-JOINT-ACCEPT: the four base authorities take part whether or not the system is 涉密."""
    assert check_acceptance_opinion(authority, PASS, "符合要求", classified, False) is None


def test_r_joint_accept_secrecy_opines_on_classified():
    """R-JOINT-ACCEPT: 保密办 takes part in a 涉密 system's acceptance."""
    assert check_acceptance_opinion("secrecy", PASS, "符合要求", True, False) is None


def test_r_joint_accept_secrecy_refused_on_unclassified():
    """R-JOINT-ACCEPT: 保密办 does not take part when the system is not 涉密."""
    with pytest.raises(RuleViolation) as err:
        check_acceptance_opinion("secrecy", PASS, "符合要求", False, False)
    assert err.value.rule == "R-JOINT-ACCEPT"
    assert err.value.message == "该项目不是涉密系统，保密办不参加其竣工验收；如项目实为涉密，请先确认涉密属性"
    assert err.value.fields == {}


def test_r_joint_accept_unknown_authority_refused():
    """R-JOINT-ACCEPT: an authority outside the list is refused even for a 涉密 system."""
    with pytest.raises(RuleViolation) as err:
        check_acceptance_opinion("finance", PASS, "符合要求", True, False)
    assert err.value.rule == "R-JOINT-ACCEPT"
    assert "保密办不参加其竣工验收" in err.value.message


@pytest.mark.parametrize("verdict", [PASS, CONDITIONAL, FAIL])
def test_r_joint_accept_each_verdict_accepted(verdict):
    """R-JOINT-ACCEPT: pass, conditional and fail are the three verdicts."""
    assert check_acceptance_opinion("cyber", verdict, "意见", False, False) is None


@pytest.mark.parametrize("verdict", ["", "PASS", "accept", "通过", None])
def test_r_joint_accept_unknown_verdict_refused(verdict):
    """R-JOINT-ACCEPT: any other verdict is refused on the verdict field."""
    with pytest.raises(RuleViolation) as err:
        check_acceptance_opinion("cyber", verdict, "意见", False, False)
    assert err.value.rule == "R-JOINT-ACCEPT"
    assert err.value.message == "验收意见只能是：pass、conditional、fail"
    assert err.value.message == f"验收意见只能是：{'、'.join(ACCEPTANCE_VERDICTS)}"
    assert err.value.fields == {"verdict": "应为 pass、conditional 或 fail"}


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", None])
def test_r_joint_accept_empty_text_refused(text):
    """R-JOINT-ACCEPT: an opinion without text (empty, blank or None) is refused on the text field."""
    with pytest.raises(RuleViolation) as err:
        check_acceptance_opinion("cyber", PASS, text, False, False)
    assert err.value.rule == "R-JOINT-ACCEPT"
    assert err.value.message == "请填写验收意见的具体内容"
    assert err.value.fields == {"text": "请填写验收意见"}


@pytest.mark.parametrize("text", ["x", " 同意 ", "符合要求"])
def test_r_joint_accept_text_one_char_is_enough(text):
    """R-JOINT-ACCEPT: one visible character is text enough."""
    assert check_acceptance_opinion("cyber", FAIL, text, False, False) is None


def test_r_joint_accept_second_opinion_refused():
    """R-JOINT-ACCEPT: one opinion per authority per application."""
    with pytest.raises(RuleViolation) as err:
        check_acceptance_opinion("cyber", PASS, "符合要求", False, True)
    assert err.value.rule == "R-JOINT-ACCEPT"
    assert err.value.message == "本部门已对这次验收申请出具意见，不能重复出具"
    assert err.value.fields == {}


def test_r_joint_accept_order_authority_before_verdict():
    """R-JOINT-ACCEPT: a non-participating authority is refused before its verdict is read."""
    with pytest.raises(RuleViolation) as err:
        check_acceptance_opinion("secrecy", "bogus", "", False, True)
    assert "保密办不参加" in err.value.message


def test_r_joint_accept_order_verdict_before_text():
    """R-JOINT-ACCEPT: the verdict is checked before the text and the repeat."""
    with pytest.raises(RuleViolation) as err:
        check_acceptance_opinion("cyber", "bogus", "", False, True)
    assert err.value.fields == {"verdict": "应为 pass、conditional 或 fail"}


def test_r_joint_accept_order_text_before_repeat():
    """R-JOINT-ACCEPT: the text is checked before the repeat."""
    with pytest.raises(RuleViolation) as err:
        check_acceptance_opinion("cyber", PASS, "", False, True)
    assert err.value.fields == {"text": "请填写验收意见"}


# --- check_conclusion: R-JOINT-ACCEPT ---------------------------------------------------------------------

@pytest.mark.parametrize("accepting", [True, False])
def test_r_joint_accept_conclusion_all_passed(accepting):
    """R-JOINT-ACCEPT: with every opinion in and none failed, either conclusion may be drawn."""
    assert check_conclusion(dict(ALL_PASS), False, accepting, LABELS) is None
    assert check_conclusion(dict(ALL_PASS_CLASSIFIED), True, accepting, LABELS) is None


def test_r_joint_accept_conclusion_conditional_is_not_fail():
    """R-JOINT-ACCEPT: a conditional opinion does not block acceptance."""
    given = {a: CONDITIONAL for a in BASE_AUTHORITIES}
    assert check_conclusion(given, False, True, LABELS) is None


def test_r_joint_accept_conclusion_one_missing():
    """R-JOINT-ACCEPT: one authority short (exact limit minus one) refuses, naming it."""
    given = {a: PASS for a in BASE_AUTHORITIES if a != "police"}
    with pytest.raises(RuleViolation) as err:
        check_conclusion(given, False, True, LABELS)
    assert err.value.rule == "R-JOINT-ACCEPT"
    assert err.value.message == "须各部门均出具验收意见后才能作出结论，尚缺：公安厅"
    assert err.value.fields == {}


def test_r_joint_accept_conclusion_missing_secrecy_on_classified():
    """R-JOINT-ACCEPT: a 涉密 system also waits for 保密办."""
    with pytest.raises(RuleViolation) as err:
        check_conclusion(dict(ALL_PASS), True, False, LABELS)
    assert err.value.rule == "R-JOINT-ACCEPT"
    assert err.value.message == "须各部门均出具验收意见后才能作出结论，尚缺：保密办"


def test_r_joint_accept_conclusion_none_given():
    """R-JOINT-ACCEPT: no opinion at all names every authority in order."""
    with pytest.raises(RuleViolation) as err:
        check_conclusion({}, True, False, LABELS)
    assert err.value.rule == "R-JOINT-ACCEPT"
    assert err.value.message == "须各部门均出具验收意见后才能作出结论，尚缺：网信办、密码管理局、公安厅、发改委、保密办"


def test_r_joint_accept_conclusion_accept_with_fail_refused():
    """R-JOINT-ACCEPT: `accept` is refused while an opinion is `fail`, naming the failing authorities."""
    given = {**ALL_PASS, "crypto": FAIL, "ndrc": FAIL}
    with pytest.raises(RuleViolation) as err:
        check_conclusion(given, False, True, LABELS)
    assert err.value.rule == "R-JOINT-ACCEPT"
    assert err.value.message == ("密码管理局、发改委验收意见为不通过，不能通过验收；"
                                 "请作出验收不通过结论并告知建设单位理由")
    assert err.value.fields == {}


def test_r_joint_accept_conclusion_accept_with_secrecy_fail_refused():
    """R-JOINT-ACCEPT: 保密办's `fail` on a 涉密 system blocks `accept` too."""
    given = {**ALL_PASS_CLASSIFIED, "secrecy": FAIL}
    with pytest.raises(RuleViolation) as err:
        check_conclusion(given, True, True, LABELS)
    assert err.value.rule == "R-JOINT-ACCEPT"
    assert err.value.message.startswith("保密办验收意见为不通过")


def test_r_joint_accept_conclusion_reject_with_fail_allowed():
    """R-JOINT-ACCEPT: a `fail` opinion lets the planner conclude 不通过."""
    given = {**ALL_PASS, "crypto": FAIL}
    assert check_conclusion(given, False, False, LABELS) is None


# --- check_classification: R-INPUT ------------------------------------------------------------------------

@pytest.mark.parametrize("grade", list(CLASSIFIED_GRADES))
def test_r_input_classified_with_each_grade(grade):
    """R-INPUT: a 涉密 system with secret, confidential or top_secret passes."""
    assert check_classification(True, grade, "依据") is None


@pytest.mark.parametrize("grade", ["", None, "SECRET", "秘密", "internal"])
def test_r_input_classified_without_grade_refused(grade):
    """R-INPUT: a 涉密 system must name a known grade, on the grade field."""
    with pytest.raises(RuleViolation) as err:
        check_classification(True, grade, "依据")
    assert err.value.rule == "R-INPUT"
    assert err.value.message == "涉密系统须确定密级"
    assert err.value.fields == {"grade": "应为：secret、confidential、top_secret"}


@pytest.mark.parametrize("grade", ["", None, "bogus"])
def test_r_input_unclassified_needs_no_grade(grade):
    """R-INPUT: a system confirmed not 涉密 names no grade."""
    assert check_classification(False, grade, "依据") is None


@pytest.mark.parametrize("classified,grade", [(False, ""), (True, "secret")])
@pytest.mark.parametrize("reason", ["", "  ", "\t\n", None])
def test_r_input_classification_needs_reason(classified, grade, reason):
    """R-INPUT: every confirmation gives its basis, on the reason field."""
    with pytest.raises(RuleViolation) as err:
        check_classification(classified, grade, reason)
    assert err.value.rule == "R-INPUT"
    assert err.value.message == "请填写确认依据"
    assert err.value.fields == {"reason": "请填写确认依据"}


@pytest.mark.parametrize("reason", ["x", " 依据 "])
def test_r_input_classification_one_char_reason_is_enough(reason):
    """R-INPUT: one visible character is basis enough."""
    assert check_classification(False, "", reason) is None
    assert check_classification(True, "top_secret", reason) is None


def test_r_input_grade_checked_before_reason():
    """R-INPUT: a 涉密 system without grade is refused on the grade before the reason."""
    with pytest.raises(RuleViolation) as err:
        check_classification(True, "", "")
    assert err.value.fields == {"grade": "应为：secret、confidential、top_secret"}
