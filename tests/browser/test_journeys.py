"""The five journeys of the people who use govit, in a real browser (CSRF on, as users meet it)."""
from datetime import date

import pytest

from govit import clock
from govit.extensions import db
from govit.models import BudgetChange, Plan, Project

from ..helpers import COMPLETE, pdf_bytes, planned
from ..services.test_approval import building

pytestmark = pytest.mark.browser


@pytest.fixture
def people(make, reviewers):
    make.department("DEPA", "省交通运输厅")
    return {"applicant": make.user("applicant", "DEPA"), "head": make.user("dept_admin", "DEPA"),
            "planner": make.user("planner", "YSHJ"), "finance": make.user("finance", "CZT"),
            "ndrc": make.user("ndrc", "FGW"), "auditor": make.user("auditor", "SJT"),
            "business": reviewers[0], "cyber": reviewers[1], "crypto": reviewers[2], "reviewers": reviewers}


def fresh(project_id: int) -> Project:
    db.session.expire_all()
    return db.session.get(Project, project_id)


def test_journey_1_applicant_drafts_uploads_and_the_head_submits(journey, people, make, today, tmp_path):
    """R-PROPOSAL-FIELDS and R-CONSOLIDATE: draft across sections, leave, return, upload, batch submit."""
    make.round(people["planner"])
    today("2026-06-16")
    j = journey("1-proposal")
    page = j.sign_in(people["applicant"])
    j.click("link", "新建申报", exact=True)
    page.fill("#name", "全省公路养护管理平台")
    page.fill("#basis", COMPLETE["basis"])
    page.fill("#content_scale", COMPLETE["content_scale"])
    j.click("button", "保存草稿")
    j.sees("草稿已保存", "未填写")  # saved incomplete, and the page says what is missing
    j.shot("draft-saved")
    project = db.session.query(Project).one()
    j.go("/projects")  # leave ...
    j.go(f"/projects/{project.id}/edit")  # ... and come back: nothing typed is lost
    assert page.input_value("#basis") == COMPLETE["basis"]
    for key in ("fund_source", "performance_goals", "data_catalog", "cloud_plan", "protection_plan",
                "security_plan", "product_reliability", "crypto_plan"):
        page.fill(f"#{key}", COMPLETE[key])
    page.fill("#start_month", "2027-03")
    page.fill("#end_month", "2027-12")
    page.fill("#total_investment", "1234.567")
    page.fill("#annual-0-year", "2027")
    page.fill("#annual-0-amount", "1234.56")
    j.click("button", "保存草稿")
    j.sees("金额最多保留两位小数")
    assert page.input_value("#crypto_plan") == COMPLETE["crypto_plan"]  # the refused form kept it all
    j.shot("refused-kept")
    page.fill("#total_investment", "1234.56")
    j.click("button", "保存草稿")
    j.sees("已保存")
    proposal = tmp_path / "申报书.pdf"
    proposal.write_bytes(pdf_bytes("申报书"))
    page.select_option("#kind", "proposal")
    page.set_input_files("#file", str(proposal))
    j.click("button", "上传")
    j.sees("材料已上传", "申报书.pdf", "v1")
    j.shot("uploaded")

    j.sign_in(people["head"])
    j.click("link", "统一申报", exact=True)
    j.sees("材料齐全")
    j.click("button", "统一申报所选项目", confirm=True)
    j.sees("已统一申报 1 个项目", "联合审核中")
    j.shot("submitted")
    assert fresh(project.id).state == "joint_review"


