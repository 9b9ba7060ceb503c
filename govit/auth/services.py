"""Accounts: departments, users, passwords and API tokens."""
import hashlib
import secrets
import threading
from datetime import datetime, timedelta, timezone

from flask import current_app, has_request_context, request
from sqlalchemy import and_, case, exists, false, or_, select, update
from .. import clock, history, integrity
from ..passwords import check_password as check_password_hash
from ..passwords import hash_password, needs_upgrade
from ..domain.duties import check_account_change, is_watched
from ..domain.errors import InvalidInput, NotFound
from ..domain.passwords import password_problem
from ..domain.roles import AUTHORITY_DEPARTMENTS, ROLES
from ..extensions import db
from ..models import ApiToken, Department, LoginSession, LoginThrottle, User
from ..transaction import lock_for_update, security_write, transactional

def department_by_code(code: str) -> Department:
    dept = db.session.execute(select(Department).where(Department.code == code)).scalar_one_or_none()
    if dept is None:
        raise NotFound(f"没有代码为“{code}”的部门")
    return dept


def seed_authorities() -> list[str]:
    """The authority departments of API.md; existing ones are left as they are. Returns the codes added."""
    have = set(db.session.execute(select(Department.code)).scalars())
    added = [code for code in AUTHORITY_DEPARTMENTS if code not in have]
    for code in added:
        db.session.add(Department(code=code, name=AUTHORITY_DEPARTMENTS[code], is_authority=True,
                                  created_at=clock.now()))
    return added


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


def _account_event(actor: User | None, action: str, user: User, **detail) -> None:
    """An account change in the history; `watched` puts it in the auditor's list (R-DUTIES)."""
    roles = {user.role, detail.get("before_role")}
    if any(is_watched(role) for role in roles):
        detail["watched"] = True
    history.record(actor, action, username=user.username, role=user.role, **detail)


def _check(actor: User | None, user: User | None, new_role: str | None = None, sets_password: bool = False) -> None:
    check_account_change(actor.role if actor else None, actor.id if actor else None,
                         user.id if user else None, user.role if user else None, new_role, sets_password)


@transactional
def create_user(actor: User | None, username: str, role: str, department_code: str, password: str,
                display_name: str = "", must_change: bool = True, email: str | None = None) -> User:
    """A new account; it must change this initial password at first sign-in unless told not to.
    `actor` None is `govit create-user` on the server (the bootstrap path, any role)."""
    errors = {}
    username = (username or "").strip()
    if not username or len(username) > 64 or not username.replace("_", "").replace(".", "").isalnum():
        errors["username"] = "用户名应为 1–64 位字母、数字、下划线或点"
    elif db.session.execute(select(User).where(User.username == username)).scalar_one_or_none():
        errors["username"] = f"用户名“{username}”已被使用"
    if role not in ROLES:
        errors["role"] = f"角色应为：{', '.join(ROLES)}"
    else:
        _check(actor, None, role)  # R-DUTIES
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
    _account_event(actor, "create_user", user, department=dept.code)
    return user


@transactional
def set_active(actor: User, user: User, active: bool) -> None:
    _check(actor, user)  # R-DUTIES
    lock_for_update(user)
    before, user.active = user.active, active
    if not active:
        _end_everything(user, "deactivated")
    _account_event(actor, "set_user_active", user, before=before, after=active)


@transactional
def reset_password(actor: User, user: User, password: str) -> None:
    """A new initial password, to be changed at the next sign-in; every session and token ends."""
    _check(actor, user, sets_password=True)  # R-DUTIES
    if problem := password_problem(password):
        raise InvalidInput({"password": problem})
    lock_for_update(user)
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    user.must_change_password = True
    _end_everything(user, "password_reset")
    _account_event(actor, "reset_password", user)


@transactional
def change_role(actor: User, user: User, role: str) -> None:
    """R-DUTIES: the security administrator gives another account another role."""
    if role not in ROLES:
        raise InvalidInput({"role": f"角色应为：{', '.join(ROLES)}"})
    _check(actor, user, role)
    lock_for_update(user)
    before, user.role = user.role, role
    if before != role:
        _end_everything(user, "role_changed")
    _account_event(actor, "change_role", user, before_role=before)


