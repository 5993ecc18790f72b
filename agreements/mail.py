"""Outgoing mail: password-reset and invitation links.

Mail goes through the SMTP server named by the environment (SMTP_HOST, SMTP_PORT,
SMTP_USER, SMTP_PASSWORD, MAIL_SENDER; STARTTLS whenever the server offers it). An
instance with no SMTP_HOST still works: the message, link included, is written to the
application log at WARNING level so the administrator can pass it on by hand.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app, has_app_context, has_request_context, url_for

fallback_log = logging.getLogger("agreements.mail")


@dataclass(frozen=True)
class Message:
    """One plain-text email."""

    to: str
    subject: str
    body: str


def absolute_url(endpoint: str, **values: object) -> str:
    """A link for an email: under PUBLIC_URL when configured, else the request's own host."""
    base = current_app.config.get("PUBLIC_URL", "")
    if not base and has_request_context():
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base or "http://localhost")
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def send(message: Message) -> None:
    """Send by SMTP, or log the message when no SMTP server is configured."""
    config = current_app.config if has_app_context() else {}
    host = config.get("MAIL_SMTP_HOST", "")
    if not host:
        logger = current_app.logger if has_app_context() else fallback_log
        logger.warning(
            "No SMTP_HOST configured; email to %s not sent.\nSubject: %s\n\n%s",
            message.to,
            message.subject,
            message.body,
        )
        return
    email = EmailMessage()
    email["From"] = config.get("MAIL_SENDER", "accord@localhost")
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    try:
        with smtplib.SMTP(host, config.get("MAIL_SMTP_PORT", 587), timeout=20) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls()
                smtp.ehlo()
            if config.get("MAIL_SMTP_USER"):
                smtp.login(config["MAIL_SMTP_USER"], config.get("MAIL_SMTP_PASSWORD", ""))
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException):
        # The person is told the same thing either way; the administrator sees why.
        current_app.logger.exception("Could not send email to %s via %s", message.to, host)


def send_password_reset(to: str, name: str, link: str) -> None:
    """The reset link, valid for one hour and one use."""
    send(
        Message(
            to,
            "Reset your Accord password",
            f"Hello {name},\n\nSomeone (we hope you) asked to reset your Accord password. "
            f"Open this link within one hour to choose a new one:\n\n{link}\n\n"
            "If you did not ask, ignore this email: your password stays as it is.\n",
        )
    )


def send_invitation(to: str, community_name: str, inviter_name: str, link: str) -> None:
    """An invitation to join a community, valid for seven days and one use."""
    send(
        Message(
            to,
            f"You are invited to {community_name} on Accord",
            f"Hello,\n\n{inviter_name} invites you to take part in {community_name}, "
            "where the community drafts and decides its shared agreement together.\n\n"
            f"Open this link within seven days to join:\n\n{link}\n",
        )
    )
