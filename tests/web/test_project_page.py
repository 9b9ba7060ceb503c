"""Issue 19 (items 2 and 5): the project page — the lifecycle stepper, the next action for the
viewer, forms only for who may use them, no empty boxes, the submission checklist while drafting,
messages that name the project, every field typed shown. Run at the suite's fixed date (2026-11-30)."""
import re
from decimal import Decimal as D
from html import unescape
from html.parser import HTMLParser

from govit.acceptance import services as construction
from govit.approval import budget
from govit.extensions import db
from govit.models import Project
from govit.planning.fields import BOOLS, CHOICES, EDITABLE, TEXT_FIELDS
from govit.project_page import GROUPS

from ..helpers import COMPLETE, PASSWORD
from ..services.test_approval import building
from ..services.test_construction import w  # noqa: F401  (fixture)

STEP = re.compile(r'<li class="step (\w+)"[^>]*>(.*?)</li>', re.S)
VOID = {"input", "br", "img", "meta", "link", "hr", "col", "source", "wbr", "area", "base", "embed"}


def as_user(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def page_of(app, user, project) -> str:
    res = as_user(app, user).get(f"/projects/{project.id}")
    assert res.status_code == 200
    return res.get_data(as_text=True)


def steps(html: str) -> list[tuple[str, str]]:
    """(status, visible text) of each stage of the stepper."""
    block = html.split('<ol class="stepper"', 1)[1].split("</ol>", 1)[0]
    return [(status, " ".join(re.sub(r"<[^>]+>", " ", inner).split())) for status, inner in STEP.findall(block)]


def next_action(html: str) -> str:
    card = html.split('id="next-action"', 1)[1].split("</div>", 1)[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", card)).split())


class Boxes(HTMLParser):
    """The text inside every <section> and every div.card of a page."""

    def __init__(self):
        super().__init__()
        self.stack, self.boxes = [], []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        box = tag == "section" or (tag == "div" and "card" in (attrs.get("class") or "").split())
        self.stack.append((tag, box, [], attrs.get("id") or attrs.get("class") or ""))

    def handle_endtag(self, tag):
        while self.stack:
            name, box, text, ident = self.stack.pop()
            if box:
                self.boxes.append((name, ident, " ".join("".join(text).split())))
            if name == tag:
                return

    def handle_data(self, data):
        for _, box, text, _ in self.stack:
            if box:
                text.append(data)


def empty_boxes(html: str) -> list[str]:
    """Sections with nothing but their heading, and cards with no text at all."""
    parser = Boxes()
    parser.feed(html)
    labels = {key: label for key, label, _ in GROUPS}
    return [ident for name, ident, text in parser.boxes
            if not text or (name == "section" and text == labels.get(ident))]


def test_stepper_next_action_forms_and_boxes_in_construction(app, w, reviewers):  # noqa: F811
    """A project in construction with a pending budget change and a reported problem: each role
    sees the stages with their dates, its own next step, only its own forms, and no empty box."""
    project = building(w, name="在建的营商平台")
    budget.file_budget_change(w["head"], project, D("900000"), D("3900000"), "other", "增加接口", True)
    construction.report_incident(w["head"], project, "delay", "供货延误两个月")
    db.session.commit()
    head = page_of(app, w["head"], project)
    shown = steps(head)
    assert [s for s, _ in shown] == ["done"] * 5 + ["current", "todo", "todo", "todo"]
    assert shown[5][1].startswith("建设") and "2026-11-25" in shown[5][1]  # 省政府审定 day
    assert "2026-06-16" in shown[1][1] and shown[6][1] == "竣工验收"  # submitted; nothing yet to come
    expected = {"head": "报告月度进度", "planner": "审批预算调整", "finance": "审批预算调整"}
    for who, title in expected.items():
        html = head if who == "head" else page_of(app, w[who], project)
        assert f"下一步：{title}" in next_action(html), who
        anchor = re.search(r'href="#([\w-]+)">去办理', html).group(1)
        assert f'id="{anchor}"' in html, (who, anchor)  # the card leads to the form
        if who == "planner":  # the other step waiting for the planner is offered beside it
            assert "还可办理： 下达处理意见" in next_action(html)
        assert empty_boxes(html) == [], who
    reviewer = page_of(app, reviewers[1], project)
    assert "当前没有需要您办理的事项" in next_action(reviewer)
    assert empty_boxes(reviewer) == []
    # forms only for who may use them: the reviewer files and decides nothing here
    assert f"/projects/{project.id}/approval/" not in reviewer and "/budget-changes/" not in reviewer
    assert f"/projects/{project.id}/build/" not in reviewer and f"/projects/{project.id}/documents\"" not in reviewer
    finance = page_of(app, w["finance"], project)
    assert "/budget-changes/" in finance and "step=file_budget_change" not in finance
    assert "/approval/file_budget_change" not in finance and "/approval/file_budget_change" in head
    assert "/budget-changes/" not in head  # the department does not decide its own change
    assert 'class="btn danger"' not in head + finance and 'class="btn secondary"' not in head + finance
    for key, label, _ in GROUPS:  # every group has its anchor and its link (works without JS)
        assert f'<section class="page-group" id="{key}"' in head and f'href="#{key}">{label}</a>' in head


def test_stepper_and_deadline_chip_in_joint_review(app, make, reviewers):
    """R-REVIEW-5WD: submitted 2026-06-16, the joint review is months late on 2026-11-30: the current
    stage carries the late chip; the reviewer's next step is its opinion; an empty stage says 暂无."""
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    project = make.submitted(head, planner, name="联审中的数据平台")
    db.session.commit()
    html = page_of(app, reviewers[0], project)
    shown = steps(html)
    assert [s for s, _ in shown][:3] == ["done", "current", "todo"]
    assert "联合审核" in shown[1][1] and "2026-06-16" in shown[1][1] and "已逾期" in shown[1][1]
    assert "下一步：出具审核意见" in next_action(html) and 'id="opinion"' in html
    assert "项目尚未进入建设阶段，暂无建设与验收信息" in html and empty_boxes(html) == []
    mine = page_of(app, head, project)
    assert "当前没有需要您办理的事项" in next_action(mine) and "联合审核" in next_action(mine)
    assert 'id="opinion"' not in mine and empty_boxes(mine) == []


ANNUAL_PAST_END = {**{k: v for k, v in COMPLETE.items() if k != "annual_investments"},
                   "name": "跨年资金的草稿", "construction_type": "new", "network": "extranet",
                   "end_month": "2027-12", "annual-0-year": "2027",
                   "annual-0-amount": "1500000.00", "annual-1-year": "2028", "annual-1-amount": "1500000.00"}


def test_r_proposal_fields_draft_saved_with_money_past_its_end_lists_the_problem_at_once(app, make):
    """Finding 8 (R-PROPOSAL-FIELDS): 2028 money with a 2027-12 end is named when the draft is saved,
    by the same check 统一申报 runs, and stays on the draft page and the edit form until fixed."""
    applicant = make.user("applicant", "DEPA")
    client = as_user(app, applicant)
    res = client.post("/projects/new", data=ANNUAL_PAST_END)
    assert res.status_code == 302 and res.headers["Location"].endswith("#checklist")
    html = client.get(res.headers["Location"]).get_data(as_text=True)
    problem = "年度投资额的年份应在建设工期 2027–2027 年之内"
    assert "草稿已保存" in html and f"“跨年资金的草稿”统一申报前还须处理 1 项：{problem}" in html
    checklist = html.split('id="checklist"', 1)[1].split("</div>", 1)[0]
    assert problem in checklist and "下一步：补齐申报内容" in next_action(html)
    project = db.session.query(Project).filter_by(name="跨年资金的草稿").one()
    form = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert problem in form.split('id="checklist"', 1)[1].split("</div>", 1)[0]
    fixed = {**ANNUAL_PAST_END, "annual-0-amount": "3000000.00", "annual-1-year": "", "annual-1-amount": ""}
    res = client.post(f"/projects/{project.id}/edit", data=fixed, follow_redirects=True)
    html = res.get_data(as_text=True)
    assert "已保存" in html and "统一申报前还须处理" not in html and "申报内容齐全" in html


def test_r_proposal_fields_submission_refusal_names_the_project_not_its_number(app, make, today):
    """Finding 8: 统一申报 of a draft that fails the checks names it “名称”, never 项目 35; nothing changes."""
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    make.round(planner)
    project = make.project(head, name="缺少方案的项目", crypto_plan="")
    db.session.commit()
    today("2026-06-16")
    res = as_user(app, head).post("/submit", data={"project_id": str(project.id)})
    html = res.get_data(as_text=True)
    assert "“缺少方案的项目”：缺少密码应用方案" in html and f"项目 {project.id}" not in html
    assert db.session.get(Project, project.id).state == "draft"


def test_every_field_typed_is_shown_on_the_project_page(app, make):
    """Finding 8: every 第九条 field and every other field of the form (技术路线 among them) is shown."""
    make.department("DEPB", "省水利厅")
    head = make.user("dept_admin", "DEPA")
    texts = {key: f"{key}的内容甲乙丙" for key in TEXT_FIELDS if key not in ("name", "online_code")}
    project = make.project(head, **texts, name="字段齐全的项目", online_code="2027-230000-65-01-777777",
                           construction_type="upgrade", network="intranet", classified=True, urgent=True,
                           co_departments=[{"code": "DEPB", "content": "参建内容丁戊"}])
    db.session.commit()
    html = unescape(page_of(app, head, project))
    for key, value in texts.items():
        assert value in html, key
    assert "字段齐全的项目" in html and "2027-230000-65-01-777777" in html and "技术路线" in html
    for key, labels in CHOICES.items():
        assert labels[getattr(project, key)] in html, key
    assert "涉密项目</dt><dd>是" in html and "紧急项目</dt><dd>是" in html  # BOOLS
    assert "2027-03 至 2027-12" in html and "3,000,000.00" in html and "省水利厅" in html and "参建内容丁戊" in html
    covered = set(texts) | {"name", "online_code"} | set(CHOICES) | set(BOOLS) | {
        "start_month", "end_month", "total_investment", "annual_investments", "co_departments"}
    assert covered == EDITABLE  # a new field must be added to this test and to the page
