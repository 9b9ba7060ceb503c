"""Issue 21: the pure rules of the official documents — 文号, Chinese-numeral dates, page numbers,
who issues which kind (R-ROLE, R-RETURN), the 万元 and % figures, the 通报's month."""
from datetime import date
from decimal import Decimal

import pytest

from govit.domain.errors import Forbidden, RuleViolation
from govit.domain.letters import (CHARS_PER_LINE, ISSUERS, KINDS, LINES_PER_PAGE, MARGIN_BOTTOM_MM, MARGIN_RIGHT_MM,
                                  authority_for, check_author, check_issuer, decider, may_see, chinese_date, chinese_year, doc_number,
                                  is_bulletin_day, month_before, page_label, percent, wan)


@pytest.mark.parametrize("number, expected", [(1, "黑营商审〔2026〕1号"), (7, "黑营商审〔2026〕7号"),
                                              (10, "黑营商审〔2026〕10号"), (None, "黑营商审〔2026〕×号")])
def test_doc_number_shape(number, expected):
    assert doc_number("YSHJ", 2026, number) == expected


def test_doc_number_starts_at_one():
    with pytest.raises(ValueError):
        doc_number("YSHJ", 2026, 0)
    assert doc_number("FGW", 2027, 1) == "黑发改审批〔2027〕1号"


@pytest.mark.parametrize("day, expected", [
    (date(2026, 6, 22), "二〇二六年六月二十二日"), (date(2026, 1, 1), "二〇二六年一月一日"),
    (date(2026, 10, 10), "二〇二六年十月十日"), (date(2026, 11, 11), "二〇二六年十一月十一日"),
    (date(2026, 12, 9), "二〇二六年十二月九日"), (date(2026, 12, 20), "二〇二六年十二月二十日"),
    (date(2030, 3, 31), "二〇三〇年三月三十一日"), (date(2026, 6, 19), "二〇二六年六月十九日"),
    (date(2026, 6, 21), "二〇二六年六月二十一日")])
def test_chinese_date(day, expected):
    assert chinese_date(day) == expected


def test_chinese_year_keeps_zeros():
    assert chinese_year(2000) == "二〇〇〇"


@pytest.mark.parametrize("page, expected", [(1, "— 1 —"), (12, "— 12 —")])
def test_page_label(page, expected):
    assert page_label(page) == expected


def test_layout_figures_gb9704():
    assert (MARGIN_RIGHT_MM, MARGIN_BOTTOM_MM) == (26, 35)
    assert (LINES_PER_PAGE, CHARS_PER_LINE) == (22, 28)


def test_issuer_r_role():
    """R-ROLE: only the deciding authority drafts its letter; an unknown kind is refused by name."""
    check_issuer("feasibility_approval", "ndrc")
    with pytest.raises(Forbidden):
        check_issuer("feasibility_approval", "planner")
    with pytest.raises(Forbidden):
        check_issuer("joint_review_opinion", "applicant")
    check_issuer("proposal_form", "applicant")
    with pytest.raises(RuleViolation) as err:
        check_issuer("nonsense", "planner")
    assert err.value.fields == {"kind": "未知的文书种类"}
    assert "admin" not in ISSUERS and "security_admin" not in ISSUERS and "planner" in ISSUERS


def test_authority_of_a_return_follows_the_stage_r_return():
    """R-RETURN: a feasibility return is 发改委's, a design return 营商环境局's (内网办 for intranet)."""
    assert authority_for("return_letter", "ndrc", "feasibility") == "FGW"
    assert authority_for("refusal_letter", "planner", "design") == "YSHJ"
    assert authority_for("refusal_letter", "intranet", "design") == "NWB"
    assert authority_for("return_letter", "planner", "gov") == "YSHJ"
    assert authority_for("feasibility_approval", "ndrc") == "FGW"
    assert authority_for("design_approval", "intranet") == "NWB"
    assert authority_for("record_sheet", "planner") is None and authority_for("proposal_form", "applicant") is None
    assert all(KINDS[k].numbered for k in ("plan_notice", "monthly_bulletin", "acceptance_opinion"))


@pytest.mark.parametrize("yuan, expected", [(Decimal("3000000"), Decimal("300.00")), (Decimal("49.99"), Decimal("0.00")),
                                             (Decimal("50"), Decimal("0.00")), (Decimal("51"), Decimal("0.01")), (None, Decimal("0.00"))])
def test_wan(yuan, expected):
    assert wan(yuan) == expected


def test_percent():
    assert percent(Decimal(1), Decimal(3)) == Decimal("33.3")
    assert percent(Decimal(5), Decimal(0)) == Decimal("0.0")


@pytest.mark.parametrize("day, expected", [(date(2026, 1, 5), (2025, 12)), (date(2026, 2, 2), (2026, 1)),
                                           (date(2026, 12, 1), (2026, 11))])
def test_month_before(day, expected):
    assert month_before(day) == expected


def test_bulletin_day():
    assert is_bulletin_day(date(2026, 10, 9), date(2026, 10, 9))
    assert not is_bulletin_day(date(2026, 10, 8), date(2026, 10, 9))
    assert not is_bulletin_day(date(2026, 10, 10), date(2026, 10, 9))


