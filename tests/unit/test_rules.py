"""The pure rules of the June round and the joint review."""
import ast
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from govit.domain import lifecycle
from govit.domain.audit import GENESIS, Link, check_mac, event_mac, first_break
from govit.domain.documents import check_upload
from govit.domain.errors import InvalidTransition, RuleViolation
from govit.domain.money import MoneyError, parse_money
from govit.domain.proposal import (CORE_FIELDS, RongqueItem, check_rongque, check_round,
                                   check_round_window, check_submittable, missing_fields)
from govit.domain.review import check_opinion, review_result
from govit.domain.roles import may_see_project

DOMAIN = Path(__file__).resolve().parents[2] / "govit" / "domain"


def test_domain_imports_neither_flask_nor_sqlalchemy():
    """STYLE habit 2: the rules are plain Python."""
    for path in DOMAIN.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] in ("flask", "sqlalchemy") for n in names), path


def test_r_proposal_fields_names_every_missing_item():
    """R-PROPOSAL-FIELDS: an empty proposal names all sixteen 第九条 items."""
    with pytest.raises(RuleViolation) as err:
        check_submittable({}, set())
    assert err.value.rule == "R-PROPOSAL-FIELDS"
    assert set(err.value.fields) == set(CORE_FIELDS)
    assert "密码应用方案" in err.value.message and "政务云需求方案" in err.value.message


def test_r_proposal_fields_material_may_be_an_uploaded_document():
    """R-PROPOSAL-FIELDS: each material is text or an uploaded document."""
    assert "crypto_plan" in missing_fields({"crypto_plan": "  "}, set())
    assert "crypto_plan" not in missing_fields({"crypto_plan": ""}, {"crypto_plan"})
    assert "name" in missing_fields({}, {"name"})  # the name is never a document


def test_r_proposal_fields_annual_amounts_must_sum_to_total():
    values = {k: "x" for k in CORE_FIELDS}
    values.update(start_month="2027-01", end_month="2028-12", total_investment=Decimal("100.00"),
                  annual_investments={"2027": Decimal("60.00"), "2028": Decimal("30.00")})
    with pytest.raises(RuleViolation) as err:
        check_submittable(values, set())
    assert "annual_investments" in err.value.fields
    values["annual_investments"]["2028"] = Decimal("40.00")
    check_submittable(values, set())


def test_r_rongque_refuses_core_items_and_past_dates():
    """R-RONGQUE: a 容缺 item is a supporting document with a future promised date."""
    kinds = {"sharing_analysis", "data_catalog", "other"}
    check_rongque([RongqueItem("sharing_analysis", date(2026, 7, 1))], kinds, date(2026, 6, 16))
    with pytest.raises(RuleViolation, match="核心材料"):
        check_rongque([RongqueItem("data_catalog", date(2026, 7, 1))], kinds, date(2026, 6, 16))
    with pytest.raises(RuleViolation, match="晚于今天"):
        check_rongque([RongqueItem("other", date(2026, 6, 16))], kinds, date(2026, 6, 16))


def test_r_round_june_outside_the_round_only_urgent():
    """R-ROUND-JUNE: a proposal outside the open round is refused unless urgent."""
    window = (date(2026, 6, 1), date(2026, 6, 30))
    check_round(date(2026, 6, 30), window, urgent=False)
    with pytest.raises(RuleViolation) as err:
        check_round(date(2026, 7, 1), window, urgent=False)
    assert err.value.rule == "R-ROUND-JUNE"
    check_round(date(2026, 7, 1), None, urgent=True)
    with pytest.raises(RuleViolation):
        check_round_window(2027, date(2027, 6, 1), date(2027, 6, 30))


@pytest.mark.parametrize("verdicts,result", [
    ({"business": "pass", "cyber": "pass", "crypto": "pass"}, "review_passed"),
    ({"business": "pass", "cyber": "conditional", "crypto": "pass"}, "review_passed"),
    ({"business": "fail", "cyber": "pass", "crypto": "conditional"}, "review_failed"),
    ({"business": "pass", "cyber": "pass"}, None),
    ({"business": "pass", "cyber": "supplement", "crypto": "pass"}, None),
])
def test_r_review_result(verdicts, result):
    """R-REVIEW-RESULT: any fail fails; all final otherwise passes; else undecided."""
    assert review_result(verdicts, ["business", "cyber", "crypto"]) == result


def test_r_review_parallel_opinion_checks():
    """R-REVIEW-PARALLEL: known verdict, text given, a final opinion is not given twice."""
    check_opinion("pass", "符合要求", None, awaiting_answer=False)
    check_opinion("pass", "补正后符合要求", "supplement", awaiting_answer=False)
    for verdict, text, current, waiting in (("ok", "x", None, False), ("pass", " ", None, False),
                                            ("pass", "x", "pass", False),
                                            ("pass", "x", "supplement", True)):
        with pytest.raises(RuleViolation):
            check_opinion(verdict, text, current, waiting)


