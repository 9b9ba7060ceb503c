"""The 待办 centre in a real browser, on the demo at 2026-06-22 (issue 19, finding 1 and Build 12):
every role's home (its first demo login) photographed at 1280 and 768 px (artifacts/screenshots/, kept by CI), and
for a department, a reviewer, finance, 发改委 and the planner: the item is on the home page, the
person follows its link, acts, and the item is gone."""
from pathlib import Path

import pytest

from govit.demo import PASSWORD as DEMO_PASSWORD
from govit.extensions import db
from govit.models import User

pytestmark = pytest.mark.browser
SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
WIDTHS = (1280, 768)


def sign_in(j, username: str):
    j.page.context.clear_cookies()  # the next person, as on a shared office computer after 退出
    page = j.go("/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("form.logout", state="attached")  # 退出 sits in the user menu (shell)
    return page


def item(page, action: str, subject: str):
    return page.locator("tr.todo-item", has_text=subject).filter(has_text=action)


def act_from_home(j, username: str, action: str, subject: str):
    """Sign in, find the item on the home page, follow its link."""
    page = sign_in(j, username)
    row = item(page, action, subject)
    assert row.count() == 1, f"{username}: “{action} {subject}” not on the home page"
    j.shot(f"{username}-todo")
    row.get_by_role("link", name="去办理").click()
    page.wait_for_load_state()
    return page


def gone(j, username: str, action: str, subject: str):
    page = j.go("/")
    assert item(page, action, subject).count() == 0, f"{username}: “{action} {subject}” still listed"


def test_todo_homes_of_every_demo_role_and_five_journeys(journey, runner, today):
    today("2026-06-22")
    assert runner.invoke(args=["demo"]).exit_code == 0
    SCREENS.mkdir(parents=True, exist_ok=True)
    j = journey("todo")
    page = j.page
    first_of_role = {}
    for user in db.session.query(User).order_by(User.id):
        first_of_role.setdefault(user.role, user.username)
    assert len(first_of_role) == 14  # every role of RULES.md 'Actors'
    for username in first_of_role.values():
        page.set_viewport_size({"width": 1280, "height": 900})  # the menu (and 退出) unfolded
        sign_in(j, username)
        j.sees("我的待办")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SCREENS / f"home-{username}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # finding 1: finance sees the budget change, the 2027 plan check and the urgent insertion
    sign_in(j, "finance")
    j.sees("审核预算调整（财政厅）", "会同审核 2027 年度计划（资金）", "审核紧急增补", "重大传染病监测预警系统")
    act_from_home(j, "finance", "审核预算调整（财政厅）", "社会保障卡居民服务一卡通平台")
    j.click("button", "同意")
    j.sees("审批意见已记录")
    gone(j, "finance", "审核预算调整", "社会保障卡居民服务一卡通平台")

    # finding 1: 发改委 sees the 可研 waiting for it, approves it from the linked form
    page = act_from_home(j, "ndrc", "批复可行性研究报告", "教育资源公共服务平台升级")
    page.fill("#decision-doc_no", "黑发改审批〔2026〕41号")
    page.fill("#decision-approved_on", "2026-06-22")
    page.fill("#decision-amount", "7200000.00")
    j.click("button", "批复可研")
    gone(j, "ndrc", "批复可行性研究报告", "教育资源公共服务平台升级")

    # a reviewer: a joint review 2 working days late (R-REVIEW-5WD)
    sign_in(j, "reviewer_business")
    assert "已逾期 2 个工作日" in item(page, "出具联合审核意见", "高校毕业生就业服务系统升级").inner_text()
    page = act_from_home(j, "reviewer_business", "出具联合审核意见", "高校毕业生就业服务系统升级")
    page.select_option("#verdict", "pass")
    page.fill("#text", "集约化建设和数据共享符合要求")
    j.click("button", "提交审核意见")
    gone(j, "reviewer_business", "出具联合审核意见", "高校毕业生就业服务系统升级")

    # the department's 经办人: 陈述和补正 (R-SUPPLEMENT)
    page = act_from_home(j, "jyt_applicant", "陈述和补正", "智慧校园安全监管平台")
    page.fill("#text", "已补充网络安全等级保护方案和密码应用方案")
    j.click("button", "提交陈述和补正")
    gone(j, "jyt_applicant", "陈述和补正", "智慧校园安全监管平台")

    # the planner: the open expert evaluation (R-REVIEW-EXPERT)
    page = act_from_home(j, "planner", "完成专家评估论证", "医保电子凭证应用推广项目")
    page.locator('form[action$="/expert/finish"] textarea').fill("专家论证通过，建议按期推进")
    j.click("button", "记录论证结论")
    gone(j, "planner", "完成专家评估论证", "医保电子凭证应用推广项目")