def test_kinds_labels_issuers_and_scope_pinned():
    """R-FEAS-NDRC, R-DESIGN-20WD, R-RETURN, R-JOINT-ACCEPT, R-FULL-RECORD, R-PROPOSAL-FIELDS,
    R-PLAN-OCT31: each kind's name, who issues it, whether it is numbered, where it belongs."""
    table = {k: (v.label, set(v.roles) if len(v.roles) < 5 else "staff", v.numbered, v.scope) for k, v in KINDS.items()}
    assert table == {
        "joint_review_opinion": ("联合审核意见书", {"planner"}, True, "project"),
        "supplement_notice": ("补正通知", {"planner"}, True, "project"),
        "feasibility_approval": ("可行性研究报告批复", {"ndrc"}, True, "project"),
        "design_approval": ("初步设计批复", {"planner", "intranet"}, True, "project"),
        "return_letter": ("退回修改通知", {"ndrc", "planner", "intranet"}, True, "project"),
        "refusal_letter": ("不予批复通知", {"ndrc", "planner", "intranet"}, True, "project"),
        "acceptance_opinion": ("竣工验收意见", {"planner"}, True, "project"),
        "record_sheet": ("全流程记录表", "staff", False, "project"),
        "proposal_form": ("项目申报书", {"applicant", "dept_admin"}, False, "project"),
        "plan_notice": ("年度建设计划下达通知", {"planner"}, True, "plan"),
        "monthly_bulletin": ("政务信息化项目建设情况通报", {"planner"}, True, "province"),
    }
    assert "admin" not in KINDS["record_sheet"].roles and "auditor" in KINDS["record_sheet"].roles


def test_refusals_name_r_role():
    with pytest.raises(Forbidden) as err:
        check_issuer("design_approval", "ndrc")
    assert err.value.rule == "R-ROLE" and "初步设计批复" in err.value.message
    with pytest.raises(RuleViolation) as err:
        check_issuer("memo", "planner")
    assert err.value.rule == "R-ROLE" and err.value.message.startswith("未知的文书种类“memo”")


@pytest.mark.parametrize("stage, network, role", [
    ("feasibility", None, "ndrc"), ("feasibility", "intranet", "ndrc"), ("design", None, "planner"),
    ("design", "extranet", "planner"), ("design", "intranet", "intranet"), ("gov", None, "planner"),
    ("gov", "intranet", "planner")])
def test_decider_of_each_stage_r_return(stage, network, role):
    """R-RETURN: 发改委 decides the feasibility study, 营商环境局 the design (内网办 an intranet one) and
    the 省政府审定."""
    assert decider(stage, network) == role


@pytest.mark.parametrize("kind", ["return_letter", "refusal_letter"])
def test_only_the_stages_decider_writes_its_return_or_refusal_r_return(kind):
    """R-RETURN: a planner cannot take FGW's 文号 for a feasibility return, nor ndrc YSHJ's."""
    check_author(kind, "ndrc", stage="feasibility")
    check_author(kind, "intranet", stage="design", network="intranet")
    check_author(kind, "planner", stage="design", network="extranet")
    check_author(kind, "planner", stage="gov", network="intranet")
    for role, stage, network in (("planner", "feasibility", None), ("intranet", "feasibility", "intranet"),
                                 ("ndrc", "design", None), ("planner", "design", "intranet"),
                                 ("intranet", "design", None), ("ndrc", "gov", None), ("intranet", "gov", "intranet")):
        with pytest.raises(Forbidden) as err:
            check_author(kind, role, stage=stage, network=network)
        assert err.value.rule == "R-RETURN"


def test_design_approval_by_the_networks_decider_r_role():
    check_author("design_approval", "planner", network="extranet")
    check_author("design_approval", "intranet", network="intranet")
    with pytest.raises(Forbidden):
        check_author("design_approval", "planner", network="intranet")
    with pytest.raises(Forbidden):
        check_author("design_approval", "intranet", network="extranet")


def test_record_sheet_draft_stays_its_authors_department_r_role():
    """R-ROLE: another department cannot replace or finalise a 全流程记录表 draft; the planner can."""
    check_author("record_sheet", "applicant", department_id=7, author_department_id=7)
    check_author("record_sheet", "planner", department_id=1, author_department_id=7)
    check_author("record_sheet", "applicant", department_id=8, author_department_id=None)
    with pytest.raises(Forbidden):
        check_author("record_sheet", "applicant", department_id=8, author_department_id=7)
    with pytest.raises(Forbidden):
        check_author("record_sheet", "ndrc", department_id=2, author_department_id=7)


@pytest.mark.parametrize("kind, role, lead, seen", [
    ("return_letter", "ndrc", False, True), ("return_letter", "planner", False, True),
    ("return_letter", "applicant", True, False), ("return_letter", "finance", False, False),
    ("plan_notice", "planner", False, True), ("plan_notice", "dept_admin", True, False),
    ("proposal_form", "applicant", True, True), ("proposal_form", "applicant", False, False),
    ("proposal_form", "planner", False, False), ("record_sheet", "dept_admin", True, True),
    ("record_sheet", "applicant", False, False), ("record_sheet", "auditor", False, True)])
def test_drafts_only_for_their_issuers_r_scope(kind, role, lead, seen):
    """R-SCOPE: a draft is its issuers' (申报书 / 全流程记录表: the lead department's too); final is everyone's."""
    assert may_see(kind, "draft", role, lead) is seen
    assert may_see(kind, "final", role, lead) is True
