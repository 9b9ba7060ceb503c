"""Issue 19, first slice: what people see — styled buttons, a readable history, the inbox, small fixes."""
import re
from datetime import date
from decimal import Decimal as D

import pytest

from govit.acceptance import evaluation, services as construction

from ..helpers import PASSWORD
from ..services.test_approval import building
from ..services.test_construction import accepted, upload, w  # noqa: F401  (fixture)
from ..services.test_joint_accept import all_opinions

CLASS = re.compile(r'class="([^"]*)"')


def as_user(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def unstyled_buttons(html: str) -> list[str]:
    """Every class attribute with `btn` but no Bootstrap variant (`btn-primary`, `btn-outline-…`)."""
    return [c for c in CLASS.findall(html) if "btn" in c.split() and not any(k.startswith("btn-") for k in c.split())]


def _in_construction(w, today):
    project = building(w, name="建设中的项目")
    construction.report_incident(w["head"], project, "delay", "供货延误")
    return project


def _suspended(w, today):
    project = building(w, name="暂停的项目")
    incident = construction.report_incident(w["head"], project, "delay", "供应商破产")
    construction.order(w["planner"], project, incident.id, "suspend", "暂停整改")
    return project


def _completed(w, today):
    project = building(w, name="完工的项目")
    construction.complete(w["head"], project, date(2026, 11, 20))
    evaluation.request_extension(w["head"], project, "密评排期", date(2027, 6, 30))
    return project


def _acceptance_review(w, today):
    project = building(w, name="验收中的项目")
    construction.complete(w["head"], project, date(2026, 11, 20))
    upload(w, project, "archive_acceptance", "crypto_assessment", "reliability_statement", "acceptance_report")
    evaluation.apply_acceptance(w["head"], project)
    all_opinions(w, project)
    return project


def _self_evaluated(w, today):
    project = building(w, name="已自评的项目")
    accepted(w, project, completed="2026-11-20", live="2026-12-15")
    today("2027-07-15")
    evaluation.self_evaluate(w["head"], project, D("90"), "良好")
    return project


STAGES = {  # stage: (how to get there, [(who, headings the page must carry, confirmations it must carry)])
    "in_construction": (_in_construction, [
        ("head", ["月度进度", "年度绩效评价报告", "报告重大问题", "登记完工"], ["确定报告营商环境局", "完工后不能再报告进度"]),
        ("planner", [], ["确定下达处理意见"]),
        ("secrecy", ["确认涉密属性"], ["确定确认涉密属性"])]),
    "suspended": (_suspended, [("planner", ["恢复建设"], ["确定恢复建设"]),
                               ("head", ["报告重大问题"], ["确定报告营商环境局"])]),
    "completed": (_completed, [("head", ["申请竣工验收", "申请延期验收"], ["确定申请竣工验收"]),
                               ("planner", ["决定延期申请"], ["确定作出延期决定"])]),
    "acceptance_review": (_acceptance_review, [("planner", ["验收通过", "验收不通过"], ["确定验收通过", "确定验收不通过"])]),
    "self_evaluated": (_self_evaluated, [("planner", ["登记第三方后评价", "不作后评价"], ["关闭后项目只读", "登记后评价后项目关闭"])]),
}


@pytest.mark.parametrize("stage", STAGES)
def test_construction_and_acceptance_forms_have_styled_buttons_headings_and_confirmation(app, w, make, today, stage):  # noqa: F811
    """Finding 2: in every stage, each role that sees a form sees Bootstrap-styled buttons (no bare
    `btn`), a heading over each form, and a confirmation on the irreversible steps."""
    people = {"head": w["head"], "planner": w["planner"], "secrecy": make.user("secrecy", "BMB")}
    arrive, expect = STAGES[stage]
    project = arrive(w, today)
    assert project.state == stage
    for who, headings, confirms in expect:
        page = as_user(app, people[who]).get(f"/projects/{project.id}").get_data(as_text=True)
        assert unstyled_buttons(page) == [], (who, unstyled_buttons(page))
        assert 'class="btn btn-' in page, who
        for h in headings:
            assert f"<h5>{h}</h5>" in page, (who, h)
        for c in confirms:
            assert f'data-confirm="{c}' in page, (who, c)
