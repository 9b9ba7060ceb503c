"""Browser journeys: a live govit on loopback, driven by Playwright in Debian's Chromium.

They run whenever Chromium is installed. Without it, `make test` skips them with a message; under
CI=true a missing browser fails the run instead (a missing install step must not pass quietly).
"""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from ..helpers import PASSWORD

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError("CI=true but Chromium is missing: install Debian's chromium (make browser-deps)")
    skip = pytest.mark.skip(reason="Chromium 未安装，跳过浏览器测试（apt-get install chromium，或 make browser-deps）")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def live_server(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as users meet it
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def browser(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport={"width": 1280, "height": 800}, locale="zh-CN", accept_downloads=True)
        context.set_default_timeout(15000)
        yield context
        context.close()


class Journey:
    """One person after another in the same browser, each step checked and photographed."""

    def __init__(self, browser, base: str, name: str):
        self.page, self.base, self.name, self.step = browser.new_page(), base, name, 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def go(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def sign_in(self, user):
        page = self.go("/login")
        if page.locator("form.logout").count():  # 退出 sits in the user menu (issue 19): sent as the menu would
            with page.expect_navigation():
                page.locator("form.logout").evaluate("form => form.requestSubmit()")
            page = self.go("/login")
        page.fill("#username", user.username)
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_selector("form.logout", state="attached")
        page.wait_for_load_state()  # the menus' script (bootstrap) has run: a dropdown opens when clicked
        return page

    def click(self, role: str, name: str, confirm: bool = False, exact: bool = False):
        if confirm:  # the irreversible steps ask first
            self.page.once("dialog", lambda dialog: dialog.accept())
        self.page.wait_for_load_state()  # scripts loaded: the menu's dropdowns answer a click
        target = self.page.get_by_role(role, name=name, exact=exact)
        if not target.count():  # a page in a menu group (issue 19): open its dropdown first
            target = self.page.get_by_role(role, name=name, exact=exact, include_hidden=True)
            toggle = self.page.locator("li.dropdown", has=target).first.locator(".dropdown-toggle")
            toggle.click()
            from playwright.sync_api import TimeoutError as PlaywrightTimeout
            try:
                target.first.wait_for(state="visible", timeout=3000)
            except PlaywrightTimeout:  # the click came before the menu listened: open it once more
                toggle.click()
        target.first.click()
        self.page.wait_for_load_state()

    def shot(self, label: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{self.step:02d}-{label}.png"), full_page=True)

    def sees(self, *texts: str) -> None:
        body = self.page.inner_text("body")
        for text in texts:
            assert text in body, f"{self.name} step {self.step}: “{text}” not on {self.page.url}"


@pytest.fixture
def journey(browser, live_server):
    return lambda name: Journey(browser, live_server, name)