@transactional
def unlock(actor: User, user: User) -> None:
    """End a lockout before its time (the user telephoned the security administrator)."""
    _check(actor, user)  # R-DUTIES
    lock_for_update(user)
    before, user.failed_logins, user.locked_until = user.locked_until, 0, None
    _account_event(actor, "unlock_user", user, locked_until=before)


# --- signing in (ASVS V2.2.1, 等保 8.1.4.1 b): at most GOVIT_LOCKOUT_FAILURES password checks
# before the lock holds, however many requests arrive together; unknown names answered alike

REFUSED = "用户名或密码不正确，或账号已停用"
INTEGRITY_REFUSED = "账号信息完整性校验未通过（角色、部门或状态被改动），已拒绝登录并报告安全管理员和审计员；请联系安全管理员"
_dummy_hashes: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash of nothing anyone knows, made like real ones: an unknown name costs one check too."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _dummy_hashes:
        _dummy_hashes[method] = hash_password(secrets.token_hex(16), method)
    return _dummy_hashes[method]


def _locked_message(until: datetime | None) -> str:
    when = f"至 {until:%H:%M}" if until else ""
    return f"连续登录失败次数过多，账号已锁定{when}，请稍后再试或联系安全管理员"


def _reserve_check(model, where, now: datetime) -> int | None:
    """Count this attempt before the password is checked, in one atomic UPDATE committed at once:
    no row is counted when the account is locked, and the attempt that reaches the limit locks it.
    So however many requests race, at most `limit` of them go on to a password check. Returns the
    attempt's number in the run of failures, or None when the account is locked."""
    limit = current_app.config["GOVIT_LOCKOUT_FAILURES"]
    lock = timedelta(minutes=current_app.config["GOVIT_LOCKOUT_MINUTES"])
    expired = and_(model.locked_until.is_not(None), model.locked_until <= now)
    count = case((expired, 1), else_=model.failed_logins + 1)
    # ASVS 2.2.1, 等保 8.1.4.1 b): the count and the lock in one statement, never read-then-write
    stmt = (update(model).where(where, or_(model.locked_until.is_(None), model.locked_until <= now),
                                or_(model.failed_logins < limit, expired))
            .values(failed_logins=count, locked_until=case((count >= limit, now + lock), else_=None))
            .execution_options(synchronize_session=False))
    try:
        counted = db.session.execute(stmt).rowcount == 1
        # the row is still ours (PostgreSQL's row lock, SQLite's single writer): read our own count
        number = db.session.execute(select(model.failed_logins).where(where)).scalar_one() if counted else None
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return number


