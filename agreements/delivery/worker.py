"""The worker: closes due rounds, queues digests and delivers the outbox, pass after pass.

`flask --app wsgi worker` runs passes until SIGTERM or Ctrl-C (finishing the message in
flight); `--once` runs one pass and exits (cron, tests). Each pass acts on due deadlines
exactly as `flask rounds close-due` does, then sends every due mail one at a time: claim
(committed), send, mark sent (committed); last, it records the rounds whose announcement
is now delivered (a lazy round's deadline counts from then). A worker killed between claim
and mark leaves a row that is sent again after its lease, so at most the message in flight
is sent twice and none is lost. Without SMTP_HOST, sending means keeping the message on
the outbox row (the administrator's mail page) and writing it to the log.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlmodel import Session

from .. import services
from ..errors import DomainError
from ..mail import has_smtp, transmit
from ..models import OutboxMail, utcnow
from ..services import announcements, outbox
from ..services.queries.mail import mail_content
from ..storage.sessions import get_engine
from .messages import build

log = logging.getLogger("agreements.worker")
NOT_KEPT = "(An invitation link is not kept once it was sent.)"


@dataclass
class PassResult:
    """What one pass did."""

    moved: int = 0
    digests: int = 0
    sent: int = 0
    failed: int = 0
    announced: int = 0


def open_session() -> Session:
    """A new session on the app's database (the scheduler opens one per item)."""
    return Session(get_engine(), expire_on_commit=False)


def close_due(now: datetime | None = None) -> int:
    """Act on what is due exactly as `flask rounds close-due` does; returns rounds moved."""
    report = services.run_due(open_session, now)
    for failure in report.failed:
        log.warning("The scheduler could not finish: %s", failure)
    return len(report.moved)


def deliver(session: Session, mail: OutboxMail, now: datetime | None = None) -> bool:
    """Render and send one claimed mail; record the outcome. True when it was sent."""
    try:
        rendered = build(mail_content(session, mail))
        if has_smtp():
            transmit(rendered.email)
        else:
            # One line each: the text is on /admin/mail, and a newcomer's terminal stays readable.
            current_app.logger.warning(
                "No SMTP_HOST configured; email to %s kept at /admin/mail: %s",
                mail.to_address,
                rendered.subject,
            )
    except (OSError, smtplib.SMTPException) as error:
        reason = f"{type(error).__name__}: {error}"
        status = outbox.mark_unsent(session, mail, error=reason, now=now or utcnow())
        log.warning("Mail %s to %s not sent (%s): %s", mail.id, mail.to_address, status, error)
        return False
    text, html = rendered.text, rendered.html
    secret = mail.kind == "invitation" and has_smtp()
    if secret:
        text = html = NOT_KEPT  # the link is a credential: the recipient's mailbox keeps it
    outbox.mark_sent(
        session,
        mail,
        subject=rendered.subject,
        text=text,
        html=html,
        now=now or utcnow(),
        forget_context=secret,
    )
    return True


def announce_delivered(session: Session, now: datetime | None = None) -> int:
    """Record every round whose announcement mails were all delivered; returns how many."""
    system = services.system_actor(session)
    session.commit()
    announced = 0
    for round_id in announcements.rounds_to_announce(session):
        try:
            announcements.announce_round(session, system, round_id=round_id, now=now)
            announced += 1
        except DomainError as error:  # closed or re-queued meanwhile: the next pass sees
            log.info("Round %s not announced: %s", round_id, error.message)
    return announced


def run_pass(stop: threading.Event | None = None, now: datetime | None = None) -> PassResult:
    """One pass: due rounds, digests, then every due mail (stopping early if asked)."""
    result = PassResult()
    result.moved = close_due(now)
    with open_session() as session:
        result.digests = outbox.queue_digests(session, now or utcnow())
        while stop is None or not stop.is_set():
            mail = outbox.claim_next(session, now or utcnow())
            if mail is None:
                break
            if deliver(session, mail, now):
                result.sent += 1
            else:
                result.failed += 1
        result.announced = announce_delivered(session, now)
        outbox.record_run(
            session, sent=result.sent, failed=result.failed, moved=result.moved, now=utcnow()
        )
    return result


def run_forever(stop: threading.Event, interval: float) -> None:
    """Pass after pass until `stop` is set; a pass that crashes is logged, not fatal."""
    while not stop.is_set():
        try:
            run_pass(stop)
        except Exception:  # keep the worker alive; the admin page shows it stalling
            log.exception("The worker's pass failed; trying again in %s seconds", interval)
        stop.wait(interval)