def test_journey_2_three_opinions_a_supplement_and_the_review_passes(journey, people, make, today):
    """R-REVIEW-PARALLEL, R-SUPPLEMENT, R-CLOCK, R-REVIEW-RESULT in the browser."""
    project = make.submitted(people["head"], people["planner"], on="2026-06-16")
    j = journey("2-review")
    today("2026-06-17")
    page = j.sign_in(people["crypto"])
    j.click("link", "联合审核", exact=True)
    j.sees(project.name, "剩 4 个工作日", "期限 2026-06-24")
    j.shot("queue")
    j.click("link", project.name)
    page.select_option("#verdict", "supplement")
    page.fill("#text", "请补充密钥管理方案")
    j.click("button", "提交审核意见")
    j.sees("审核意见已出具", "待陈述和补正", "计时暂停")
    j.shot("supplement-asked")
    for who, text in (("cyber", "网络安全方案符合等级保护三级要求"), ("business", "符合集约化建设要求")):
        j.sign_in(people[who])
        j.go(f"/projects/{project.id}")
        page.select_option("#verdict", "pass")
        page.fill("#text", text)
        j.click("button", "提交审核意见")
        j.sees("审核意见已出具", text)
    today("2026-06-22")
    j.sign_in(people["applicant"])
    j.go(f"/projects/{project.id}")
    j.sees("请补充密钥管理方案")
    page.fill("#text", "已补充密钥管理方案和密评计划")
    j.click("button", "提交陈述和补正")
    j.sees("陈述和补正已提交", "联合审核中", "期限 2026-06-26")  # 06-18 and 06-22 were spent waiting
    j.shot("answered")
    j.sign_in(people["crypto"])
    j.go(f"/projects/{project.id}")
    page.select_option("#verdict", "pass")
    page.fill("#text", "补正后符合密码应用要求")
    j.click("button", "提交审核意见")
    j.sees("联合审核通过")
    j.shot("passed")
    assert fresh(project.id).state == "review_passed"


def test_journey_3_planner_compiles_finance_checks_approval_recorded(journey, people, make, today):
    """R-PLAN-OCT31: compile, 财政厅 checks, report, record the 省政府 approval."""
    from ..helpers import passed
    project = passed(make, people["head"], people["planner"], people["reviewers"])
    today("2026-10-20")
    j = journey("3-plan")
    page = j.sign_in(people["planner"])
    j.click("link", "年度计划", exact=True)
    page.fill("#plan_year", "2027")
    j.click("button", "新建年度计划")
    j.sees("2027 年度省级政务信息化建设项目计划", "编制中", "编制期限：2026-10-31", "剩 11 天")
    j.click("link", "从审核通过的项目中选择列入")
    j.click("button", "列入计划")
    j.sees("已列入计划")
    j.go("/plans")
    j.click("link", "2027 年度")
    j.sees(project.name, "导出 Excel")
    j.shot("compiled")
    plan_url = page.url
    j.sign_in(people["finance"])
    j.go(plan_url.replace(j.base, ""))
    page.fill("#comment", "资金来源已落实")
    j.click("button", "财政厅审核通过")
    j.sees("财政厅审核完成", "财政厅已审核")
    j.shot("finance-checked")
    j.sign_in(people["planner"])
    j.go(plan_url.replace(j.base, ""))
    j.click("button", "报送省政府", confirm=True)
    j.sees("已报省政府")
    page.fill("#doc_no", "黑政函〔2026〕88号")
    page.fill("#approved_on", "2026-10-28")
    j.click("button", "登记省政府批复", confirm=True)
    j.sees("省政府已批准", "黑政函〔2026〕88号", "已列入年度计划")
    j.shot("approved")
    assert db.session.query(Plan).one().state == "approved" and fresh(project.id).state == "planned"


def test_journey_4_budget_change_over_15_percent_approved_in_the_register(journey, people, make):
    """R-BUDGET-15: over 15% needs planner and finance; finance approves in its register."""
    project = building({**people, "planned": lambda **kw: planned(
        make, people["head"], people["planner"], people["finance"], people["reviewers"], **kw)})
    j = journey("4-budget")
    page = j.sign_in(people["head"])
    j.go(f"/projects/{project.id}#approval")
    j.sees("批复概算 3,000,000.00 元", "0.00% / 15%")
    page.fill("#change-amount", "480000.00")
    page.fill("#change-new_total", "3000000.00")
    page.select_option("#change-reason_category", "business_need")
    page.fill("#change-content", "增加移动执法终端")
    j.click("button", "提交预算调整")
    j.sees("预算调整已提交", "待审批", "超过批复概算的 15%")
    j.shot("filed-pending")
    j.sign_in(people["planner"])
    j.click("link", "预算调整", exact=True)
    j.click("button", "同意")
    j.sees("审批意见已记录", "待财政厅审批")
    j.sign_in(people["finance"])
    j.click("link", "预算调整", exact=True)
    j.sees(project.name, "待财政厅审批")
    j.shot("register")
    j.click("button", "同意")
    j.sees("审批意见已记录")
    j.go("/budget-changes")
    j.sees("已批准")
    j.shot("approved")
    db.session.expire_all()
    assert db.session.query(BudgetChange).one().status == "approved"


