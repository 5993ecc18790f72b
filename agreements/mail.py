"""Outgoing mail: the SMTP transport, and password-reset links sent at once.

Everything else (notifications, digests, invitations) goes through the outbox
(services/outbox.py) and the worker (delivery/), which use `transmit` here. Mail goes
through the SMTP server named by the environment (SMTP_HOST, SMTP_PORT, SMTP_USER,
SMTP_PASSWORD, MAIL_SENDER; STARTTLS whenever the server offers it). An instance with no
SMTP_HOST still works: a reset mail, link included, is written to the application log at
WARNING level, and the outbox keeps what it would have sent on the administrator's mail
page.
"""

from __future__ import annotations

import logging
import smtplib
from contextlib import nullcontext
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app, has_app_context, has_request_context, url_for
from flask_babel import force_locale

from .languages import INTERFACE_LANGUAGES
from .saying import say
from .wording import _

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


def has_smtp() -> bool:
    """Whether an SMTP server is configured (without one, the outbox keeps what it sends)."""
    return has_app_context() and bool(current_app.config.get("MAIL_SMTP_HOST"))


def transmit(email: EmailMessage) -> None:
    """Hand one message to the configured SMTP server; errors reach the caller (to retry)."""
    config = current_app.config
    host, port = config["MAIL_SMTP_HOST"], config.get("MAIL_SMTP_PORT", 587)
    with smtplib.SMTP(host, port, timeout=20) as smtp:
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls()
            smtp.ehlo()
        if config.get("MAIL_SMTP_USER"):
            smtp.login(config["MAIL_SMTP_USER"], config.get("MAIL_SMTP_PASSWORD", ""))
        smtp.send_message(email)


def sender() -> str:
    """The From address of every mail."""
    return current_app.config.get("MAIL_SENDER", "accord@localhost")


def send(message: Message) -> None:
    """Send at once by SMTP (password resets), or log the message when no SMTP server is set."""
    if not has_smtp():
        logger = current_app.logger if has_app_context() else fallback_log
        logger.warning(
            "No SMTP_HOST configured; email to %s not sent.\nSubject: %s\n\n%s",
            message.to,
            message.subject,
            message.body,
        )
        return
    email = EmailMessage()
    email["From"] = sender()
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    try:
        transmit(email)
    except (OSError, smtplib.SMTPException):
        # The person is told the same thing either way; the administrator sees why.
        current_app.logger.exception("Could not send email to %s", message.to)


def send_password_reset(to: str, name: str, link: str, language: str | None = None) -> None:
    """The reset link, valid for one hour and one use, in the person's own language when
    they chose one (else the language of the page they asked from)."""
    chosen = force_locale(language) if language in INTERFACE_LANGUAGES else nullcontext()
    with chosen:
        subject = say(_("Reset your Accord password"))
        body = say(
            _(
                "Hello %(name)s,\n\nSomeone (we hope you) asked to reset your Accord password. "
                "Open this link within one hour to choose a new one:\n\n%(link)s\n\n"
                "If you did not ask, ignore this email: your password stays as it is.\n",
                name=name,
                link=link,
            )
        )
    send(Message(to, subject, body))
