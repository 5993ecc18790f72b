"""What a personal feed shows: decisions and rounds (Atom), open deadlines (iCalendar).

Both are read for the person the feed address belongs to (services/feeds.reader_of has
checked they may still see the community), and both carry the chain head of the moment
they were read, so a saved feed is also a record `audit verify --record` can check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from ... import audit
from ...audit.events import names_for
from ...models import Agreement, AuditEvent, Community, Proposal, Round, User, utcnow

# The events a decisions-and-rounds feed carries: rounds opening and moving, decisions.
FEED_ACTIONS = (
    "proposal.open_comments",
    "proposal.open_objection_round",
    "proposal.open_consent_round",
    "round.deadline_extended",
    "proposal.adopted",
    "proposal.reject",
    "proposal.lapsed",
    "proposal.withdraw",
)
DEADLINE_CHANGED = "round.deadline_extended"
FEED_LENGTH = 50


@dataclass(frozen=True)
class FeedEntry:
    """One event as a feed entry: its sentence, what was said with it, where to read more."""

    seq: int
    occurred_at: datetime
    title: str
    quote: str
    proposal_id: int | None


@dataclass(frozen=True)
class Deadline:
    """An open round with a deadline, as one calendar event.

    `sequence` counts the deadline's changes (calendar apps replace the event they hold
    when it grows); `changed_at` is when it last changed (the round's opening otherwise).
    """

    round_id: int
    proposal_id: int
    title: str
    kind: str
    deadline: datetime
    sequence: int
    changed_at: datetime


@dataclass(frozen=True)
class Feed:
    """A feed's content at the moment it is read, with the chain head of that moment."""

    person: User
    community: Community
    entries: list[FeedEntry]
    deadlines: list[Deadline]
    head_seq: int
    head_hash: str
    generated_at: datetime


def read_feed(session: Session, person: User, community: Community) -> Feed:
    """The feed of `community` as `person` may see it (the caller checked they may)."""
    newest = audit.head(session)
    return Feed(
        person,
        community,
        _entries(session, community),
        _deadlines(session, community),
        newest.seq if newest else 0,
        newest.hash if newest else audit.GENESIS_HASH,
        utcnow(),
    )


def _entries(session: Session, community: Community) -> list[FeedEntry]:
    drafts = select(Proposal.id).where(Proposal.state == "draft")
    events = list(
        session.exec(
            select(AuditEvent)
            .where(
                AuditEvent.community_id == community.id,
                col(AuditEvent.action).in_(FEED_ACTIONS),
                col(AuditEvent.proposal_id).is_(None) | col(AuditEvent.proposal_id).not_in(drafts),
            )
            .order_by(col(AuditEvent.seq).desc())
            .limit(FEED_LENGTH)
        )
    )
    names = names_for(session, events)
    entries = []
    for event in events:
        payload = json.loads(event.payload)
        entries.append(
            FeedEntry(
                event.seq,
                event.occurred_at,
                audit.sentences.sentence(event, payload, names),
                audit.sentences.quote(payload),
                event.proposal_id,
            )
        )
    return entries


def _deadlines(session: Session, community: Community) -> list[Deadline]:
    rounds = session.exec(
        select(Round, Proposal.title)
        .join(Proposal, col(Proposal.id) == Round.proposal_id)
        .join(Agreement, col(Agreement.id) == Proposal.agreement_id)
        .where(
            Agreement.community_id == community.id,
            col(Round.closed_at).is_(None),
            col(Round.deadline).is_not(None),
        )
        .order_by(col(Round.deadline))
    ).all()
    counted = session.exec(
        select(AuditEvent.subject_id, func.count(), func.max(AuditEvent.occurred_at))
        .where(
            AuditEvent.action == DEADLINE_CHANGED,
            AuditEvent.subject_type == "round",
            col(AuditEvent.subject_id).in_([round_.id for round_, _title in rounds]),
        )
        .group_by(col(AuditEvent.subject_id))
    ).all()
    changes = {round_id: (count, latest) for round_id, count, latest in counted}
    return [
        Deadline(
            round_.id,  # type: ignore[arg-type]
            round_.proposal_id,
            title,
            round_.kind,
            round_.deadline,  # type: ignore[arg-type]
            *changes.get(round_.id, (0, round_.opened_at)),
        )
        for round_, title in rounds
    ]