def test_journey_5_auditor_opens_and_downloads_the_full_record(journey, people, make, today, tmp_path):
    """R-FULL-RECORD and R-AUDIT-TRAIL: the auditor reads the record and downloads it."""
    project = make.submitted(people["head"], people["planner"], on="2026-06-16")
    from govit.planning import review
    with clock.travel(date(2026, 6, 26)):
        review.record_opinion(people["cyber"], project, "pass", "符合要求")
    j = journey("5-audit")
    page = j.sign_in(people["auditor"])
    j.click("link", "历史记录", exact=True)
    j.sees("哈希链完整")
    j.go(f"/projects/{project.id}")
    j.sees("全流程记录", "统一申报", "出具审核意见", "是（超期 2 天）")
    j.shot("record")
    with page.expect_download() as info:
        j.click("link", "下载全流程记录表（Excel）")
    download = info.value
    assert download.suggested_filename == f"record-{project.id}.xlsx"
    from openpyxl import load_workbook
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert project.name in rows[0][0] and any("是（超期 2 天）" in (r or ()) for r in rows)  # due 06-24, given 06-26


def test_no_page_requests_anything_from_another_host(journey, people, make):
    """Offline-safe: no CDN, no external font or script on any page of any role."""
    project = make.submitted(people["head"], people["planner"], on="2026-06-16")
    j = journey("0-offline")
    foreign = []
    j.page.on("request", lambda request: None if request.url.startswith(j.base) or request.url.startswith("data:")
              else foreign.append(request.url))
    pages = ["/", "/projects", f"/projects/{project.id}", "/dashboard", "/inbox", "/review", "/plans", "/flags",
             "/budget-changes", "/audit", "/rounds", "/projects/new", "/submit"]
    for who in ("applicant", "head", "planner", "finance", "cyber", "auditor"):
        j.sign_in(people[who])
        for path in pages:
            j.go(path)
    assert foreign == []


def test_project_page_stepper_and_next_action_at_1280_and_768(journey, people, make):
    """Issue 19 (item 2): the lifecycle stepper, the next-action card and the group links fit the
    page at 1280 and at 768 px (a tablet): no sideways scrolling, the current stage highlighted."""
    project = building({**people, "planned": lambda **kw: planned(
        make, people["head"], people["planner"], people["finance"], people["reviewers"], **kw)})
    j = journey("6-project-page")
    page = j.sign_in(people["head"])
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 900})
        j.go(f"/projects/{project.id}")
        current = page.locator(".stepper .step.current")
        assert current.count() == 1 and "建设" in current.inner_text() and "2026-11-25" in current.inner_text()
        assert page.locator(".stepper .step.done").count() == 5
        assert current.evaluate("e => getComputedStyle(e).borderTopColor") != \
            page.locator(".stepper .step.todo").first.evaluate("e => getComputedStyle(e).borderTopColor")
        box = current.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
        j.sees("下一步：报告月度进度")
        j.shot(f"stepper-{width}")
        j.click("link", "建设与验收", exact=True)  # the group links are anchors: no script needed
        assert page.url.endswith("#build-acceptance")
    j.go(f"/projects/{project.id}?record=all")  # printed (print.css): A4, no menu, no forms, a sheet per group
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible() and not page.locator("form").first.is_visible()
    assert page.locator("#full-record").evaluate("e => getComputedStyle(e).breakBefore") == "page"
    assert page.locator("#overview").evaluate("e => getComputedStyle(e).breakBefore") != "page"
    assert page.locator("#record .timeline").is_visible()
    j.shot("print")
