"""Accounts: departments, users, passwords and API tokens."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from .. import clock, history
from ..domain.errors import InvalidInput, NotFound
from ..domain.passwords import password_problem
from ..domain.roles import AUTHORITY_DEPARTMENTS, ROLES
from ..extensions import db
from ..models import ApiToken, Department, User
from ..transaction import transactional

def department_by_code(code: str) -> Department:
    dept = db.session.execute(select(Department).where(Department.code == code)).scalar_one_or_none()
    if dept is None:
        raise NotFound(f"没有代码为“{code}”的部门")
    return dept


def seed_authorities() -> None:
    """The authority departments of API.md; existing ones are left as they are."""
    have = set(db.session.execute(select(Department.code)).scalars())
    for code, name in AUTHORITY_DEPARTMENTS.items():
        if code not in have:
            db.session.add(Department(code=code, name=name, is_authority=True, created_at=clock.now()))


@transactional
def create_department(actor: User | None, code: str, name: str) -> Department:
    code, name = (code or "").strip().upper(), (name or "").strip()
    errors = {}
    if not code or not code.isalnum() or len(code) > 16:
        errors["code"] = "部门代码应为 1–16 位字母或数字"
    if not name or len(name) > 100:
        errors["name"] = "请填写部门名称（100 字以内）"
    taken = db.session.execute(select(Department).where(
        (Department.code == code) | (Department.name == name))).scalar_one_or_none()
    if taken is not None:
        errors["code"] = f"部门“{taken.name}”（{taken.code}）已存在"
    if errors:
        raise InvalidInput(errors)
    dept = Department(code=code, name=name, is_authority=False, created_at=clock.now())
    db.session.add(dept)
    db.session.flush()
    history.record(actor, "create_department", code=code, name=name)
    return dept


@transactional
def create_user(actor: User | None, username: str, role: str, department_code: str, password: str,
                display_name: str = "", must_change: bool = True, email: str | None = None) -> User:
    """A new account; it must change this initial password at first web login unless told not to."""
    errors = {}
    username = (username or "").strip()
    if not username or len(username) > 64 or not username.replace("_", "").replace(".", "").isalnum():
        errors["username"] = "用户名应为 1–64 位字母、数字、下划线或点"
    elif db.session.execute(select(User).where(User.username == username)).scalar_one_or_none():
        errors["username"] = f"用户名“{username}”已被使用"
    if role not in ROLES:
        errors["role"] = f"角色应为：{', '.join(ROLES)}"
    if problem := password_problem(password):
        errors["password"] = problem
    email = (email or "").strip() or None
    if email and ("@" not in email or len(email) > 200 or " " in email):
        errors["email"] = "邮箱地址格式不正确"
    if errors:
        raise InvalidInput(errors)
    dept = department_by_code(department_code)
    user = User(username=username, display_name=display_name or username, role=role,
                department_id=dept.id, must_change_password=must_change, active=True,
                created_at=clock.now(), email=email)
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    db.session.add(user)
    db.session.flush()
    history.record(actor, "create_user", username=username, role=role, department=dept.code)
    return user


@transactional
def set_active(actor: User, user: User, active: bool) -> None:
    before, user.active = user.active, active
    history.record(actor, "set_user_active", username=user.username, before=before, after=active)


@transactional
def reset_password(actor: User, user: User, password: str) -> None:
    if problem := password_problem(password):
        raise InvalidInput({"password": problem})
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    user.must_change_password = True
    history.record(actor, "reset_password", username=user.username)


REFUSED = "用户名或密码不正确，或账号已停用"


@transactional
def sign_in(username: str, password: str, channel: str = "web") -> tuple[User | None, str]:
    """Check a login: (user, "") or (None, why). Every login and failure goes into the history;
    after GOVIT_LOCKOUT_FAILURES failures in a row the account is locked for GOVIT_LOCKOUT_MINUTES."""
    config, now = current_app.config, clock.now()
    user = db.session.execute(select(User).where(User.username == (username or "").strip())).scalar_one_or_none()
    if user is None:
        history.record(None, "login_failed", username=(username or "")[:64], channel=channel, reason="unknown_user")
        return None, REFUSED
    if user.locked_until and user.locked_until > now:
        history.record(user, "login_failed", channel=channel, reason="locked")
        return None, f"连续登录失败次数过多，账号已锁定至 {user.locked_until:%H:%M}，请稍后再试或联系管理员"
    if not user.active or not user.check_password(password or ""):
        user.failed_logins += 1
        reason = "inactive" if not user.active else "wrong_password"
        if user.failed_logins >= config["GOVIT_LOCKOUT_FAILURES"]:
            user.locked_until, user.failed_logins = now + timedelta(minutes=config["GOVIT_LOCKOUT_MINUTES"]), 0
            reason = "locked_now"
        history.record(user, "login_failed", channel=channel, reason=reason)
        return None, REFUSED
    user.failed_logins, user.locked_until = 0, None
    history.record(user, "login", channel=channel)
    return user, ""


def authenticate(username: str, password: str) -> User | None:
    """Sign-in for the API token: the same checks, lockout and history as the web."""
    user, _ = sign_in(username, password, channel="api")
    return user


@transactional
def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current or ""):
        raise InvalidInput({"current": "当前密码不正确"})
    if problem := password_problem(new):
        raise InvalidInput({"new": problem})
    if new == current:
        raise InvalidInput({"new": "新密码不能与当前密码相同"})
    user.set_password(new, current_app.config["PASSWORD_HASH_METHOD"])
    user.must_change_password = False
    history.record(user, "change_password", username=user.username)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transactional
def issue_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    days = current_app.config["GOVIT_TOKEN_DAYS"]
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), created_at=clock.now(),
                            expires_at=clock.now() + timedelta(days=days)))
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _digest(token))).scalar_one_or_none()
    if row is None or row.expires_at < clock.now() or not row.user.active:
        return None
    return row.user
