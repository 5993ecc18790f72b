"""The tamper-evident audit trail: one hash-chained event per state-changing action.

Each event's hash covers its canonical form, which includes the previous event's hash, so
changing, deleting, reordering or inserting an event breaks verification from that point.
Appending takes a lock on the chain head (an advisory lock on PostgreSQL; SQLite's BEGIN
IMMEDIATE already serialises writers), and `seq` and `prev_hash` are unique, so two
workers can never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, select

from .canonical import canonical_json
from .models import AuditEvent, User, utcnow

GENESIS_HASH = "0" * 64
CHAIN_LOCK_KEY = 7_302_011  # arbitrary constant naming the chain-head advisory lock


@dataclass(frozen=True)
class Subject:
    """What an event is about, and the community/agreement/proposal it belongs to."""

    type: str
    id: int | None
    community_id: int | None = None
    agreement_id: int | None = None
    proposal_id: int | None = None


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    """The fields an event's hash covers (everything but its own hash and row id)."""
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "community_id": event.community_id,
        "agreement_id": event.agreement_id,
        "proposal_id": event.proposal_id,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "payload": json.loads(event.payload),
        "prev_hash": event.prev_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    """The sha256 of an event's canonical form."""
    return hashlib.sha256(canonical_json(hashed_fields(event)).encode("utf-8")).hexdigest()


def _lock_chain_head(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def head(session: Session) -> AuditEvent | None:
    """The newest event of the chain, or None for an empty chain."""
    return session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()  # type: ignore[attr-defined]


def record(
    session: Session,
    actor: User | None,
    action: str,
    subject: Subject,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (the caller commits)."""
    _lock_chain_head(session)
    session.flush()
    newest = head(session)
    event = AuditEvent(
        seq=(newest.seq + 1) if newest else 1,
        occurred_at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_name=actor.display_name if actor else "system",
        community_id=subject.community_id,
        agreement_id=subject.agreement_id,
        proposal_id=subject.proposal_id,
        action=action,
        subject_type=subject.type,
        subject_id=subject.id,
        payload=canonical_json(payload or {}),
        prev_hash=newest.hash if newest else GENESIS_HASH,
        hash="",
    )
    event.hash = compute_hash(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class Verification:
    """The outcome of checking the chain from its first event."""

    ok: bool
    count: int
    head_hash: str
    broken_seq: int | None = None
    message: str = ""


def iter_events(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    """All events in chain order, read in batches so 100,000 events stay cheap."""
    last_seq = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.seq > last_seq)
            .order_by(AuditEvent.seq)  # type: ignore[arg-type]
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq
        session.expunge_all()


def verify_chain(session: Session, expect: str | None = None) -> Verification:
    """Recompute every hash and link; report the first event that does not verify.

    With `expect`, also confirm that an event with that hash is still in the chain, which is
    how a holder of an old decision record detects that newer events were cut off.
    """
    previous = GENESIS_HASH
    count = 0
    found_expected = expect is None
    for event in iter_events(session):
        count += 1
        if event.seq != count:
            return _broken(count, event, previous, f"event {count} is missing or out of order")
        if event.prev_hash != previous:
            return _broken(count, event, previous, f"event {event.seq} does not follow its predecessor")
        if compute_hash(event) != event.hash:
            return _broken(count, event, previous, f"event {event.seq} was altered")
        previous = event.hash
        found_expected = found_expected or event.hash == expect
    if not found_expected:
        return Verification(
            False, count, previous, None, f"no event with hash {expect}: the chain was cut"
        )
    return Verification(True, count, previous, None, f"{count} events verified")


def _broken(count: int, event: AuditEvent, previous: str, message: str) -> Verification:
    return Verification(False, count, previous, event.seq, message)


def count_events(session: Session) -> int:
    """How many events the chain holds."""
    return session.exec(select(func.count()).select_from(AuditEvent)).one()
