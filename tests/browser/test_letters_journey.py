"""Issue 21 in a real browser: the planner drafts the 补正通知 from the record, makes it final and
downloads the PDF from the project page's 文书 section (CSRF on, as users meet it)."""
from datetime import date

import pytest

from govit import clock
from govit.planning import review

pytestmark = pytest.mark.browser


def test_planner_drafts_finalises_and_downloads_a_letter(journey, make, reviewers, tmp_path):
    """R-SUPPLEMENT-ONCE: one notice with everything asked; the final PDF carries the 文号."""
    make.department("DEPA", "省交通运输厅")
    planner = make.user("planner", "YSHJ")
    project = make.submitted(make.user("dept_admin", "DEPA"), planner)
    with clock.travel(date(2026, 6, 17)):
        review.record_opinion(reviewers[1], project, "supplement", "请补充等级保护测评方案")
    j = journey("letters")
    page = j.sign_in(planner)
    j.go(f"/projects/{project.id}#letters")
    page.select_option("select[name=kind]", "supplement_notice")
    j.click("button", "从记录生成草稿")
    j.sees("文书草稿已生成", "黑营商审〔2026〕×号")
    j.click("button", "定稿")
    j.sees("文书已定稿", "黑营商审〔2026〕1号")
    j.shot("final")
    with page.expect_download() as info:
        page.locator("#letters").get_by_role("link", name="PDF").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    saved = tmp_path / "letter.pdf"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
