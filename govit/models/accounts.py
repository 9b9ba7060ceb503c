"""Departments, users and API tokens."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from ..extensions import db
from ..passwords import check_password, hash_password


class Department(db.Model):
    __tablename__ = "department"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    is_authority: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))  # alert and decision mail (GOVIT_SMTP_URL)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    must_change_password: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)  # consecutive failures, for the lockout
    locked_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # 访问控制信息完整性 (CRYPTO.md): HMAC-SM3 under GOVIT_AUDIT_KEY over username, role, department
    # and status, recomputed by every change through govit (govit.integrity); a raw edit is refused
    integrity_mac: Mapped[str | None] = mapped_column(String(64))
    # 身份鉴别 second factor: the TOTP secret sealed under the document KEK, the recovery codes' SM3
    totp_secret: Mapped[str | None] = mapped_column(String(200))
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    totp_last_step: Mapped[int | None]  # a code is accepted once (RFC 6238 §5.2)
    recovery_codes: Mapped[str | None] = mapped_column(Text)  # JSON list of unused codes' SM3
    department: Mapped[Department] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def set_password(self, password: str, method: str = "pbkdf2-sm3") -> None:
        self.password_hash = hash_password(password, method)

    def check_password(self, password: str) -> bool:
        return check_password(self.password_hash, password)


class ApiToken(db.Model):
    """Only the sha256 of a token is stored: a leaked table gives no working token."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]  # DELETE /auth/token, a password change, a reset, deactivation
    user: Mapped[User] = relationship(lazy="joined")


class LoginSession(db.Model):
    """One signed-in web session, kept on the server so that it can be listed and ended (ASVS V3.3).

    The cookie carries a random key; only its sha256 is stored. A session ends at logout, when the
    user ends it on the sessions page, at a password change, reset, role change or deactivation, and
    at the latest GOVIT_SESSION_HOURS after sign-in (the absolute lifetime)."""

    __tablename__ = "login_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    agent: Mapped[str | None] = mapped_column(String(200))


class LoginThrottle(db.Model):
    """Failed sign-ins of a name that is no account: counted and locked like an account's, so that
    an unknown name gets the same answers, the lockout message included (no enumeration)."""

    __tablename__ = "login_throttle"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
