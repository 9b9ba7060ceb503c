"""Issue 19, first slice: what people see — styled buttons, a readable history, the inbox, small fixes."""
import io
import re
from datetime import date
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from govit.acceptance import evaluation, services as construction

from ..helpers import PASSWORD, online_code
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
        ("secrecy", ["涉密属性确认（省委保密办）"], ["确定确认涉密属性"])]),
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
            assert f'<h4 class="form-title">{h}</h4>' in page, (who, h)
        for c in confirms:
            assert f'data-confirm="{c}' in page, (who, c)


@pytest.fixture
def history(make):
    """Two projects submitted on different days, a planner, an auditor who has signed in."""
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    auditor = make.user("auditor", "SJT")
    roads = make.submitted(head, planner, on="2026-06-16", name="智慧交通综合平台", online_code=online_code())
    water = make.submitted(head, planner, on="2026-06-18", name="水利监测预警系统", online_code=online_code())
    return {"head": head, "planner": planner, "auditor": auditor, "roads": roads, "water": water}


def cells(page: str, label: str) -> int:
    return page.count(f"<td>{label}</td>")


def test_history_filters_by_chinese_action_and_shows_labels_not_codes(app, history):
    """Finding 3: the 动作 select lists Chinese names; "统一申报" (chosen, or typed) finds the submit rows."""
    auditor = as_user(app, history["auditor"])
    everything = auditor.get("/audit").get_data(as_text=True)
    assert '<option value="submit">统一申报</option>' in everything
    assert cells(everything, "登录") >= 1 and "<td>login</td>" not in everything  # the auditor's own sign-in
    assert '<th scope="row" class="muted">方式</th>' in everything and '{"' not in everything  # no raw JSON
    for wanted in ("submit", "统一申报"):
        page = auditor.get("/audit", query_string={"action": wanted}).get_data(as_text=True)
        assert cells(page, "统一申报") == 2 and cells(page, "登录") == 0, wanted
        assert "智慧交通综合平台" in page and "水利监测预警系统" in page


def test_history_filters_by_date_range_edges_and_project_name(app, history):
    """Finding 3: the date range includes both of its days and nothing outside; a project by its name."""
    auditor = as_user(app, history["auditor"])

    def submits(**query):
        return cells(auditor.get("/audit", query_string={"action": "submit", **query}).get_data(as_text=True), "统一申报")
    assert submits(**{"from": "2026-06-16", "to": "2026-06-16"}) == 1  # the day itself
    assert submits(**{"from": "2026-06-17", "to": "2026-06-17"}) == 0  # the day after: nothing submitted
    assert submits(**{"from": "2026-06-17", "to": "2026-06-18"}) == 1
    assert submits(**{"from": "2026-06-16", "to": "2026-06-18"}) == 2
    assert submits(**{"to": "2026-06-15"}) == 0
    page = auditor.get("/audit", query_string={"project_name": "水利"}).get_data(as_text=True)
    assert "水利监测预警系统" in page and "智慧交通综合平台" not in page and cells(page, "统一申报") == 1
    page = auditor.get("/audit", query_string={"person": "auditor用户"}).get_data(as_text=True)
    assert cells(page, "登录") >= 1 and cells(page, "统一申报") == 0
    bad = auditor.get("/audit", query_string={"from": "2026-13-01"})
    assert bad.status_code == 200 and "开始日期格式应为 YYYY-MM-DD" in bad.get_data(as_text=True)


def test_history_export_has_the_filtered_rows_in_chinese(app, history):
    """Finding 3: the Excel export holds the filtered rows, action names and projects in Chinese."""
    res = as_user(app, history["planner"]).get("/audit.xlsx", query_string={"action": "submit", "from": "2026-06-17"})
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(res.data)).active.iter_rows(values_only=True))
    assert "历史记录" in rows[0][0]
    header, *body = rows[2:]  # title, unit line (reports.styled), header
    assert [(r[header.index("动作")], r[header.index("项目")]) for r in body] == [("统一申报", "水利监测预警系统")]
    assert as_user(app, history["head"]).get("/audit.xlsx").status_code == 403


def test_inbox_newest_first_one_message_read_when_opened_and_all_read_kept(app, history):
    """Finding 11: the inbox lists the newest first (by when the message came, not by row id); opening
    a message marks it (only it) read and leads to its project; nobody opens another's message."""
    from govit import clock
    from govit.extensions import db
    from govit.history import tell_users
    from govit.models import Notification
    head = history["head"]
    with clock.travel(date(2026, 6, 1)):
        tell_users([head], None, "较早的一条通知", "decision")
        db.session.commit()
    client = as_user(app, head)
    page = client.get("/inbox").get_data(as_text=True)
    assert page.index("水利监测预警系统") < page.index("智慧交通综合平台") < page.index("较早的一条通知")
    assert "全部标为已读" in page

    def unread():
        return {n.message for n in db.session.query(Notification).filter_by(user_id=head.id, read_at=None)}
    mine = {n.message: n for n in db.session.query(Notification).filter_by(user_id=head.id)}
    water = next(n for m, n in mine.items() if "水利监测预警系统" in m)
    before = unread()
    other = as_user(app, history["auditor"])
    assert other.post(f"/inbox/{water.id}/open").status_code == 404 and unread() == before  # not the auditor's
    res = client.post(f"/inbox/{water.id}/open")
    assert res.status_code == 302 and res.headers["Location"].endswith(f"/projects/{history['water'].id}")
    assert unread() == before - {water.message}
    assert client.get(f"/inbox/{water.id}/open").status_code == 405  # a change is a POST (with CSRF)
    plain = mine["较早的一条通知"]
    res = client.post(f"/inbox/{plain.id}/open")
    assert res.status_code == 302 and res.headers["Location"].endswith("/inbox")
    assert "较早的一条通知" not in unread()
    client.post("/inbox/read")
    assert unread() == set()


RAW_MONEY = re.compile(r"(?<![\d,.])\d{4,}\.\d{2}(?!\d)")  # 3145000.00: an amount without thousands separators


def test_money_on_the_project_page_is_formatted_one_way(app, w, make):  # noqa: F811
    """Finding 11: every amount on the project page reads #,##0.00 (a budget change, progress and the
    difference to the approved estimate included), for the department and the planner."""
    from govit.approval import budget
    from govit import clock
    project = building(w, name="金额格式项目")
    with clock.travel(date(2027, 7, 3)):
        construction.report_progress(w["head"], project, "2027-06", D("20"), D("1500000.00"))
    budget.file_budget_change(w["head"], project, D("300000"), D("3300000"), "other", "增加接口", True)
    for who in ("head", "planner"):
        page = as_user(app, w[who]).get(f"/projects/{project.id}").get_data(as_text=True)
        body = re.sub(r"<[^>]*>", " ", page.split("<main", 1)[1])  # the text people read (no placeholders)
        assert RAW_MONEY.findall(body) == [], who
        assert "3,000,000.00" in body and "1,500,000.00" in body, who


def test_favicon_answers_without_sign_in_and_the_user_menu_links_the_password_page(app, w):  # noqa: F811
    """Findings 11/12: /favicon.ico is a public icon; the account menu offers 修改密码, which opens."""
    icon = app.test_client().get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00" and "icon" in icon.mimetype
    client = as_user(app, w["head"])
    page = client.get("/dashboard").get_data(as_text=True)
    assert '<a class="dropdown-item" href="/password">修改密码</a>' in page and 'rel="icon"' in page
    assert client.get("/password").status_code == 200