def _throttle_row(name: str) -> None:
    """The counter of a name that is no account, created if new (a race creates it once)."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(LoginThrottle).values(username=name, failed_logins=0).on_conflict_do_nothing())


def sign_in(username: str, password: str, channel: str = "web") -> tuple[User | None, str]:
    """Check a login: (user, "") or (None, why). Every attempt goes into the history; after
    GOVIT_LOCKOUT_FAILURES failures in a row the name is locked for GOVIT_LOCKOUT_MINUTES, whether
    or not it is an account, and an unknown name costs one password check like a known one."""
    now, name = clock.now(), (username or "").strip()[:64]
    user = db.session.execute(select(User).where(User.username == name)).scalar_one_or_none()
    user_id = user.id if user else None
    if user is None:
        _throttle_row(name)
        number = _reserve_check(LoginThrottle, LoginThrottle.username == name, now)
    else:
        number = _reserve_check(User, User.id == user_id, now)
    if number is None:
        return None, _refuse_locked(user_id, name, channel)
    user = db.session.get(User, user_id) if user_id else None
    right = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
    method = current_app.config["PASSWORD_HASH_METHOD"]
    # CRYPTO.md 身份鉴别: an older hash (scrypt) is replaced by PBKDF2-HMAC-SM3 at this sign-in
    rehash = hash_password(password, method) if right and user and needs_upgrade(user.password_hash, method) else None
    return _conclude(user_id, name, channel, right, number >= current_app.config["GOVIT_LOCKOUT_FAILURES"],
                     rehash)


@transactional
def _refuse_locked(user_id: int | None, name: str, channel: str) -> str:
    model, where = (User, User.id == user_id) if user_id else (LoginThrottle, LoginThrottle.username == name)
    # write first: on SQLite this claims the single writer before the history's head is read
    db.session.execute(update(model).where(where).values(failed_logins=model.failed_logins)
                       .execution_options(synchronize_session=False))
    until = db.session.execute(select(model.locked_until).where(where)).scalar_one_or_none()
    user = db.session.get(User, user_id) if user_id else None
    detail = {} if user else {"username": name}
    history.record(user, "login_failed", channel=channel, reason="locked", **detail)
    return _locked_message(until)


@transactional
def _conclude(user_id: int | None, name: str, channel: str, right: bool,
              last_try: bool, rehash: str | None = None) -> tuple[User | None, str]:
    """Write the attempt's outcome and its event, after the (slow) password check."""
    if user_id is None:
        db.session.execute(update(LoginThrottle).where(LoginThrottle.username == name)
                           .values(failed_logins=LoginThrottle.failed_logins)
                           .execution_options(synchronize_session=False))  # write first (SQLite)
        history.record(None, "login_failed", username=name, channel=channel,
                       reason="unknown_user", locked_now=last_try)
        return None, REFUSED
    user = db.session.get(User, user_id)
    lock_for_update(user)  # write first, and fresh counters
    if right and user.active and not integrity.intact(user):
        # 访问控制信息完整性: role, department or status changed outside govit
        history.record(user, "login_failed", channel=channel, reason="integrity")
        integrity.report(user, channel)
        return None, INTEGRITY_REFUSED
    if right and user.active:
        if not user.totp_enabled:  # with a second factor the run of failures ends when it passes
            user.failed_logins, user.locked_until = 0, None
        detail = {"rehashed": "pbkdf2-sm3"} if rehash else {}
        if user.totp_enabled:
            detail["second_factor"] = "pending"
        if rehash:
            user.password_hash = rehash
        history.record(user, "login", channel=channel, **detail)
        return user, ""
    reason = "locked_now" if last_try else "inactive" if not user.active else "wrong_password"
    history.record(user, "login_failed", channel=channel, reason=reason)
    return None, REFUSED


def authenticate(username: str, password: str, otp: str = "") -> tuple[User | None, str]:
    """Sign-in for the API token: the same checks, lockout and history as the web, the second
    factor included (CRYPTO.md): `otp` is a TOTP code or a recovery code."""
    from . import second_factor
    user, refused = sign_in(username, password, channel="api")
    if user is None:
        return None, refused
    if user.totp_enabled:
        return second_factor.verify_for_sign_in(user.id, otp, "api")
    if second_factor.required(user):
        return None, SECOND_FACTOR_MISSING
    return user, ""


SECOND_FACTOR_MISSING = "该账号须使用动态口令：请先在网页“我的登录 → 动态口令”中启用，再用用户名、密码和动态口令（otp）取得令牌"


# --- sessions and tokens (ASVS V3.3): kept on the server, so that they can be listed and ended

