"""The mail outbox: queueing emails in the caller's transaction, and the worker's side of it.

A mail row is `pending` until a worker claims it: claiming marks it `sending` with a lease
(`next_attempt_at` moves to the end of the lease) and commits, so two workers never take
the same row (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises)
and a worker killed mid-send leaves a row that another pass takes again after the lease.
A failed send goes back to `pending` with an exponential backoff, and to `failed` after
the last try. Rendering and SMTP live above this layer (agreements/delivery/).

What a mail says is gathered by queries/mail.py; what happens once a round's mails are all
delivered is announcements.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..models import (
    Notification,
    NotificationPreference,
    OutboxMail,
    User,
    WorkerRun,
    utcnow,
)
from ._unit import lock

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 6


def backoff(attempts: int) -> timedelta:
    """How long to wait after the n-th failed try: 1, 2, 4, 8, 16 minutes."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


# --- queueing ----------------------------------------------------------------------------


def preference(session: Session, user_id: int, community_id: int) -> NotificationPreference:
    """The person's setting for the community (the default, unsaved, if they never chose)."""
    found = session.exec(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user_id,
            NotificationPreference.community_id == community_id,
        )
    ).first()
    return found or NotificationPreference(user_id=user_id, community_id=community_id)


# Asked at every write that tells someone: built once, with its values as parameters.
_QUIET = select(NotificationPreference.user_id).where(
    NotificationPreference.community_id == bindparam("community_id"),
    col(NotificationPreference.user_id).in_(bindparam("ids", expanding=True)),
    NotificationPreference.delivery != "each",
)


def emailed(session: Session, community_id: int | None, user_ids: Iterable[int]) -> list[int]:
    """Which of these people want an email for each notification from the community."""
    wanted = sorted(user_ids)
    if community_id is None or not wanted:
        return wanted
    quiet = set(session.exec(_QUIET, params={"community_id": community_id, "ids": wanted}))
    return [user_id for user_id in wanted if user_id not in quiet]


def mail_values(
    *,
    recipient_id: int | None,
    to_address: str,
    kind: str,
    community_id: int | None = None,
    proposal_id: int | None = None,
    round_id: int | None = None,
    notification_id: int | None = None,
    context: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Every column of one queued mail, so that many can be inserted in one statement."""
    now = now or utcnow()
    return {
        "recipient_id": recipient_id,
        "to_address": to_address,
        "community_id": community_id,
        "proposal_id": proposal_id,
        "round_id": round_id,
        "notification_id": notification_id,
        "kind": kind,
        "context": json.dumps(context or {}),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "message_id": uuid.uuid4().hex,
        "subject": "",
        "body_text": "",
        "body_html": "",
        "created_at": now,
    }


def queue_mail(
    session: Session, user: User | None, *, to_address: str | None = None, **what: Any
) -> OutboxMail:
    """Queue one email in the caller's transaction; the worker renders and sends it.

    `what` is `mail_values`' other keywords (kind, community_id, context...)."""
    address = to_address or (user.email if user else "")
    mail = OutboxMail(
        **mail_values(recipient_id=user.id if user else None, to_address=address, **what)
    )
    session.add(mail)
    return mail


def queue_mails(session: Session, mails: list[dict[str, Any]]) -> None:
    """Queue many emails (each from `mail_values`) in one INSERT, in the caller's
    transaction: an event that tells a hundred members costs one statement, not a hundred
    ORM objects."""
    if mails:
        session.execute(OutboxMail.__table__.insert(), mails)  # type: ignore[attr-defined]


# --- the worker's side -------------------------------------------------------------------


def claim_next(session: Session, now: datetime, lease: timedelta = LEASE) -> OutboxMail | None:
    """Take the oldest due mail (or one whose lease ran out) for this worker, and commit."""
    mail = session.exec(
        select(OutboxMail)
        .where(
            col(OutboxMail.status).in_(("pending", "sending")),
            col(OutboxMail.next_attempt_at) <= now,
        )
        .order_by(col(OutboxMail.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if mail is not None:
        mail.status = "sending"
        mail.attempts += 1
        mail.next_attempt_at = now + lease
        session.add(mail)
    session.commit()
    return mail


def mark_sent(
    session: Session,
    mail: OutboxMail,
    *,
    subject: str,
    text: str,
    html: str,
    now: datetime,
    forget_context: bool = False,
) -> None:
    """Keep what was sent, as the recipient got it (the administrator's mail page).

    `forget_context` drops what the mail was built from (an invitation's token) once it
    left for the recipient's mailbox."""
    mail = lock(session, OutboxMail, mail.id)  # type: ignore[arg-type]
    mail.status, mail.sent_at, mail.last_error = "sent", now, ""
    if forget_context:
        mail.context = "{}"
    mail.subject, mail.body_text, mail.body_html = subject, text, html
    session.add(mail)
    session.commit()


def mark_unsent(session: Session, mail: OutboxMail, *, error: str, now: datetime) -> str:
    """A try failed: retry later with backoff, or give up after the last try."""
    mail = lock(session, OutboxMail, mail.id)  # type: ignore[arg-type]
    mail.last_error = error[:2000]
    if mail.attempts >= MAX_ATTEMPTS:
        mail.status = "failed"
    else:
        mail.status, mail.next_attempt_at = "pending", now + backoff(mail.attempts)
    session.add(mail)
    session.commit()
    return mail.status


def _local_slot(pref: NotificationPreference, now: datetime) -> datetime:
    try:
        zone = ZoneInfo(pref.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    slot = local.replace(hour=pref.digest_hour, minute=0, second=0, microsecond=0)
    if slot > local:
        slot -= timedelta(days=1)
    return slot.astimezone(UTC)


def queue_digests(session: Session, now: datetime) -> int:
    """Queue today's digest for everyone whose chosen hour has come; returns how many."""
    prefs = session.exec(
        select(NotificationPreference)
        .where(NotificationPreference.delivery == "digest")
        .with_for_update(skip_locked=True)
    ).all()
    queued = 0
    for pref in prefs:
        slot = _local_slot(pref, now)
        if pref.last_digest_at is not None and pref.last_digest_at >= slot:
            continue
        since = pref.last_digest_at or slot - timedelta(days=1)
        ids = session.exec(
            select(Notification.id)
            .where(
                Notification.recipient_id == pref.user_id,
                Notification.community_id == pref.community_id,
                col(Notification.created_at) > since,
                col(Notification.created_at) <= now,
            )
            .order_by(col(Notification.id))
        ).all()
        pref.last_digest_at = now
        session.add(pref)
        user = session.get(User, pref.user_id)
        if ids and user is not None and user.is_active:
            queue_mail(
                session,
                user,
                kind="digest",
                community_id=pref.community_id,
                context={"notification_ids": list(ids)},
            )
            queued += 1
    session.commit()
    return queued


def record_run(session: Session, *, sent: int, failed: int, moved: int, now: datetime) -> None:
    """Remember the worker's last pass (one row) for the admin page; workers may race."""
    values = {"finished_at": now, "sent": sent, "failed": failed, "rounds_moved": moved}
    change = update(WorkerRun).where(col(WorkerRun.id) == 1).values(**values)
    if not session.execute(change).rowcount:  # type: ignore[attr-defined]
        try:
            session.add(WorkerRun(id=1, **values))
            session.commit()
            return
        except IntegrityError:  # another worker wrote the first row meanwhile
            session.rollback()
            session.execute(change)
    session.commit()
