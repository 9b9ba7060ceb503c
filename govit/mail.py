"""Mail through GOVIT_SMTP_URL, sent only after the transaction that decided it commits.

A mail is a courtesy copy of what the in-app inbox already holds (R-NOTIFY), so it can never undo or
fail a decision: its headers are built so that no name can break them (a project name with CR/LF
once made every later mail-sending action answer 500 after it had committed, issue 15), and a mail
that cannot be sent is logged and kept in `mail_outbox`, which the deadline scan retries.
"""
import logging
import re
import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from . import clock

log = logging.getLogger(__name__)
OUTBOX = "govit_outbox"
MAX_ATTEMPTS = 10  # about ten days of daily scans; then it stays in the table, marked, for the admin
SUBJECT_LENGTH = 120
_BREAKS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")  # CR, LF and every other control character
_ADDRESS = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+")


def header_text(value: str, limit: int = SUBJECT_LENGTH) -> str:
    """One line of header text: line breaks and control characters become one space."""
    return _BREAKS.sub(" ", value or "").strip()[:limit]


def plain_address(value: str | None) -> str | None:
    """The address if it is a single plain address (nothing that could add a header); else None."""
    value = (value or "").strip()
    return value if _ADDRESS.fullmatch(value) else None


def queue(session: Session, to: str, subject: str, body: str) -> None:
    """Hold a message until the session commits; a rollback drops it."""
    url = current_app.config.get("GOVIT_SMTP_URL")
    if not to or not url:
        return
    address = plain_address(to)
    if address is None:
        log.warning("mail not queued: %r is not a plain address", to)
        return
    session.info.setdefault(OUTBOX, []).append(
        (address, header_text(subject), body, url, current_app.config["GOVIT_MAIL_FROM"]))


def send(url: str, sender: str, to: str, subject: str, body: str) -> None:
    parts = urlsplit(url)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, header_text(subject)
    message.set_content(body)
    with smtplib.SMTP(parts.hostname or "localhost", parts.port or 25, timeout=10) as smtp:
        if parts.username:
            smtp.login(parts.username, parts.password or "")
        smtp.send_message(message)


def _keep(session: Session, failed: list[dict]) -> None:
    """Store mail that could not be sent, on a connection of its own (the decision is committed)."""
    from .models import PendingMail
    try:
        with session.get_bind().begin() as conn:
            conn.execute(insert(PendingMail), failed)
    except Exception:  # noqa: BLE001  the inbox has the message; the log says what was lost
        log.exception("mail could not be kept for a retry: %s", [m["recipient"] for m in failed])


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    failed = []
    for to, subject, body, url, sender in session.info.pop(OUTBOX, []):
        try:
            send(url, sender, to, subject, body)
        except Exception as exc:  # noqa: BLE001  never an error for a committed decision
            log.warning("mail to %s failed, kept for the scan to retry: %s", to, exc)
            failed.append({"recipient": to, "subject": subject, "body": body, "created_at": clock.now(),
                           "attempts": 1, "last_error": str(exc)[:500]})
    if failed:
        _keep(session, failed)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(OUTBOX, None)


def retry_pending() -> tuple[int, int]:
    """Send again what could not be sent (the deadline scan calls this): (sent, still failing)."""
    from .extensions import db
    from .models import PendingMail
    url, sender = current_app.config.get("GOVIT_SMTP_URL"), current_app.config["GOVIT_MAIL_FROM"]
    if not url:
        return 0, 0
    waiting = db.session.execute(select(PendingMail).where(
        PendingMail.sent_at.is_(None), PendingMail.attempts < MAX_ATTEMPTS).order_by(PendingMail.id)).scalars().all()
    sent = failing = 0
    for mail in waiting:
        values = {"attempts": mail.attempts + 1}
        try:
            send(url, sender, mail.recipient, mail.subject, mail.body)
            values["sent_at"], sent = clock.now(), sent + 1
        except Exception as exc:  # noqa: BLE001
            values["last_error"], failing = str(exc)[:500], failing + 1
            log.warning("mail to %s failed again (attempt %s): %s", mail.recipient, values["attempts"], exc)
        db.session.execute(update(PendingMail).where(PendingMail.id == mail.id).values(values))
        db.session.commit()  # one by one: a crash half-way never sends a mail twice
    return sent, failing