def session_clock() -> datetime:
    """The wall clock a session's lifetime runs on: hours that really passed, which neither
    GOVIT_TODAY (training) nor clock.travel (demo, tests) may stretch or cut short."""
    return datetime.now(timezone.utc).astimezone().replace(tzinfo=None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _end_everything(user: User, reason: str, keep_session: str | None = None,
                    keep_token: str | None = None) -> int:
    """End every session and token of the user but the ones named (inside the caller's transaction);
    returns how many were still live."""
    now = session_clock()
    sessions = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if keep_session:
        sessions = sessions.where(LoginSession.key_hash != _digest(keep_session))
    ended = db.session.execute(sessions.values(ended_at=now).execution_options(synchronize_session=False)).rowcount
    tokens = update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if keep_token:
        tokens = tokens.where(ApiToken.token_hash != _digest(keep_token))
    return ended + db.session.execute(tokens.values(revoked_at=clock.now())
                                      .execution_options(synchronize_session=False)).rowcount


INTEGRITY_SIGNED_OUT = ("您的账号信息（角色、部门或状态）与完整性校验值不符，疑被直接改动数据库，已退出登录，"
                        "并已报告安全管理员和审计员；请联系安全管理员核实并重新设定账号后再登录")
SIGNED_OUT_FOR_INTEGRITY = "govit_integrity_signed_out"  # flask.g: this request's user was signed out so


def sign_out_altered(user_id: int, channel: str) -> None:
    """访问控制信息完整性 (CRYPTO.md): the signed-in account (a web session's or an API token's) no
    longer matches its HMAC-SM3: every session and token of it ends now, and the request that ended
    them records it and tells the security administrators and auditors — once, however many requests
    arrive together (a later one finds nothing live to end; its session is not loaded again)."""
    from flask import g
    g.setdefault(SIGNED_OUT_FOR_INTEGRITY, True)
    with security_write():
        user = db.session.get(User, user_id)
        if _end_everything(user, "integrity"):
            history.record(user, "end_session", channel=channel, reason="integrity")
            integrity.report(user, channel, signed_in=True)


def change_password(user: User, current: str, new: str, keep_session: str | None = None,
                    keep_token: str | None = None) -> None:
    """The user's own new password; every other session and token of the user ends. The current
    password is checked as a sign-in is: counted first and locked after as many failures, so a
    stolen session or token cannot guess it (ASVS 2.2.1 for re-authentication too)."""
    user = getattr(user, "_get_current_object", lambda: user)()  # current_user is a proxy
    if _reserve_check(User, User.id == user.id, clock.now()) is None:
        until = db.session.execute(select(User.locked_until).where(User.id == user.id)).scalar_one_or_none()
        raise InvalidInput({"current": _locked_message(until)})
    _store_password(user, current, new, keep_session, keep_token)


@transactional
def _store_password(user: User, current: str, new: str, keep_session: str | None, keep_token: str | None) -> None:
    if not user.check_password(current or ""):
        raise InvalidInput({"current": "当前密码不正确"})
    if problem := password_problem(new):
        raise InvalidInput({"new": problem})
    if new == current:
        raise InvalidInput({"new": "新密码不能与当前密码相同"})
    lock_for_update(user)
    user.failed_logins, user.locked_until = 0, None
    user.set_password(new, current_app.config["PASSWORD_HASH_METHOD"])
    user.must_change_password = False
    _end_everything(user, "password_changed", keep_session, keep_token)
    history.record(user, "change_password", username=user.username)


@transactional
def start_session(user: User, ip: str | None, agent: str | None) -> str:
    """A new server-side session; returns the key the cookie carries (only its sha256 is kept)."""
    key, now = secrets.token_urlsafe(32), session_clock()
    db.session.add(LoginSession(user_id=user.id, key_hash=_digest(key), created_at=now,
                                expires_at=now + timedelta(hours=current_app.config["GOVIT_SESSION_HOURS"]),
                                ip=(ip or "")[:64] or None, agent=(agent or "")[:200] or None))
    return key


# what a request reads of the signed-in user: what the hooks, the header and the views use of
# current_user; the rest (the password hash, the MAC, the second factor's secret and codes, the
# lockout counters) is loaded only by the code that touches it (sign-in, password, 2FA pages)
SIGNED_IN_COLUMNS = ("id", "username", "display_name", "email", "role", "department_id", "must_change_password",
                     "active", "created_at", "totp_enabled")
DEPARTMENT_COLUMNS = ("id", "code", "name", "is_authority", "created_at")  # the user's department, read beside
_USER_WIDTH = len(SIGNED_IN_COLUMNS) + len(DEPARTMENT_COLUMNS)  # then the unread count, the MAC, the head
_signed_in_query = None
_with_signed_in: dict = {}  # endpoint -> the signed-in statement with what that endpoint reads beside it
_kept_users = threading.local()  # per thread: {user id: (the user, what it had unloaded when built)}
KEPT_USERS = 256  # signed-in users a worker thread keeps, the longest unused forgotten first

# endpoints whose GET or HEAD reads the project its route names in the signed-in user's own statement
# (issue 24: one round trip for a kept project page on PostgreSQL): endpoint -> the columns to read
# (the project entity first) for the route's project_id, given as a bind parameter. What was read is
# held in the request for the scope check's reader (read_with_user, auth.access.READ_WITH_PROJECT).
WITH_SIGNED_IN: dict = {}
READ_WITH_USER = "govit.read_with_user"  # request.environ: (endpoint, project id, the columns read)


def _signed_in_statement(endpoint: str | None = None):
    """The one query that loads the signed-in user, built once: the user's and its department's
    columns, the header's unread count, the account's stored MAC, the history's head (the data
    version the layout's 待办 count and the kept pages are read by: issue 24, a round trip fewer per
    page on PostgreSQL), and the condition that the cookie's server-side session is live (not ended,
    within its absolute lifetime); the account's being active is checked after its MAC
    (_signed_in_from). For an endpoint of WITH_SIGNED_IN, its columns too, the project joined by the
    route's id (outer: an absent project reads as None, which the scope check answers with 404)."""
    global _signed_in_query
    if _signed_in_query is None:
        from sqlalchemy import bindparam, func
        from ..alerts.views import UNREAD_SHOWN
        from ..models import Notification
        user_id = bindparam("user_id")
        unread = (select(Notification.id).where(Notification.user_id == user_id, Notification.read_at.is_(None))
                  .limit(UNREAD_SHOWN).subquery())
        live = exists().where(LoginSession.user_id == User.id, LoginSession.key_hash == bindparam("key_hash"),
                              LoginSession.ended_at.is_(None), LoginSession.expires_at > bindparam("now"))
        unread_count = select(func.count()).select_from(unread).scalar_subquery().label("unread")
        _signed_in_query = _user_row(unread_count).where(User.id == user_id, live)
    if endpoint is None:
        return _signed_in_query
    if endpoint not in _with_signed_in:
        from sqlalchemy import bindparam
        project_id = bindparam("project_id")
        columns = WITH_SIGNED_IN[endpoint](project_id)
        _with_signed_in[endpoint] = (_signed_in_query.add_columns(*columns)
                                     .outerjoin(columns[0], columns[0].id == project_id))
    return _with_signed_in[endpoint]


def _user_row(*beside):
    """A select of what signs a user in, for the web session's statement and the API token's alike:
    the user's columns (SIGNED_IN_COLUMNS) and its department's (joined), then `beside`, the
    account's stored MAC and the history's head (_signed_in_from reads them)."""
    from ..models import ChainHead
    return (select(*(getattr(User, name) for name in SIGNED_IN_COLUMNS),
                   *(getattr(Department, name) for name in DEPARTMENT_COLUMNS),
                   *beside, User.integrity_mac, _head_column(ChainHead.seq), _head_column(ChainHead.hash))
            .join(Department, Department.id == User.department_id))


def _signed_in_from(found, channel: str) -> User | None:
    """The user a row of _user_row signs in on `channel` ("web", "api"): None when the account no
    longer matches its MAC (访问控制信息完整性 on every request: one HMAC-SM3, no query; every session
    and token of it then ends) or is inactive (checked after the MAC: an account deactivated in the
    database is altered too); else the history's head it read is held as a GET's data version."""
    user = _user_of(tuple(found[:_USER_WIDTH]))
    if not integrity.matches(user, found.integrity_mac):
        sign_out_altered(user.id, channel)
        return None
    if not user.active:
        return None
    _hold_head(found)
    return user


def _user_of(values: tuple) -> User:
    """The signed-in user of this request's session, as its row in the signed-in statement reads
    (`values`: the user's columns, then its department's). The user already in the session (an
    earlier load in the same session) is that user, as a query's would be. Else the thread's user of
    an earlier request when it still holds what the row reads and nothing was loaded into it,
    changed or expired since: attached to this session, it is what a load would give, without the
    ORM building it again (issue 24: the signed-in floor; the row itself is still read on every
    request, so an ended session, a deactivation or a changed role counts at once). Else it is built
    from the row, the columns it did not read (the password hash, the MAC, the second factor's, the
    lockout counters) left to load when touched."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import make_transient_to_detached
    from sqlalchemy.orm.util import identity_key
    session = db.session()
    present = session.identity_map.get(identity_key(User, values[0]))
    if present is not None:
        return present
    user_values, department_values = values[:len(SIGNED_IN_COLUMNS)], values[len(SIGNED_IN_COLUMNS):]
    department = session.identity_map.get(identity_key(Department, department_values[0]))
    kept_users = _kept_users.__dict__.setdefault("by_id", {})
    kept = kept_users.pop(values[0], None)
    if kept is not None and department is None and _unchanged(*kept, user_values, department_values):
        kept_users[values[0]] = kept  # the most recently used last
        session.add(kept[0])  # with its department
        return kept[0]
    if department is None:
        department = Department(**dict(zip(DEPARTMENT_COLUMNS, department_values)))
        make_transient_to_detached(department)
    user = User(**dict(zip(SIGNED_IN_COLUMNS, user_values)), department=department)
    make_transient_to_detached(user)  # as if loaded: no change to flush, the other columns unloaded
    session.add(user)
    if len(kept_users) >= KEPT_USERS:
        kept_users.pop(next(iter(kept_users)))
    kept_users[values[0]] = (user, frozenset(inspect(user).unloaded))
    return user


def forget_kept_users() -> None:
    """Drop this thread's kept users (tests, whose databases start again between them)."""
    _kept_users.__dict__.pop("by_id", None)


def _unchanged(user: User, unloaded: frozenset, user_values: tuple, department_values: tuple) -> bool:
    """The kept user is detached (its request's session closed) and holds what its row reads now, in
    it and in its department, with nothing changed, loaded or expired since it was built (a change
    flushed but neither committed nor rolled back would show here as a value the row does not read)."""
    from sqlalchemy import inspect
    state = inspect(user)
    department = inspect(state.dict.get("department"), raiseerr=False)
    return (state.detached and not state.modified and state.unloaded == unloaded
            and department is not None and department.detached and not department.modified
            and not department.unloaded
            and tuple(state.dict.get(name) for name in SIGNED_IN_COLUMNS) == user_values
            and tuple(department.dict.get(name) for name in DEPARTMENT_COLUMNS) == department_values)


def _head_column(column):
    """A column of the history's head (its seq or hash) beside what a statement reads."""
    from ..models import ChainHead
    return select(column).where(ChainHead.id == 1).scalar_subquery().label(column.key)


def _reading_endpoint() -> tuple[str, int] | None:
    """The endpoint of this GET or HEAD and its route's project, when it reads the project with the
    signed-in user."""
    if not has_request_context() or request.method not in ("GET", "HEAD") or request.endpoint not in WITH_SIGNED_IN:
        return None
    project_id = (request.view_args or {}).get("project_id")
    return (request.endpoint, project_id) if isinstance(project_id, int) else None


def read_with_user(endpoint: str, project_id: int) -> tuple | None:
    """What the signed-in user's statement read for `endpoint`'s project `project_id` (its columns,
    the project None when absent), once; None when it read nothing for them."""
    held = request.environ.pop(READ_WITH_USER, None) if has_request_context() else None
    return held[2] if held is not None and held[:2] == (endpoint, project_id) else None


def _hold_head(found) -> None:
    """The history's head a user's or a token's statement read beside it, held as the request's data
    version (alerts.dashboard.held_head: for GET and HEAD only); with no history yet it reads as NULL,
    and is read (and found absent) where it is asked for."""
    if found.seq is not None:
        from ..alerts.dashboard import held_head
        held_head(found)


def signed_in_user(user_id: str, key: str | None) -> User | None:
    """Flask-Login's user_loader: the user whose cookie carries a live server-side session, with
    `unread` set. (A cookie without the session's key signs nobody in; it is still asked of the
    database like any other, so that an outage answers 503 alike.)"""
    try:
        number = int(user_id)
    except (TypeError, ValueError):
        return None
    reading = _reading_endpoint()
    params = {"user_id": number, "key_hash": _digest(key or ""), "now": session_clock()}
    if reading is None:  # columns alone: a Core statement on the session's connection
        found = db.session.connection().execute(_signed_in_statement(), params).first()
    else:  # with the route's project, an entity: through the session
        found = db.session.execute(_signed_in_statement(reading[0]), {**params, "project_id": reading[1]}).first()
    if found is None:
        return None
    user = _signed_in_from(found, "web")
    if user is None:
        return None
    user.unread = found.unread
    if reading is not None:  # for the scope check, which still decides on it (auth.access.load_project)
        request.environ[READ_WITH_USER] = (*reading, tuple(found[len(_signed_in_statement().selected_columns):]))
    return user


@transactional
def sign_out(user: User) -> None:
    """Logout ends every session and token of the user (issue 15: a copy of a cookie, or a token
    taken from this person, must not outlive the person's own sign-out)."""
    _end_everything(user, "logout")
    history.record(user, "logout", channel="web")


@transactional
def end_session(user: User, key: str | None = None, session_id: int | None = None) -> bool:
    """End one of the user's own sessions, by the cookie's key (logout) or by its id (the sessions
    page); False when there was no such live session."""
    where = LoginSession.key_hash == _digest(key) if key else LoginSession.id == session_id
    ended = db.session.execute(update(LoginSession).where(
        where, LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)).values(ended_at=session_clock())
        .execution_options(synchronize_session=False)).rowcount
    if ended:
        history.record(user, "end_session", channel="web", reason="logout" if key else "ended_by_user")
    return bool(ended)


