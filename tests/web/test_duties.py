"""R-DUTIES (三员分立, 等保2.0 三级): admin runs the system, security_admin the accounts, auditor
audits; no account holds two of these, nobody changes their own account, and every creation or
change of an authority or duty account is in the auditor's own list (issue 15 attack 7)."""
import pytest
from sqlalchemy import func, select

from govit.auth import services as accounts
from govit.domain.duties import check_account_change
from govit.domain.errors import Forbidden
from govit.extensions import db
from govit.models import Event, User

from ..helpers import PASSWORD


@pytest.fixture(autouse=True)
def _fixed_day(today):
    """The application's date is fixed; only a session's lifetime runs on the wall clock."""
    today("2026-06-16")


def _login(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _state():
    """Every account's role and status, and the length of the history."""
    users = tuple(db.session.execute(select(User.username, User.role, User.active, User.password_hash)
                                     .order_by(User.id)).all())
    return users, db.session.scalar(select(func.count()).select_from(Event))


@pytest.fixture
def three(make):
    make.department("DEPA")
    return {"admin": make.user("admin", "YSHJ"), "security": make.user("security_admin", "YSHJ"),
            "auditor": make.user("auditor", "SJT"), "applicant": make.user("applicant", "DEPA")}


def test_r_duties_the_admin_can_no_longer_make_itself_a_finance_account(app, three):
    """Issue 15 attack 7: the admin created a finance account (or reset a user's password) for
    itself. Accounts are now the security administrator's: every account route refuses the admin."""
    admin = _login(app, three["admin"])
    before = _state()
    target = three["applicant"].id
    for path, data in (("/admin/users", {"username": "fake_finance", "role": "finance", "department": "CZT",
                                         "password": "Finance-pass1"}),
                       (f"/admin/users/{target}/password", {"password": "Reset-pass1"}),
                       (f"/admin/users/{target}/role", {"role": "finance"}),
                       (f"/admin/users/{target}/active", {}), (f"/admin/users/{target}/unlock", {})):
        res = admin.post(path, data=data)
        assert res.status_code == 403, path
    assert admin.get("/admin/users").status_code == 403
    assert _state() == before
    assert admin.get("/admin/departments").status_code == 200 and admin.get("/admin/calendar").status_code == 200


def test_r_duties_the_security_admin_manages_accounts_but_no_system_or_projects(app, three):
    security = _login(app, three["security"])
    res = security.post("/admin/users", data={"username": "new_finance", "display_name": "新财政", "role": "finance",
                                              "department": "CZT", "password": "Finance-pass1"})
    assert res.status_code == 302
    created = db.session.execute(select(User).where(User.username == "new_finance")).scalar_one()
    assert created.role == "finance" and created.must_change_password
    assert security.post(f"/admin/users/{created.id}/role", data={"role": "ndrc"}).status_code == 302
    assert db.session.get(User, created.id).role == "ndrc"
    for path in ("/admin/departments", "/admin/calendar", "/projects", "/admin/account-changes"):
        assert security.get(path).status_code == 403, path


@pytest.mark.parametrize("duty", ["admin", "security_admin", "auditor"])
def test_r_duties_no_account_gets_a_second_duty(app, three, duty):
    """A duty account is created on the server only and keeps its duty; no other account becomes one."""
    security = _login(app, three["security"])
    before = _state()
    res = security.post("/admin/users", data={"username": f"second_{duty}", "role": duty, "department": "YSHJ",
                                              "password": "Second-pass1"})
    assert res.status_code in (200, 403)  # the form does not offer it; a forged post is refused
    assert security.post(f"/admin/users/{three['applicant'].id}/role", data={"role": duty}).status_code in (302, 403)
    assert _state() == before
    with pytest.raises(Forbidden) as refused:
        accounts.change_role(three["security"], three["applicant"], duty)
    assert refused.value.rule == "R-DUTIES"
    other_duty = {"admin": "auditor", "security_admin": "admin", "auditor": "security_admin"}[duty]
    holder = {"admin": three["admin"], "security_admin": make_second_security(three), "auditor": three["auditor"]}[duty]
    with pytest.raises(Forbidden):
        accounts.change_role(three["security"], holder, other_duty)
    with pytest.raises(Forbidden):
        accounts.change_role(three["security"], holder, "planner")


def make_second_security(three):
    return accounts.create_user(None, "security2", "security_admin", "YSHJ", PASSWORD, must_change=False)


def test_r_duties_nobody_changes_their_own_account(app, three):
    security = _login(app, three["security"])
    me = three["security"].id
    before = _state()
    assert security.post(f"/admin/users/{me}/role", data={"role": "planner"}).status_code == 403
    assert security.post(f"/admin/users/{me}/password", data={"password": "Myself-pass1"}).status_code == 403
    assert security.post(f"/admin/users/{me}/active", data={}).status_code == 302  # refused with a message
    assert _state() == before
    with pytest.raises(Forbidden) as refused:
        accounts.change_role(three["security"], three["security"], "planner")
    assert refused.value.rule == "R-DUTIES"


def test_r_duties_domain_rule_edges():
    """The rule in plain values: bootstrap may do anything; only security_admin manages; not itself."""
    check_account_change(None, None, None, None, "admin")  # govit create-user
    check_account_change("security_admin", 1, 2, "applicant", "planner")
    check_account_change("security_admin", 1, 2, "admin", None)  # a reset or unlock keeps the role
    for args in (("admin", 1, 2, "applicant", "planner"), ("auditor", 1, 2, "applicant", None),
                 ("security_admin", 1, 1, "security_admin", None), ("security_admin", 1, None, None, "auditor"),
                 ("security_admin", 1, 2, "auditor", "applicant")):
        with pytest.raises(Forbidden):
            check_account_change(*args)


def test_r_duties_the_auditor_sees_authority_account_changes_in_a_list_of_its_own(app, three):
    security = _login(app, three["security"])
    security.post("/admin/users", data={"username": "watched_planner", "role": "planner", "department": "YSHJ",
                                        "password": "Planner-pass1"})
    security.post("/admin/users", data={"username": "plain_applicant", "role": "applicant", "department": "DEPA",
                                        "password": "Applic-pass1"})
    promoted = three["applicant"].id
    security.post(f"/admin/users/{promoted}/role", data={"role": "finance"})  # applicant → finance: watched
    auditor = _login(app, three["auditor"])
    page = auditor.get("/admin/account-changes").get_data(as_text=True)
    assert "watched_planner" in page and "plain_applicant" not in page
    assert three["applicant"].username in page and "财政厅" in page
    assert three["security"].username in page  # its own creation (govit create-user) is listed too
    planner = accounts.create_user(None, "p1", "planner", "YSHJ", PASSWORD, must_change=False)
    for user in (planner, three["admin"], three["security"]):
        assert _login(app, user).get("/admin/account-changes").status_code == 403, user.role


def test_create_user_cli_keeps_working_for_every_role(runner, make):
    """`govit create-user` is the bootstrap path: it creates the duty accounts too."""
    from govit.domain.roles import ROLES
    make.department("DEPA")
    for role in ROLES:
        res = runner.invoke(args=["create-user", f"cli_{role}", "--role", role, "--department", "YSHJ",
                                  "--password", PASSWORD])
        assert res.exit_code == 0, res.output
    assert db.session.execute(select(User).where(User.username == "cli_security_admin")).scalar_one().role \
        == "security_admin"


@pytest.mark.parametrize("duty", ["admin", "auditor"])
def test_r_duties_the_security_admin_cannot_reset_a_duty_account_into_its_own_hands(app, three, runner, duty):
    """A reset hands the security administrator a password of the account: for the system
    administrator or the auditor that would be holding their duty too (found by review). Refused
    on the page and in the service, nothing changed; the server's `govit reset-password` does it."""
    security = _login(app, three["security"])
    before = _state()
    assert security.post(f"/admin/users/{three[duty].id}/password",
                         data={"password": "Takeover-pass1"}).status_code == 403
    with pytest.raises(Forbidden) as refused:
        accounts.reset_password(three["security"], three[duty], "Takeover-pass1")
    assert refused.value.rule == "R-DUTIES"
    assert _state() == before
    accounts.reset_password(three["security"], three["applicant"], "Applicant-pass1")  # others as before
    done = runner.invoke(args=["reset-password", three[duty].username, "--password", "Server-pass1"])
    assert done.exit_code == 0, done.output
    reset = db.session.get(User, three[duty].id)
    assert reset.check_password("Server-pass1") and reset.must_change_password


def test_changing_the_password_counts_wrong_current_passwords_as_failed_sign_ins(app, three):
    """A stolen session cannot guess the current password: four wrong ones and the right one
    still changes it; five lock the account, and then even the right one is refused, sign-in too."""
    client = _login(app, three["applicant"])
    for _ in range(4):
        res = client.post("/password", data={"current": "wrong-guess", "new": "Brand-new-pass1",
                                             "confirm": "Brand-new-pass1"})
        assert "当前密码不正确" in res.get_data(as_text=True)
    res = client.post("/password", data={"current": PASSWORD, "new": "Brand-new-pass1", "confirm": "Brand-new-pass1"})
    assert res.status_code == 302
    user = db.session.get(User, three["applicant"].id)
    assert user.check_password("Brand-new-pass1") and user.failed_logins == 0
    for _ in range(5):
        client.post("/password", data={"current": "wrong-guess", "new": "Other-new-pass1", "confirm": "Other-new-pass1"})
    res = client.post("/password", data={"current": "Brand-new-pass1", "new": "Other-new-pass1",
                                         "confirm": "Other-new-pass1"})
    assert "账号已锁定" in res.get_data(as_text=True)
    assert db.session.get(User, user.id).check_password("Brand-new-pass1")
    fresh = app.test_client().post("/login", data={"username": user.username, "password": "Brand-new-pass1"})
    assert fresh.status_code == 200 and "账号已锁定" in fresh.get_data(as_text=True)
