"""The second factor (CRYPTO.md 身份鉴别): TOTP (RFC 6238) with one-time recovery codes.

The TOTP secret is stored sealed with SM4-GCM under the document KEK (never in clear in the
database); a code is accepted once (its time step is kept) and within one step of drift; a wrong
code counts toward the same lockout as a wrong password."""
import json
import time

from flask import current_app
from sqlalchemy import select

from .. import clock, gm, history, keys
from ..domain.errors import InvalidInput
from ..domain.second_factor import second_factor_required
from ..extensions import db
from ..models import User
from ..transaction import lock_for_update, transactional


def now() -> float:
    """The wall clock codes are checked against (tests replace it with a fixed time)."""
    return time.time()


def required(user: User) -> bool:
    return second_factor_required(user.role, current_app.config.get("GOVIT_2FA_REQUIRED", False))


def _context(user: User) -> str:
    return f"govit-totp|{user.username}"


def _seal(user: User, secret: str) -> str:
    kid, kek = keys.current_kek()
    return f"{kid}${gm.wrap(kek, secret.encode(), _context(user))}"


def secret_of(user: User) -> str:
    kid, wrapped = user.totp_secret.split("$", 1)
    return gm.unwrap(keys.kek_for(kid), wrapped, _context(user)).decode()


def reseal(user: User) -> bool:
    """Re-wrap the secret under the current KEK (govit keys rotate); True when it changed."""
    kid, _ = keys.current_kek()
    if not user.totp_secret or user.totp_secret.startswith(kid + "$"):
        return False
    user.totp_secret = _seal(user, secret_of(user))
    return True


@transactional
def begin(user: User) -> str:
    """A new secret for the user to scan; not in force until confirmed with a code."""
    user = db.session.get(User, user.id)
    lock_for_update(user)
    if user.totp_enabled:
        raise InvalidInput({"code": "动态口令已启用"})
    secret = gm.new_totp_secret()
    user.totp_secret = _seal(user, secret)
    return secret


@transactional
def confirm(user: User, code: str) -> list[str]:
    """Turn the second factor on with the first code; returns the recovery codes, shown once."""
    user = db.session.get(User, user.id)
    lock_for_update(user)
    if not user.totp_secret or user.totp_enabled:
        raise InvalidInput({"code": "请先生成新的动态口令密钥"})
    step = gm.totp_step(secret_of(user), code, now())
    if step is None:
        raise InvalidInput({"code": "动态口令不正确：请输入验证器当前显示的 6 位数字（并核对手机时间）"})
    codes = gm.new_recovery_codes()
    user.totp_enabled, user.totp_last_step = True, step
    user.recovery_codes = json.dumps([gm.recovery_digest(c) for c in codes])
    history.record(user, "enable_second_factor", username=user.username, method="totp")
    return codes


def check(user: User, code: str) -> str | None:
    """'totp' or 'recovery' when `code` is a fresh TOTP code or an unused recovery code (used up
    here, inside the caller's transaction), None otherwise."""
    code = (code or "").strip()
    step = gm.totp_step(secret_of(user), code, now())
    if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
        user.totp_last_step = step
        return "totp"
    left = json.loads(user.recovery_codes or "[]")
    digest = gm.recovery_digest(code)
    if digest in left:
        left.remove(digest)
        user.recovery_codes = json.dumps(left)
        return "recovery"
    return None


def verify_for_sign_in(user_id: int, code: str, channel: str) -> tuple[User | None, str]:
    """The second step of a sign-in: counted like a password (lockout), recorded either way."""
    from . import services
    if services._reserve_check(User, User.id == user_id, clock.now()) is None:
        until = db.session.execute(select(User.locked_until).where(User.id == user_id)).scalar_one_or_none()
        return None, services._locked_message(until)
    return _conclude(user_id, code, channel)


@transactional
def _conclude(user_id: int, code: str, channel: str) -> tuple[User | None, str]:
    user = db.session.get(User, user_id)
    lock_for_update(user)
    how = check(user, code) if user.totp_enabled else None
    if how is None:
        history.record(user, "login_failed", channel=channel, reason="second_factor")
        return None, "动态口令不正确或已使用过，请输入验证器当前的 6 位数字或一个未用过的恢复码"
    user.failed_logins, user.locked_until = 0, None
    history.record(user, "second_factor", channel=channel, method=how)
    return user, ""


def uri(user: User, secret: str) -> str:
    return gm.provisioning_uri(secret, user.username, "govit")


QR_TITLE = "用身份验证器扫描此二维码"


def qr_svg(otpauth_uri: str) -> str:
    """The enrolment QR code of `otpauth_uri` as inline SVG markup (CRYPTO.md 身份鉴别, issue 23):
    drawn here with segno, in memory — no JavaScript, no outside request, no file on disk, nothing
    logged. A viewBox and no fixed size, so the `qr-code` class in govit.css scales it (tablets)."""
    import segno
    return segno.make(otpauth_uri, error="m").svg_inline(
        scale=4, border=4, omitsize=True, title=QR_TITLE, svgclass="qr-code", dark="#000", light="#fff")
