"""访问控制信息完整性 (CRYPTO.md): each account's username, role, department and status carry an
HMAC-SM3 under GOVIT_AUDIT_KEY, which is not in the database. Every change made through govit
(create-user, the security administrator's pages, reset-password, demo, the migration) recomputes
it through the listener below; a role or department written into the database directly does not
match, and that account cannot sign in (auth.services.sign_in) and is reported to the security
administrator and the auditor. The MAC is checked on every signed-in request too (web session and
API token, auth.services.signed_in_user / user_for_token): an account altered while signed in is
signed out at its next request and reported once."""
import hmac
from functools import lru_cache

from flask import current_app
from sqlalchemy import event as orm_event, inspect, select
from sqlalchemy.orm import Session

from . import gm, history
from .extensions import db
from .models import User

COVERED = ("username", "role", "department_id", "active")
REPORT_TO = ("security_admin", "auditor")


@lru_cache(maxsize=4096)  # a pure function of its arguments, asked on every signed-in request
def account_mac(key: str, username: str, role: str, department_id: int, active: bool) -> str:
    message = gm.canonical({"govit": "account-v1", "username": username, "role": role,
                            "department_id": department_id, "active": bool(active)})
    return gm.hmac_sm3(key.encode(), message)


def mac_of(user: User) -> str:
    return account_mac(history.audit_key(), user.username, user.role, user.department_id, user.active)


def matches(user: User, mac: str | None) -> bool:
    """`mac` (the account's stored MAC) against the account's covered columns: one HMAC-SM3, no query."""
    return bool(mac) and hmac.compare_digest(mac, mac_of(user))


def intact(user: User) -> bool:
    return matches(user, user.integrity_mac)


@orm_event.listens_for(Session, "before_flush")
def _reseal_changed_accounts(session: Session, flush_context, instances) -> None:
    """Only an account whose covered columns this session changed is sealed again: an account
    tampered with outside govit keeps its wrong MAC whatever else govit later writes to it."""
    if not current_app:
        return
    for user in list(session.new) + list(session.dirty):
        if not isinstance(user, User):
            continue
        state = inspect(user)
        if user in session.new or any(state.attrs[name].history.has_changes() for name in COVERED):
            user.integrity_mac = mac_of(user)


def report(user: User, channel: str, signed_in: bool = False) -> None:
    """Tell the security administrators and auditors, inside the caller's transaction: a refused
    sign-in, or (`signed_in`) an account found altered while signed in, whose sessions and tokens ended."""
    done = "已强制其退出登录、撤销其全部会话和令牌" if signed_in else "已拒绝其登录"
    message = (f"账号“{user.username}”的角色、部门或状态与完整性校验值（HMAC-SM3）不符，疑被直接改动数据库；"
               f"{done}（{channel}），请核查并由安全管理员重新设定该账号")
    readers = db.session.execute(select(User).where(User.role.in_(REPORT_TO), User.active.is_(True))).scalars()
    history.tell_users([u for u in readers if intact(u)], None, message, "alert")


def broken_accounts() -> list[User]:
    return [u for u in db.session.execute(select(User).order_by(User.id)).scalars() if not intact(u)]