@transactional
def end_other_sessions(user: User, key: str | None) -> None:
    """The sessions page's 'end all others': every other session and token of the user."""
    _end_everything(user, "ended_by_user", keep_session=key)
    history.record(user, "end_session", channel="web", reason="ended_all_others")


def live_sessions(user: User) -> tuple[list[LoginSession], list[ApiToken]]:
    sessions = db.session.execute(select(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None), LoginSession.expires_at > session_clock())
        .order_by(LoginSession.created_at.desc())).scalars().all()
    tokens = db.session.execute(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > clock.now())
        .order_by(ApiToken.created_at.desc())).scalars().all()
    return sessions, tokens


def is_current(row: LoginSession, key: str | None) -> bool:
    return bool(key) and row.key_hash == _digest(key)


@transactional
def issue_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    days = current_app.config["GOVIT_TOKEN_DAYS"]
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), created_at=clock.now(),
                            expires_at=clock.now() + timedelta(days=days)))
    return token


@transactional
def revoke_token(user: User, token: str | None = None, token_id: int | None = None) -> bool:
    """Revoke one of the user's own tokens: the one sent (DELETE /auth/token) or one by id."""
    where = ApiToken.token_hash == _digest(token) if token else ApiToken.id == token_id
    revoked = db.session.execute(update(ApiToken).where(
        where, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=clock.now())
        .execution_options(synchronize_session=False)).rowcount
    if revoked:
        history.record(user, "revoke_token", channel="api" if token else "web")
    return bool(revoked)


_token_query = None


def _token_statement():
    """The live token's user, its department, the account's stored MAC and the history's head, in
    one Core statement built once, with the same columns as the signed-in statement's, so that the
    user is the thread's kept one as a web request's is (issue 24: the API's floor; an API GET holds
    the head as a web page does, and what is kept by it serves it). A revoked or expired token (one
    whose expiry is before now) reads no row."""
    global _token_query
    if _token_query is None:
        from sqlalchemy import bindparam
        _token_query = (_user_row().join(ApiToken, ApiToken.user_id == User.id)
                        .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
                               ApiToken.expires_at >= bindparam("now")))
    return _token_query


def user_for_token(token: str) -> User | None:
    found = db.session.connection().execute(
        _token_statement(), {"token_hash": _digest(token), "now": clock.now()}).first()
    return None if found is None else _signed_in_from(found, "api")  # 访问控制信息完整性 (CRYPTO.md), as for the web
