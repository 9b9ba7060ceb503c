"""R-DUTIES (check_account_change) and R-SUPPLEMENT-ONCE (check_supplement_once) at every branch, in plain
values (issue 18: no surviving mutant on a rule line). Each refusal pins its exact rule id, its type, its
(empty) fields and its whole message; each pass is the same check one step away."""
from datetime import date

import pytest

from govit.domain import review
from govit.domain.duties import check_account_change
from govit.domain.errors import Forbidden, RuleViolation
from govit.domain.roles import ADMIN, APPLICANT, AUDITOR, PLANNER, SECURITY_ADMIN

SA = SECURITY_ADMIN
MSG_MANAGER = "账号、角色、解锁和重置密码由安全管理员办理"
MSG_SELF = "不能变更自己的账号（角色、状态或密码），请由另一位安全管理员办理"
MSG_ROLE = ("系统管理员、安全管理员、审计员账号只能在服务器上用 govit create-user 创建，"
            "其角色不能变更，其他账号也不能改为这三种角色")
MSG_RESET = ("系统管理员、安全管理员、审计员账号的密码不能在系统中重置，"
             "请在服务器上用 govit reset-password 办理")


def refused(message, *args, **kwargs):
    with pytest.raises(Forbidden) as err:
        check_account_change(*args, **kwargs)
    assert err.value.rule == "R-DUTIES"
    assert err.value.message == message
    assert str(err.value) == message
    assert err.value.fields == {}
    return err.value


# --- R-DUTIES: the bootstrap path (actor_role None) may do anything --------------------------------------

@pytest.mark.parametrize("args", [
    (None, 1, 1, None, AUDITOR, True),       # own account, a duty role, a reset: all allowed on the server
    (None, None, None, None, ADMIN, False),
    (None, 1, 2, ADMIN, APPLICANT, True),
])
def test_r_duties_bootstrap_actor_none_may_do_anything(args):
    """R-DUTIES: `govit create-user` on the server (actor_role None) is never refused."""
    assert check_account_change(*args) is None


# --- R-DUTIES: only the security administrator manages accounts ------------------------------------------

@pytest.mark.parametrize("actor_role", [ADMIN, AUDITOR, APPLICANT, PLANNER, "", "SECURITY_ADMIN"])
def test_r_duties_non_manager_refused_with_manager_message(actor_role):
    """R-DUTIES: any role but security_admin is refused, whatever the change."""
    refused(MSG_MANAGER, actor_role, 1, 2, APPLICANT, PLANNER)


def test_r_duties_non_manager_refused_before_self_check():
    """R-DUTIES: the manager check comes first: a non-manager on their own account gets the manager message."""
    refused(MSG_MANAGER, ADMIN, 7, 7, ADMIN, None)


def test_r_duties_manager_on_plain_account_passes():
    """R-DUTIES: the security administrator changes another plain account's role."""
    assert check_account_change(SA, 1, 2, APPLICANT, PLANNER) is None


# --- R-DUTIES: nobody changes their own account ------------------------------------------------------------

def test_r_duties_self_change_refused():
    """R-DUTIES: target_id == actor_id refuses with the self message (a keep-role change too)."""
    refused(MSG_SELF, SA, 5, 5, SA, None)


def test_r_duties_self_change_refused_even_without_other_triggers():
    """R-DUTIES: self on a plain-looking change (no role change, no reset) still refused."""
    refused(MSG_SELF, SA, 3, 3, APPLICANT, None, sets_password=False)


def test_r_duties_other_account_one_id_away_passes():
    """R-DUTIES: target_id one step from actor_id is another account: allowed."""
    assert check_account_change(SA, 5, 6, APPLICANT, None) is None
    assert check_account_change(SA, 5, 4, APPLICANT, None) is None


def test_r_duties_new_account_without_target_id_passes_even_if_actor_id_none():
    """R-DUTIES: target_id None (a new account) is not "self", even when actor_id is None too."""
    assert check_account_change(SA, None, None, None, APPLICANT) is None
    assert check_account_change(SA, 5, None, None, PLANNER) is None


# --- R-DUTIES: duty roles neither gained nor lost ---------------------------------------------------------

