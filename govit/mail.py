"""Mail through GOVIT_SMTP_URL, sent only after the transaction that decided it commits."""
import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
OUTBOX = "govit_outbox"


def queue(session: Session, to: str, subject: str, body: str) -> None:
    """Hold a message until the session commits; a rollback drops it."""
    if to and current_app.config.get("GOVIT_SMTP_URL"):
        session.info.setdefault(OUTBOX, []).append((to, subject, body, current_app.config["GOVIT_SMTP_URL"],
                                                    current_app.config["GOVIT_MAIL_FROM"]))


def send(url: str, sender: str, to: str, subject: str, body: str) -> None:
    parts = urlsplit(url)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(body)
    with smtplib.SMTP(parts.hostname or "localhost", parts.port or 25, timeout=10) as smtp:
        if parts.username:
            smtp.login(parts.username, parts.password or "")
        smtp.send_message(message)


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    for to, subject, body, url, sender in session.info.pop(OUTBOX, []):
        try:
            send(url, sender, to, subject, body)
        except (OSError, smtplib.SMTPException) as exc:  # the in-app inbox already has it
            log.warning("mail to %s failed: %s", to, exc)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(OUTBOX, None)
