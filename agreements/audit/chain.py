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
from ..wording import _, n_
from . import keyed
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


_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
# Only the head's link, not a whole event object; built once, as every use case reads it.
_HEAD_LINK = sa_select(_EVENTS.c.seq, _EVENTS.c.hash).order_by(_EVENTS.c.seq.desc()).limit(1)


def record(
    session: Session,
    actor: User | None,
    action: str,
    subject: Subject,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (the caller commits)."""
    return append(
        session,
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
    )


def append(session: Session, **content: Any) -> AuditEvent:
    """Append an event with the given content (every hashed column but `seq` and
    `prev_hash`) at the head of the chain, under the chain-head lock.

    `record` is how actions are written; an archive merged into this instance also appends
    its community's events here, with their original time, actor name and payload.
    """
    _lock_chain_head(session)
    session.flush()
    newest = session.execute(_HEAD_LINK).first()
    event = AuditEvent(
        seq=(newest.seq + 1) if newest else 1,
        prev_hash=newest.hash if newest else GENESIS_HASH,
        hash="",
        **content,
    )
    event.hash = compute_hash(event)
    event.mac = keyed.mac_of(event.hash)
    session.add(event)
    session.flush()
    return event


def append_history(session: Session, contents: Sequence[Mapping[str, Any]]) -> list[int]:
    """Append events that happened elsewhere (an archive merged in); their new seqs.

    They are history, not new actions: written to the table directly, not as ORM objects,
    so nothing that reacts to new events (notifications, mail) takes them for news.
    """
    _lock_chain_head(session)
    session.flush()
    newest = head(session)
    seq, previous = (newest.seq, newest.hash) if newest else (0, GENESIS_HASH)
    rows = []
    for content in contents:
        seq += 1
        row = {**content, "seq": seq, "prev_hash": previous}
        row["hash"] = previous = compute_hash(row)
        row["mac"] = keyed.mac_of(row["hash"])
        rows.append(row)
    if rows:
        session.execute(AuditEvent.__table__.insert(), rows)  # type: ignore[attr-defined]
    return [row["seq"] for row in rows]


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
    last_import: int = 0  # seq of the newest import event, where a later check resumes


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


_ROW_COLUMNS = (*HASHED_COLUMNS, "hash")
_json_string = json.encoder.encode_basestring  # canonical_json's strings (no ASCII escaping)


ROWS_PER_READ = 20_000


def _iter_rows(session: Session, after: int = 0) -> Iterator[tuple[Any, ...]]:
    """Every event after seq `after` as a plain tuple (_ROW_COLUMNS), in chain order.

    Read with the driver's own cursor: no per-row conversion or row objects, which is most
    of what verification would otherwise cost. Both numbers are ints, so formatting them
    into the SQL is safe, and it works with either driver's parameter style.

    Each read asks for a range of seqs, which every planner answers from the seq index even
    without statistics (`seq > n ORDER BY seq LIMIT k` made PostgreSQL sort the whole table
    when it had none: 15-40 ms for each history badge). A range with no events ends the
    chain only if no later event exists; otherwise the reading goes on from that event, and
    the caller finds the gap.
    """
    cursor = session.connection().connection.cursor()
    try:
        while True:
            cursor.execute(
                f"SELECT {', '.join(_ROW_COLUMNS)} FROM audit_event WHERE seq > {int(after)}"
                f" AND seq <= {int(after) + ROWS_PER_READ} ORDER BY seq"
            )
            rows = cursor.fetchall()
            if rows:
                yield from rows
                after += ROWS_PER_READ
                continue
            cursor.execute(f"SELECT min(seq) FROM audit_event WHERE seq > {int(after)}")
            (following,) = cursor.fetchone() or (None,)
            if following is None:
                return
            after = following - 1
    finally:
        cursor.close()


def _fast_hash(row: tuple[Any, ...]) -> str:
    """compute_hash for a raw row, writing the canonical JSON directly.

    Valid when the stored payload is itself canonical JSON, as audit.record writes it, and
    ids are ints; a row where this disagrees with its stored hash is checked again with
    compute_hash, so this only ever saves time, it never decides that an event was altered.
    SQLite returns occurred_at as text, stored in UTC without an offset.
    """
    (seq, at, actor_id, actor_name, community_id, agreement_id, proposal_id,
     action, subject_type, subject_id, payload, prev_hash) = row[:12]  # fmt: skip
    stamp = (
        at.replace(" ", "T", 1) + "+00:00"
        if isinstance(at, str)
        else at.isoformat(timespec="microseconds")
    )
    canonical = (
        f'{{"action":{_json_string(action)},'
        f'"actor_id":{"null" if actor_id is None else actor_id},'
        f'"actor_name":{_json_string(actor_name)},'
        f'"agreement_id":{"null" if agreement_id is None else agreement_id},'
        f'"community_id":{"null" if community_id is None else community_id},'
        f'"occurred_at":"{stamp}","payload":{payload},"prev_hash":{_json_string(prev_hash)},'
        f'"proposal_id":{"null" if proposal_id is None else proposal_id},"seq":{seq},'
        f'"subject_id":{"null" if subject_id is None else subject_id},'
        f'"subject_type":{_json_string(subject_type)}}}'
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _is_altered(session: Session, row: tuple[Any, ...]) -> bool:
    """Whether the event's stored hash is wrong, by the full (typed, parsed) computation."""
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    typed = session.execute(
        sa_select(*(table.c[name] for name in HASHED_COLUMNS)).where(table.c.seq == row[0])
    ).one()
    return compute_hash(dict(zip(HASHED_COLUMNS, typed, strict=True))) != row[-1]


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
            raise _Broken(seq, _("event %(seq)s is not a well-formed import", seq=seq)) from error
        if last != seq - 1 or first <= (self.imports[-1] if self.imports else 0):
            raise _Broken(seq, _("event %(seq)s claims an import it does not follow", seq=seq))
        self._settle(before=first)
        covered = {s: h for s, h in self.pending.items() if s <= last}
        differing = sorted(set(covered) ^ set(listed))
        if differing:
            raise _Broken(
                differing[0],
                _(
                    "event %(seq)s is not sealed as import %(import_seq)s says",
                    seq=differing[0],
                    import_seq=seq,
                ),
            )
        for sealed_seq, original in covered.items():
            if listed[sealed_seq] != original:
                raise _Broken(
                    sealed_seq, _("sealed event %(seq)s lost its original hash", seq=sealed_seq)
                )
        self.pending.clear()
        self.imports.append(seq)

    def _settle(self, before: int) -> None:
        """Fail on any sealed event no import covers (those before `before`)."""
        orphans = sorted(s for s in self.pending if s < before)
        if orphans:
            raise _Broken(
                orphans[0],
                _("event %(seq)s is marked sealed, but no import sealed it", seq=orphans[0]),
            )

    def finish(self) -> None:
        """At the end of the chain, fail on any sealed event no import vouched for."""
        self._settle(before=2**63)


def _checkpoint_moved(session: Session, since: Verification) -> bool:
    """Whether the checkpoint's event is gone or no longer has the hash it was verified with."""
    if since.count == 0:
        return False
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    stored = session.execute(sa_select(table.c.hash).where(table.c.seq == since.count)).scalar()
    return stored != since.head_hash


def verify_chain(
    session: Session,
    expect: str | None = None,
    anchors: Sequence[Anchor] = (),
    since: Verification | None = None,
) -> Verification:
    """Recompute every hash and link; report the first event that does not verify.

    With `expect`, also confirm that an event with that hash is still in the chain, which is
    how a holder of an old decision record detects that newer events were cut off. Each
    anchor must still be on the chain with its hash: that catches a truncated chain, and a
    chain re-hashed from an edit onwards, wherever the edit lies before the anchor.

    With `since` (an earlier successful result: a verified checkpoint), only the events
    after it are checked, after confirming that its last event still has its hash. That is
    what keeps the history badge cheap; `audit verify` always checks from the first event.
    """
    by_seq = {anchor.seq: anchor for anchor in anchors if anchor.seq > 0}
    seals = _SealChecker()
    previous = GENESIS_HASH
    count = sealed = 0
    if since is not None and since.ok:
        if _checkpoint_moved(session, since):
            message = _("event %(seq)s changed after it was verified", seq=since.count)
            return Verification(False, since.count, since.head_hash, since.count, message)
        previous, count, sealed = since.head_hash, since.count, since.sealed
        seals.imports = [since.last_import] if since.last_import else []
    found_expected = expect is None
    try:
        for row in _iter_rows(session, after=count):
            count += 1
            seq, action, hash_ = row[0], row[7], row[12]
            if seq != count:
                raise _Broken(seq, _("event %(seq)s is missing or out of order", seq=count))
            if row[11] != previous:
                raise _Broken(seq, _("event %(seq)s does not follow its predecessor", seq=seq))
            if action == SEALED_ACTION:
                sealed += 1
                seals.sealed(seq, hash_)
            elif _fast_hash(row) != hash_ and _is_altered(session, row):
                raise _Broken(seq, _("event %(seq)s was altered", seq=seq))
            elif action == IMPORT_ACTION:
                seals.imported(seq, json.loads(row[10]))
            anchor = by_seq.get(seq)
            if anchor is not None and anchor.hash != hash_:
                raise _Broken(
                    seq,
                    _(
                        "event %(seq)s no longer has the hash %(source)s holds: the chain was "
                        "rewritten",
                        seq=seq,
                        source=anchor.source,
                    ),
                )
            previous = hash_
            found_expected = found_expected or previous == expect
        seals.finish()
    except _Broken as broken:
        return Verification(False, count, previous, broken.seq, broken.message, sealed)
    missing = [anchor for seq, anchor in sorted(by_seq.items()) if seq > count]
    if missing:
        gone = missing[0]
        message = _(
            "event %(seq)s, which %(source)s holds, is gone: the chain was cut",
            seq=gone.seq,
            source=gone.source,
        )
        return Verification(False, count, previous, None, message, sealed)
    if not found_expected:
        return Verification(
            False,
            count,
            previous,
            None,
            _("no event with hash %(hash)s: the chain was cut", hash=expect),
            sealed,
        )
    at = ", ".join(str(seq) for seq in seals.imports)
    message = (
        n_(
            "%(num)s event verified (%(sealed)s sealed, checked against the import at event "
            "%(at)s)",
            "%(num)s events verified (%(sealed)s sealed, checked against the import at event "
            "%(at)s)",
            count,
            sealed=sealed,
            at=at,
        )
        if at
        else n_("%(num)s event verified", "%(num)s events verified", count)
    )
    last_import = seals.imports[-1] if seals.imports else 0
    return Verification(True, count, previous, None, message, sealed, last_import)


def count_events(session: Session) -> int:
    """How many events the chain holds."""
    return session.exec(select(func.count()).select_from(AuditEvent)).one()