@pytest.mark.parametrize("old_role,new_role", [
    (APPLICANT, ADMIN), (APPLICANT, SA), (APPLICANT, AUDITOR),   # gaining a duty
    (ADMIN, APPLICANT), (AUDITOR, PLANNER), (SA, APPLICANT),      # losing a duty
    (ADMIN, AUDITOR), (AUDITOR, SA),                              # swapping duties
    (None, AUDITOR), (None, ADMIN), (None, SA),                   # creating a duty account in the system
])
def test_r_duties_duty_role_change_refused(old_role, new_role):
    """R-DUTIES: a duty account keeps its duty, and no account gains one."""
    refused(MSG_ROLE, SA, 1, 2, old_role, new_role)


@pytest.mark.parametrize("old_role,new_role", [
    (AUDITOR, AUDITOR), (ADMIN, ADMIN), (SA, SA),   # same role: no change
    (AUDITOR, None), (ADMIN, None),                 # keep-role change (unlock, deactivate)
    (APPLICANT, PLANNER), (None, APPLICANT),        # plain accounts
])
def test_r_duties_no_duty_role_change_passes(old_role, new_role):
    """R-DUTIES: the role rule lets through a kept role and plain roles."""
    assert check_account_change(SA, 1, 2, old_role, new_role) is None


def test_r_duties_role_refusal_before_reset_refusal():
    """R-DUTIES: a duty role change with a reset gets the role message."""
    refused(MSG_ROLE, SA, 1, 2, ADMIN, APPLICANT, sets_password=True)


# --- R-DUTIES: no reset of a duty account's password in the system ---------------------------------------

@pytest.mark.parametrize("old_role", [ADMIN, SA, AUDITOR])
def test_r_duties_reset_of_duty_account_refused(old_role):
    """R-DUTIES: sets_password on a duty account is refused (reset on the server only)."""
    refused(MSG_RESET, SA, 1, 2, old_role, None, sets_password=True)
    refused(MSG_RESET, SA, 1, 2, old_role, None, True)


@pytest.mark.parametrize("old_role", [ADMIN, SA, AUDITOR])
def test_r_duties_duty_account_without_reset_passes(old_role):
    """R-DUTIES: a duty account's unlock/deactivation (no password) passes; sets_password defaults to False."""
    assert check_account_change(SA, 1, 2, old_role, None) is None
    assert check_account_change(SA, 1, 2, old_role, None, sets_password=False) is None


@pytest.mark.parametrize("old_role", [APPLICANT, PLANNER, None])
def test_r_duties_reset_of_plain_account_passes(old_role):
    """R-DUTIES: the security administrator may reset a plain account's password."""
    assert check_account_change(SA, 1, 2, old_role, None, sets_password=True) is None


# --- R-SUPPLEMENT-ONCE -----------------------------------------------------------------------------------

def test_r_supplement_once_second_request_without_consent_refused():
    """R-SUPPLEMENT-ONCE: an earlier request and no consent refuses, naming the authority and the date."""
    with pytest.raises(RuleViolation) as err:
        review.check_supplement_once("网信办", date(2026, 3, 5), False)
    assert type(err.value) is RuleViolation
    assert err.value.rule == "R-SUPPLEMENT-ONCE"
    assert err.value.fields == {}
    expected = ("网信办已于 2026-03-05 要求过一次陈述和补正；"
                "按一次性告知，须在一次要求中列明全部问题，再次要求须经营商环境局同意并说明理由")
    assert err.value.message == expected
    assert str(err.value) == expected


def test_r_supplement_once_label_and_date_are_the_callers():
    """R-SUPPLEMENT-ONCE: the message carries the given label and the ISO date of the earlier request."""
    with pytest.raises(RuleViolation) as err:
        review.check_supplement_once("密码管理局", date(2025, 12, 31), consented=False)
    assert err.value.rule == "R-SUPPLEMENT-ONCE"
    assert err.value.message.startswith("密码管理局已于 2025-12-31 要求过一次陈述和补正；")
    assert "再次要求须经营商环境局同意并说明理由" in err.value.message


def test_r_supplement_once_second_request_with_consent_passes():
    """R-SUPPLEMENT-ONCE: the planner's consent lets the second request through."""
    assert review.check_supplement_once("网信办", date(2026, 3, 5), True) is None


@pytest.mark.parametrize("consented", [False, True])
def test_r_supplement_once_first_request_passes(consented):
    """R-SUPPLEMENT-ONCE: no earlier request (earlier_on None) passes, consent or not."""
    assert review.check_supplement_once("网信办", None, consented) is None
