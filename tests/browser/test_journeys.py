"""Real-browser journeys of the June round (CSRF on, as users meet it)."""
import pytest

from govit.extensions import db
from govit.models import Project

from ..helpers import COMPLETE, PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def sign_in(page, base, user):
    page.goto(f"{base}/login")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_proposal_drafted_submitted_and_reviewed(live_server, browser_page, make, today, csrf_on):
    """R-CONSOLIDATE and R-REVIEW-PARALLEL in a browser: draft, batch submit, reviewer queue."""
    make.department("DEPA", "省交通运输厅")
    applicant, head = make.user("applicant", "DEPA"), make.user("dept_admin", "DEPA")
    planner, cyber = make.user("planner", "YSHJ"), make.user("reviewer_cyber", "WXB")
    make.round(planner)
    today("2026-06-16")
    page = browser_page
    sign_in(page, live_server, applicant)
    page.get_by_role("link", name="新建申报", exact=True).click()
    for key in ("basis", "content_scale", "fund_source", "performance_goals", "data_catalog", "cloud_plan",
                "protection_plan", "security_plan", "product_reliability", "crypto_plan"):
        page.fill(f"#{key}", COMPLETE[key])
    page.fill("#name", "全省公路养护管理平台")
    page.fill("#start_month", "2027-03")
    page.fill("#end_month", "2027-12")
    page.fill("#total_investment", "1234.567")  # refused: three decimals
    page.fill("#annual-0-year", "2027")
    page.fill("#annual-0-amount", "1234.56")
    page.get_by_role("button", name="保存草稿").click()
    assert page.locator(".field-error").first.inner_text().startswith("金额最多保留两位小数")
    assert page.input_value("#crypto_plan") == COMPLETE["crypto_plan"]  # nothing typed is lost
    page.fill("#total_investment", "1234.56")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_selector("text=草稿已保存")
    page.get_by_role("button", name="退出").click()

    sign_in(page, live_server, head)
    page.click("nav >> text=统一申报")
    assert page.locator("text=材料齐全").count() == 1
    page.once("dialog", lambda dialog: dialog.accept())  # the irreversible step asks first
    page.get_by_role("button", name="统一申报所选项目").click()
    page.wait_for_selector("text=已统一申报 1 个项目")
    project = db.session.query(Project).one()
    db.session.refresh(project)
    assert project.state == "joint_review"
    page.get_by_role("button", name="退出").click()

    sign_in(page, live_server, cyber)
    page.click("nav >> text=联合审核")
    assert page.locator("text=剩 5 个工作日").count() == 1
    page.click("text=全省公路养护管理平台")
    page.select_option("#verdict", "pass")
    page.fill("#text", "网络安全方案符合等级保护三级要求")
    page.get_by_role("button", name="提交审核意见").click()
    page.wait_for_selector("text=审核意见已出具")
    assert page.locator("text=网络安全方案符合等级保护三级要求").count() >= 1