@pytest.mark.parametrize("action,state,target", [
    ("submit", "draft", "joint_review"),
    ("answer_supplement", "supplement_requested", "joint_review"),
    ("request_supplement", "joint_review", "supplement_requested"),
    ("edit", "supplement_requested", "supplement_requested"),
    ("terminate", "review_passed", "terminated"),
])
def test_lifecycle_allowed(action, state, target):
    assert lifecycle.next_state(action, state) == target


@pytest.mark.parametrize("action,state", [
    ("submit", "joint_review"), ("edit", "joint_review"), ("answer_supplement", "joint_review"),
    ("record_opinion", "review_passed"), ("terminate", "terminated"), ("unknown", "draft"),
])
def test_lifecycle_refused(action, state):
    with pytest.raises(InvalidTransition):
        lifecycle.next_state(action, state)


@pytest.mark.parametrize("text,ok", [("1234.5", "1234.50"), ("0", "0.00"), ("1,000.00", "1000.00"),
                                     ("1.234", None), ("-1", None), ("abc", None), (1.5, None)])
def test_money_is_decimal_with_two_places(text, ok):
    if ok is None:
        with pytest.raises(MoneyError):
            parse_money(text)
    else:
        assert parse_money(text) == Decimal(ok)


def test_uploads_checked_by_content_not_name():
    assert check_upload("proposal", "a.pdf", b"%PDF-1.7 body", 100) == "application/pdf"
    for name, data, limit in (("a.pdf", b"MZ\x90\x00", 100), ("a.exe", b"%PDF-", 100),
                              ("a.pdf", b"%PDF-" + b"x" * 200, 100), ("a.docx", b"PK\x03\x04junk", 100)):
        with pytest.raises(RuleViolation):
            check_upload("proposal", name, data, limit)


def test_r_audit_trail_chain_detects_any_change():
    """R-AUDIT-TRAIL: altering one event breaks the chain at that event (amended: HMAC-SM3 under a
    key, where it was plain sha256)."""
    key = "unit-test-key"
    h1 = event_mac(key, GENESIS, {"seq": 1, "a": 1})
    h2 = event_mac(key, h1, {"seq": 2, "a": 2})
    good = [Link(1, GENESIS, h1, {"seq": 1, "a": 1}), Link(2, h1, h2, {"seq": 2, "a": 2})]
    assert first_break(key, good) is None
    assert first_break(key, [good[1]]) == (1, "delete")  # seq 1 was removed
    assert first_break(key, [good[0], Link(2, h1, h2, {"seq": 2, "a": 3})]) == (2, "edit")


def test_r_audit_trail_a_chain_verified_from_a_checked_event_on():
    """Issue 24: the auditor's page continues from the (seq, MAC) a signed full check ended at; what
    follows must chain to that MAC and carry the next seq, and the check's signature covers every value."""
    key = "unit-test-key"
    h1 = event_mac(key, GENESIS, {"seq": 1, "a": 1})
    h2 = event_mac(key, h1, {"seq": 2, "a": 2})
    h3 = event_mac(key, h2, {"seq": 3, "a": 3})
    rest = [Link(2, h1, h2, {"seq": 2, "a": 2}), Link(3, h2, h3, {"seq": 3, "a": 3})]
    assert first_break(key, rest, after=(1, h1)) is None
    assert first_break(key, rest[1:], after=(1, h1)) == (2, "delete")  # the event after the check is gone
    assert first_break(key, rest, after=(1, h2)) is not None  # chained to another MAC than the check's
    assert first_break(key, [], after=(3, h3)) is None
    signed = check_mac(key, "2026-06-16T09:00:00.000000", "govit verify-audit", 3, h3, None, None)
    assert signed == check_mac(key, "2026-06-16T09:00:00.000000", "govit verify-audit", 3, h3, None, None)
    for changed in (("2026-06-16T09:00:00.000001", "govit verify-audit", 3, h3, None, None),
                    ("2026-06-16T09:00:00.000000", "某人", 3, h3, None, None),
                    ("2026-06-16T09:00:00.000000", "govit verify-audit", 2, h3, None, None),
                    ("2026-06-16T09:00:00.000000", "govit verify-audit", 3, h2, None, None),
                    ("2026-06-16T09:00:00.000000", "govit verify-audit", 3, h3, 2, "edit")):
        assert check_mac(key, *changed) != signed
    assert check_mac("another-key", "2026-06-16T09:00:00.000000", "govit verify-audit", 3, h3, None, None) != signed


def test_scope_department_sees_own_and_co_built_only():
    assert may_see_project("applicant", "A", "A", set())
    assert may_see_project("applicant", "B", "A", {"B"})
    assert not may_see_project("dept_admin", "C", "A", {"B"})
    assert may_see_project("auditor", "SJT", "A", set())
    assert not may_see_project("admin", "YSHJ", "A", set())  # admin makes no project decisions


@pytest.mark.parametrize("password,ok", [("Passw0rd!x", True), ("abcdef12", False), ("ABCDEF12", False),
                                         ("Abcdefgh", False), ("Abcdef12", True), ("abc!1234", True),
                                         ("Ab1!", False)])
def test_password_policy_three_classes(password, ok):
    """等保 三级: at least 8 characters from 3 of the 4 classes."""
    from govit.domain.passwords import password_problem
    assert (password_problem(password) is None) is ok
