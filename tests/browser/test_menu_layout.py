"""The menu on one line at 1024 and 1280 px for the roles with the longest menus, the hamburger at
768 px (issue 19 finding 5); the plan printed without the menu; the API page drawn by Swagger UI
under govit's CSP, from govit alone (Build 7, 9)."""
import pytest

from govit.extensions import db
from govit.history import tell_users

pytestmark = pytest.mark.browser

# the bar's items, the brand and the user menu: their boxes, and whether any label wrapped
MEASURE = """() => {
  const box = el => el.getBoundingClientRect();
  const items = [...document.querySelectorAll('#govit-menu > .nav-item > .nav-link')];
  const lineHeight = parseFloat(getComputedStyle(items[0]).lineHeight);
  return {
    bar: box(document.querySelector('nav.navbar')).height,
    tops: items.map(el => Math.round(box(el).top)),
    wrapped: items.filter(el => box(el).height > 2 * lineHeight).map(el => el.textContent.trim()),
    user: Math.round(box(document.querySelector('#govit-user')).top),
    toggler: getComputedStyle(document.querySelector('.navbar-toggler')).display,
  };
}"""


def test_the_menu_fits_one_line_from_1024_px_and_collapses_at_768(journey, make):
    head = make.user("dept_admin", "DEPA")
    users = {"planner": make.user("planner", "YSHJ"), "dept_admin": head, "applicant": make.user("applicant", "DEPA")}
    tell_users(list(users.values()), None, "一条未读消息", "alert")  # the badge takes room too
    db.session.commit()
    j = journey("menu")
    for role, user in users.items():
        j.sign_in(user)
        for width in (1280, 1024):
            j.page.set_viewport_size({"width": width, "height": 700})
            j.go("/projects")
            got = j.page.evaluate(MEASURE)
            assert got["toggler"] == "none", (role, width)
            assert len(set(got["tops"])) == 1 and not got["wrapped"], (role, width, got)
            assert abs(got["user"] - got["tops"][0]) < 12 and got["bar"] < 70, (role, width, got)
        j.shot(f"{role}-1024")
    for width in (1000, 768):  # below 1024 px: the hamburger
        j.page.set_viewport_size({"width": width, "height": 700})
        j.go("/projects")
        assert j.page.locator(".navbar-toggler").is_visible() and not j.page.locator("#govit-menu").is_visible(), width
    j.page.locator(".navbar-toggler").click()
    j.page.wait_for_selector("#govit-nav.collapse.show")  # opened (the transition ended)
    assert j.page.get_by_role("link", name="工作台").is_visible() and j.page.locator("#govit-user").is_visible()
    j.shot("applicant-768-open")


def test_the_plan_prints_without_the_menu_and_the_api_page_renders(journey, make):
    from govit.planning import plans
    planner = make.user("planner", "YSHJ")
    plans.create_plan(planner, 2027)
    db.session.commit()
    j = journey("print-api")
    j.sign_in(planner)
    j.click("link", "年度计划", exact=True)
    j.click("link", "2027 年度")
    j.page.emulate_media(media="print")
    assert not j.page.locator("nav.navbar").is_visible() and j.page.locator("h1").is_visible()
    j.page.emulate_media(media="screen")
    errors = []
    j.page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    j.go("/api/v1/docs")
    j.page.locator("#swagger-ui .info .title").wait_for()
    assert "govit API" in j.page.locator("#swagger-ui .info .title").inner_text()
    assert j.page.locator("#swagger-ui .opblock").count() > 20  # every operation drawn
    assert not [e for e in errors if "Content Security Policy" in e], errors
    j.shot("api-docs")
