"""The tamper-evident audit trail: one hash-chained event per state-changing action.

Each event's hash covers its canonical form, which includes the previous event's hash, so
changing, deleting, reordering or inserting an event breaks verification from that point.
A sealed stand-in (another community's event in an imported archive) keeps only its
original hash; it stands only where an import event, itself an ordinary hashed event,
lists that very seq and hash, so marking a row "sealed" cannot hide an edit. Cutting the
newest events off, or re-hashing the whole chain after an edit, leaves a chain that checks
out on its own: anchors (the head a decision record or archive was given) catch that.
Appending takes a lock on the chain head (an advisory lock on PostgreSQL; SQLite's BEGIN
IMMEDIATE already serialises writers), and `seq` and `prev_hash` are unique, so two
workers can never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from ..models import AuditEvent, User, utcnow
from .canonical import canonical_json

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


HASHED_COLUMNS = (
    "seq", "occurred_at", "actor_id", "actor_name", "community_id", "agreement_id",
    "proposal_id", "action", "subject_type", "subject_id", "payload", "prev_hash",
)  # fmt: skip
SEALED_ACTION = "audit.sealed"  # stand-in for another community's event in an imported archive
IMPORT_ACTION = "audit.imported"  # lists the seqs and original hashes an import sealed


def hashed_fields(event: AuditEvent | Mapping[str, Any]) -> dict[str, Any]:
    """The fields an event's hash covers (everything but its own hash and row id)."""
    if isinstance(event, Mapping):
        fields = {name: event[name] for name in HASHED_COLUMNS}
    else:
        fields = {name: getattr(event, name) for name in HASHED_COLUMNS}
    fields["payload"] = json.loads(fields["payload"])
    return fields


def compute_hash(event: AuditEvent | Mapping[str, Any]) -> str:
    """The sha256 of an event's canonical form (an event row, or a mapping of its columns)."""
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
class Anchor:
    """A chain head someone kept (from a decision record or an archive): seq and hash."""

    seq: int
    hash: str
    source: str = "a record"


@dataclass(frozen=True)
class Verification:
    """The outcome of checking the chain from its first event.

    `sealed` counts stand-ins for other communities' events (only an imported archive has
    them): their links are checked, their content is not in this database to recompute.
    """

    ok: bool
    count: int
    head_hash: str
    broken_seq: int | None = None
    message: str = ""
    sealed: int = 0


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


