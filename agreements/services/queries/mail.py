"""The read side of the outbox: what one mail says, and what the administrator sees."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ...languages import DEFAULT_LANGUAGE, DEFAULT_TIME_ZONE, INTERFACE_LANGUAGES
from ...models import (
    Community,
    Notification,
    OutboxMail,
    Proposal,
    Revision,
    Round,
    User,
    WorkerRun,
    utcnow,
)

STALE_WORKER = timedelta(minutes=10)


@dataclass
class MailContent:
    """What the worker needs to render one mail (no Flask here: it builds the links)."""

    mail: OutboxMail
    recipient_name: str
    community_name: str = ""
    community_slug: str = ""
    proposal_id: int | None = None
    proposal_title: str = ""
    notices: list[Notification] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    answer_round: tuple[int, str] | None = None  # an open consent round and its text's sha256
    language: str = DEFAULT_LANGUAGE  # the recipient's interface language
    time_zone: str = DEFAULT_TIME_ZONE  # where the recipient reads the dates


def mail_content(session: Session, mail: OutboxMail) -> MailContent:
    """Gather what `mail` says: its notification(s), community and proposal."""
    user = session.get(User, mail.recipient_id) if mail.recipient_id else None
    community = session.get(Community, mail.community_id) if mail.community_id else None
    proposal = session.get(Proposal, mail.proposal_id) if mail.proposal_id else None
    context = json.loads(mail.context or "{}")
    ids = context.get("notification_ids") or [mail.notification_id]
    notices = list(
        session.exec(
            select(Notification).where(col(Notification.id).in_(ids)).order_by(col(Notification.id))
        )
    )
    return MailContent(
        answer_round=_answerable(session, mail),
        mail=mail,
        recipient_name=user.display_name if user else "",
        community_name=community.name if community else "",
        community_slug=community.slug if community else "",
        proposal_id=proposal.id if proposal else None,
        proposal_title=proposal.title if proposal else "",
        notices=notices,
        context=context,
        language=mail_language(user, community),
        time_zone=user.time_zone if user else DEFAULT_TIME_ZONE,
    )


def mail_language(user: User | None, community: Community | None) -> str:
    """The language a mail speaks: the recipient's own, else their community's (an invitee
    has no account yet), else English; only a language the interface speaks."""
    for language in (user.language if user else None, community.language if community else None):
        if language in INTERFACE_LANGUAGES:
            return str(language)
    return DEFAULT_LANGUAGE


def _answerable(session: Session, mail: OutboxMail) -> tuple[int, str] | None:
    """The open consent round a mail announces, with the text now on the table."""
    round_ = session.get(Round, mail.round_id) if mail.round_id else None
    if round_ is None or round_.closed_at is not None or round_.kind != "consent":
        return None
    latest = session.exec(
        select(Revision.text_sha256)
        .where(Revision.proposal_id == round_.proposal_id)
        .order_by(col(Revision.number).desc())
        .limit(1)
    ).one()
    return round_.id, latest  # type: ignore[return-value]


@dataclass(frozen=True)
class OutboxStatus:
    """The worker's health as the admin page shows it."""

    last_run: WorkerRun | None
    pending: int
    due: int
    failed: Sequence[OutboxMail]
    rounds_due: int

    @property
    def is_stale(self) -> bool:
        """Something is due but the worker has not run for STALE_WORKER."""
        if not (self.due or self.rounds_due):
            return False
        return self.last_run is None or self.last_run.finished_at < utcnow() - STALE_WORKER


def outbox_status(session: Session, now: datetime | None = None) -> OutboxStatus:
    """Counts of pending and due mails, the failed ones, and the worker's last pass."""
    now = now or utcnow()

    def count(*where: Any) -> int:
        return session.exec(select(func.count()).select_from(OutboxMail).where(*where)).one()

    rounds_due = session.exec(
        select(func.count())
        .select_from(Round)
        .where(col(Round.closed_at).is_(None), col(Round.deadline) <= now)
    ).one()
    return OutboxStatus(
        last_run=session.get(WorkerRun, 1),
        pending=count(col(OutboxMail.status).in_(("pending", "sending"))),
        due=count(
            col(OutboxMail.status).in_(("pending", "sending")),
            col(OutboxMail.next_attempt_at) <= now,
        ),
        failed=session.exec(
            select(OutboxMail)
            .where(OutboxMail.status == "failed")
            .order_by(col(OutboxMail.id).desc())
            .limit(50)
        ).all(),
        rounds_due=rounds_due,
    )


def sent_mails(session: Session, limit: int = 50) -> Sequence[OutboxMail]:
    """The newest sent mails, as members received them (the development mail page)."""
    return session.exec(
        select(OutboxMail)
        .where(OutboxMail.status == "sent")
        .order_by(col(OutboxMail.id).desc())
        .limit(limit)
    ).all()