def _iter_rows(session: Session, batch: int = 20_000) -> Iterator[dict[str, Any]]:
    """Every event's columns as plain dicts, in chain order: verification needs no ORM."""
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    columns = [table.c[name] for name in (*HASHED_COLUMNS, "hash")]
    names = [column.name for column in columns]
    last_seq = 0
    while True:
        query = sa_select(*columns).where(table.c.seq > last_seq).order_by(table.c.seq)
        rows = session.execute(query.limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield dict(zip(names, row, strict=True))
        last_seq = rows[-1][0]


def import_payload(first_seq: int, last_seq: int, sealed: dict[int, str]) -> dict[str, Any]:
    """What an import event says: the seqs it brought in and each sealed seq's original hash."""
    return {
        "first_seq": first_seq,
        "last_seq": last_seq,
        "sealed": [[seq, sealed[seq]] for seq in sorted(sealed)],
    }


class _Broken(Exception):
    """The chain fails at `seq`: raised inside the pass, turned into a Verification."""

    def __init__(self, seq: int, message: str) -> None:
        super().__init__(message)
        self.seq, self.message = seq, message


class _SealChecker:
    """Accepts a sealed event only where a later import event lists its seq and hash.

    Import ranges never overlap and each import event directly follows its range. So a
    forger who also appends an import event of their own can only reach events after the
    last real import, and the verification message names every import for people to see.
    """

    def __init__(self) -> None:
        self.pending: dict[int, str] = {}
        self.imports: list[int] = []

    def sealed(self, seq: int, hash_: str) -> None:
        """Note a sealed event; an import event further on must vouch for it."""
        self.pending[seq] = hash_

    def imported(self, seq: int, payload: dict[str, Any]) -> None:
        """Check the import event at `seq` against the sealed events of its range."""
        try:
            first, last = int(payload["first_seq"]), int(payload["last_seq"])
            listed = {int(s): str(h) for s, h in payload["sealed"]}
        except (KeyError, TypeError, ValueError) as error:
            raise _Broken(seq, f"event {seq} is not a well-formed import") from error
        if last != seq - 1 or first <= (self.imports[-1] if self.imports else 0):
            raise _Broken(seq, f"event {seq} claims an import it does not follow")
        self._settle(before=first)
        covered = {s: h for s, h in self.pending.items() if s <= last}
        differing = sorted(set(covered) ^ set(listed))
        if differing:
            raise _Broken(differing[0], f"event {differing[0]} is not sealed as import {seq} says")
        for sealed_seq, original in covered.items():
            if listed[sealed_seq] != original:
                raise _Broken(sealed_seq, f"sealed event {sealed_seq} lost its original hash")
        self.pending.clear()
        self.imports.append(seq)

    def _settle(self, before: int) -> None:
        """Fail on any sealed event no import covers (those before `before`)."""
        orphans = sorted(s for s in self.pending if s < before)
        if orphans:
            raise _Broken(
                orphans[0], f"event {orphans[0]} is marked sealed, but no import sealed it"
            )

    def finish(self) -> None:
        """At the end of the chain, fail on any sealed event no import vouched for."""
        self._settle(before=2**63)


def verify_chain(
    session: Session, expect: str | None = None, anchors: Sequence[Anchor] = ()
) -> Verification:
    """Recompute every hash and link; report the first event that does not verify.

    With `expect`, also confirm that an event with that hash is still in the chain, which is
    how a holder of an old decision record detects that newer events were cut off. Each
    anchor must still be on the chain with its hash: that catches a truncated chain, and a
    chain re-hashed from an edit onwards, wherever the edit lies before the anchor.
    """
    by_seq = {anchor.seq: anchor for anchor in anchors if anchor.seq > 0}
    seals = _SealChecker()
    previous = GENESIS_HASH
    count = sealed = 0
    found_expected = expect is None
    try:
        for event in _iter_rows(session):
            count += 1
            seq = event["seq"]
            if seq != count:
                raise _Broken(seq, f"event {count} is missing or out of order")
            if event["prev_hash"] != previous:
                raise _Broken(seq, f"event {seq} does not follow its predecessor")
            if event["action"] == SEALED_ACTION:
                sealed += 1
                seals.sealed(seq, event["hash"])
            elif compute_hash(event) != event["hash"]:
                raise _Broken(seq, f"event {seq} was altered")
            elif event["action"] == IMPORT_ACTION:
                seals.imported(seq, json.loads(event["payload"]))
            anchor = by_seq.get(seq)
            if anchor is not None and anchor.hash != event["hash"]:
                raise _Broken(
                    seq, f"event {seq} no longer has the hash {anchor.source} holds: "
                    "the chain was rewritten",
                )  # fmt: skip
            previous = event["hash"]
            found_expected = found_expected or previous == expect
        seals.finish()
    except _Broken as broken:
        return Verification(False, count, previous, broken.seq, broken.message, sealed)
    missing = [anchor for seq, anchor in sorted(by_seq.items()) if seq > count]
    if missing:
        gone = missing[0]
        message = f"event {gone.seq}, which {gone.source} holds, is gone: the chain was cut"
        return Verification(False, count, previous, None, message, sealed)
    if not found_expected:
        return Verification(
            False, count, previous, None, f"no event with hash {expect}: the chain was cut", sealed
        )
    at = ", ".join(str(seq) for seq in seals.imports)
    detail = f" ({sealed} sealed, checked against the import at event {at})" if at else ""
    return Verification(True, count, previous, None, f"{count} events verified{detail}", sealed)


def count_events(session: Session) -> int:
    """How many events the chain holds."""
    return session.exec(select(func.count()).select_from(AuditEvent)).one()
