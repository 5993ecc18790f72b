"""The audit chain detects every kind of rewrite, at the event where it happened.

The tampering here goes around Accord the way an attacker with access to the database file
would: switch the append-only triggers off, then change, delete, reorder, insert or seal
rows. Verification must then fail, naming the first event that no longer verifies. Cutting
the newest events off or re-hashing after an edit leaves a chain that links: a head kept
from a record catches those. With the triggers on, the database refuses to rewrite history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from agreements import audit
from agreements.audit import chain as chain_module
from agreements.models import AuditEvent
from agreements.storage.triggers import install_guards

TAMPERED = 5  # the event the attacker goes after (the chains below are longer)


@pytest.fixture
def chain(any_db: Session, any_make) -> Session:
    """A real history: a community, members, a proposal in its objection round."""
    world = any_make.community(members=2)
    any_make.proposal(world, stage="objection")
    assert audit.count_events(any_db) > TAMPERED + 3
    assert audit.verify_chain(any_db).ok
    return any_db


@contextmanager
def triggers_off(session: Session) -> Iterator[None]:
    """What someone with direct database access can do: drop the append-only guard."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_guard"))
    else:
        for verb in ("update", "delete"):
            session.execute(text(f"DROP TRIGGER audit_event_no_{verb}"))
    yield
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_guard"))
    else:
        install_guards(session.connection())
    session.commit()


def sql(session: Session, statement: str, **params: object) -> None:
    session.execute(text(statement), params)


def change_payload(session: Session) -> None:
    sql(session, "UPDATE audit_event SET payload = :p WHERE seq = :s", p='{"forged":1}', s=TAMPERED)


def backdate(session: Session) -> None:
    """Move an event a day into the past, as someone covering their tracks would."""
    event = session.exec(select(AuditEvent).where(AuditEvent.seq == TAMPERED)).one()
    sql(
        session,
        "UPDATE audit_event SET occurred_at = :when WHERE seq = :s",
        when=event.occurred_at - timedelta(days=1),
        s=TAMPERED,
    )
    session.expunge(event)


def change_actor_and_rehash(session: Session) -> None:
    """Forge an event and fix its own hash: its successor's link then breaks."""
    event = session.exec(select(AuditEvent).where(AuditEvent.seq == TAMPERED)).one()
    event.actor_name = "Someone Else"
    sql(
        session,
        "UPDATE audit_event SET actor_name = :name, hash = :hash WHERE seq = :s",
        name=event.actor_name,
        hash=audit.compute_hash(event),
        s=TAMPERED,
    )
    session.expunge(event)


def delete_event(session: Session) -> None:
    sql(session, "DELETE FROM audit_event WHERE seq = :s", s=TAMPERED)


def swap_with_next(session: Session) -> None:
    """Reorder two events by exchanging their sequence numbers."""
    sql(session, "UPDATE audit_event SET seq = -1 WHERE seq = :s", s=TAMPERED)
    sql(session, "UPDATE audit_event SET seq = :s WHERE seq = :n", s=TAMPERED, n=TAMPERED + 1)
    sql(session, "UPDATE audit_event SET seq = :n WHERE seq = -1", n=TAMPERED + 1)


def insert_forged(session: Session) -> None:
    """Slip a well-formed event in after TAMPERED, linked and hashed correctly itself."""
    sql(session, "UPDATE audit_event SET seq = -seq WHERE seq > :s", s=TAMPERED)
    sql(session, "UPDATE audit_event SET seq = 1 - seq WHERE seq < 0")
    # prev_hash is unique (no forks), so the successor has to let go of its link first
    sql(session, "UPDATE audit_event SET prev_hash = :x WHERE seq = :n", x="f" * 64, n=TAMPERED + 2)
    previous = session.exec(select(AuditEvent).where(AuditEvent.seq == TAMPERED)).one()
    forged = AuditEvent(
        seq=TAMPERED + 1,
        occurred_at=previous.occurred_at,
        actor_name="Forger",
        action="stance.registered",
        subject_type="stance",
        payload='{"position":"consent"}',
        prev_hash=previous.hash,
        hash="",
    )
    forged.hash = audit.compute_hash(forged)
    session.add(forged)
    session.flush()


def seal_event(session: Session) -> None:
    """Dress an edited event up as a sealed stand-in, whose content used to go unchecked."""
    sql(
        session,
        "UPDATE audit_event SET action = 'audit.sealed', payload = :p, actor_name = 'Mallory' "
        "WHERE seq = :s",
        p='{"forged":true}',
        s=TAMPERED,
    )


def cut_newest(session: Session) -> None:
    """Truncate: the two newest events disappear, leaving a shorter, well-linked chain."""
    sql(session, "DELETE FROM audit_event WHERE seq >= :s", s=audit.count_events(session) - 1)


def rewrite_and_rehash(session: Session) -> None:
    """Edit an event, then recompute every hash and link after it: a chain that links."""
    rows = session.exec(
        select(AuditEvent).where(AuditEvent.seq >= TAMPERED).order_by(AuditEvent.seq)  # type: ignore[arg-type]
    ).all()
    previous = rows[0].prev_hash
    for event in rows:
        if event.seq == TAMPERED:
            event.actor_name = "Mallory"
        event.prev_hash = previous
        event.hash = audit.compute_hash(event)
        sql(
            session,
            "UPDATE audit_event SET actor_name = :n, prev_hash = :p, hash = :h WHERE seq = :s",
            n=event.actor_name,
            p=event.prev_hash,
            h=event.hash,
            s=event.seq,
        )
        previous = event.hash
    session.expunge_all()


@pytest.mark.parametrize(
    ("tamper", "broken_seq", "says"),
    [
        (seal_event, TAMPERED, "is marked sealed, but no import sealed it"),
        (change_payload, TAMPERED, "was altered"),
        (backdate, TAMPERED, "was altered"),
        (change_actor_and_rehash, TAMPERED + 1, "does not follow its predecessor"),
        (delete_event, TAMPERED + 1, "is missing or out of order"),
        (swap_with_next, TAMPERED, "does not follow its predecessor"),
        (insert_forged, TAMPERED + 2, "does not follow its predecessor"),
    ],
    ids=["seal", "change", "backdate", "change-and-rehash", "delete", "reorder", "insert"],
)
def test_tampering_breaks_verification_at_that_event(
    chain: Session, tamper: Callable[[Session], None], broken_seq: int, says: str
) -> None:
    with triggers_off(chain):
        tamper(chain)
    result = audit.verify_chain(chain)
    assert not result.ok
    assert result.broken_seq == broken_seq
    named = TAMPERED if tamper is delete_event else broken_seq  # the missing one is named
    assert result.message == f"event {named} {says}"
    assert result.sealed == (1 if tamper is seal_event else 0)
    if tamper is not seal_event:  # a seal is judged at the end of the chain
        # how far the check got: the last event that verified, and how many it read
        assert result.head_hash == _hash_at(chain, result.count - 1)
        assert result.count in (broken_seq, broken_seq - 1)


def test_cutting_off_the_newest_events_is_caught_by_the_published_head(chain: Session) -> None:
    published = audit.verify_chain(chain).head_hash
    newest = audit.count_events(chain)
    with triggers_off(chain):
        sql(chain, "DELETE FROM audit_event WHERE seq >= :s", s=newest - 1)
    assert audit.verify_chain(chain).ok  # a shorter chain is still a chain ...
    cut = audit.verify_chain(chain, expect=published)
    # ... but it no longer holds the head a record was given
    assert cut == audit.Verification(
        False,
        newest - 2,
        _hash_at(chain, newest - 2),
        None,
        f"no event with hash {published}: the chain was cut",
    )


@pytest.mark.parametrize("tamper", [cut_newest, rewrite_and_rehash], ids=["truncate", "rehash"])
def test_a_kept_head_catches_what_a_plain_check_cannot(
    chain: Session, tamper: Callable[[Session], None]
) -> None:
    newest = audit.head(chain)
    assert newest is not None
    kept = audit.Anchor(newest.seq, newest.hash, "the kept record")
    with triggers_off(chain):
        tamper(chain)
    assert audit.verify_chain(chain).ok  # the chain on its own still links ...
    result = audit.verify_chain(chain, anchors=[kept])
    assert not result.ok  # ... but not to the head the record was given
    assert "the kept record" in result.message
    if tamper is cut_newest:
        remaining = audit.count_events(chain)
        assert result == audit.Verification(
            False,
            remaining,
            _hash_at(chain, remaining),
            None,
            f"event {kept.seq}, which the kept record holds, is gone: the chain was cut",
        )


def test_an_old_head_is_still_found_after_new_events(chain: Session, any_make) -> None:
    published = audit.head(chain)
    assert published is not None
    any_make.user()
    assert audit.verify_chain(chain, expect=published.hash).ok
    assert audit.verify_chain(chain, anchors=[audit.Anchor(published.seq, published.hash)]).ok
    newest = audit.head(chain)
    assert newest is not None  # a head kept just now, at the very last event, still holds
    assert audit.verify_chain(chain, anchors=[audit.Anchor(newest.seq, newest.hash)]).ok


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_event SET actor_name = 'x' WHERE seq = 1", "DELETE FROM audit_event"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_rewrite_events(chain: Session, statement: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        chain.execute(text(statement))
    chain.rollback()
    assert audit.verify_chain(chain).ok


# Every column that says who did what, when and to what. Written out here, not read from the
# chain module, so that dropping one from what the hash covers fails this test.
COLUMNS_THE_HASH_MUST_COVER = {
    "seq": 6,
    "occurred_at": datetime(2026, 1, 2, 3, 4, 5),
    "actor_id": 7,
    "actor_name": "Someone Else",
    "community_id": 8,
    "agreement_id": 9,
    "proposal_id": 10,
    "action": "proposal.adopted",
    "subject_type": "version",
    "subject_id": 11,
    "payload": '{"forged": true}',
    "prev_hash": "f" * 64,
}


@pytest.mark.parametrize("column", sorted(COLUMNS_THE_HASH_MUST_COVER))
def test_the_hash_covers_every_column_that_tells_what_happened(column: str) -> None:
    original = {
        "seq": 5,
        "occurred_at": datetime(2026, 1, 1, 12, 0, 0),
        "actor_id": 1,
        "actor_name": "Amara",
        "community_id": 2,
        "agreement_id": 3,
        "proposal_id": 4,
        "action": "stance.registered",
        "subject_type": "stance",
        "subject_id": 5,
        "payload": '{"position": "consent"}',
        "prev_hash": "0" * 64,
    }
    changed = {**original, column: COLUMNS_THE_HASH_MUST_COVER[column]}
    assert audit.compute_hash(changed) != audit.compute_hash(original)


# The history badge checks only the events after a verified checkpoint (`since`). That must
# still catch an edit after the checkpoint, and an edit of the checkpoint's own event.


def test_a_check_since_a_checkpoint_ends_where_the_full_check_ends(
    chain: Session, any_make
) -> None:
    checkpoint = audit.verify_chain(chain)
    any_make.user()  # new events after the checkpoint
    resumed = audit.verify_chain(chain, since=checkpoint)
    full = audit.verify_chain(chain)
    assert resumed.ok and full.ok
    assert (resumed.count, resumed.head_hash) == (full.count, full.head_hash)
    assert resumed.count > checkpoint.count
    assert resumed.message == full.message == f"{full.count} events verified"


def test_an_edit_after_the_checkpoint_is_caught_by_the_resumed_check(chain: Session) -> None:
    checkpoint = audit.verify_chain(chain)
    before = audit.Verification(True, TAMPERED - 1, _hash_at(chain, TAMPERED - 1))
    assert checkpoint.count > TAMPERED
    with triggers_off(chain):
        change_payload(chain)
    result = audit.verify_chain(chain, since=before)
    assert result == audit.Verification(  # how far it got: the last event that verified
        False, TAMPERED, before.head_hash, TAMPERED, f"event {TAMPERED} was altered"
    )


def test_an_edit_of_the_checkpoint_event_itself_is_caught(chain: Session) -> None:
    checkpoint = audit.Verification(True, TAMPERED, _hash_at(chain, TAMPERED))
    with triggers_off(chain):
        change_actor_and_rehash(chain)  # the checkpoint's event now has another hash
    result = audit.verify_chain(chain, since=checkpoint)
    assert result == audit.Verification(
        False,
        TAMPERED,
        checkpoint.head_hash,
        TAMPERED,
        f"event {TAMPERED} changed after it was verified",
    )


def test_a_failed_checkpoint_is_not_resumed_from(chain: Session) -> None:
    with triggers_off(chain):
        change_payload(chain)
    failed = audit.verify_chain(chain)
    assert not failed.ok
    again = audit.verify_chain(chain, since=failed)  # checks from the first event again
    assert (again.ok, again.broken_seq) == (False, TAMPERED)


def test_an_untouched_chain_is_verified_without_the_slow_recheck(
    chain: Session, any_make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast hash agrees with the full one on real events (system actor, no ids,
    non-ASCII names and payloads), so verifying a long history stays cheap."""
    any_make.user("Zoë “Ω” Ñúñez")
    audit.record(chain, None, "instance.checked", audit.Subject("instance", None))  # no ids
    chain.commit()
    rechecked: list[int] = []
    real = chain_module._is_altered
    monkeypatch.setattr(
        chain_module, "_is_altered", lambda s, row: rechecked.append(row[0]) or real(s, row)
    )
    assert audit.verify_chain(chain).ok
    assert rechecked == []


def _hash_at(session: Session, seq: int) -> str:
    return session.exec(select(AuditEvent.hash).where(AuditEvent.seq == seq)).one()


def test_an_event_records_who_did_what_to_what(any_db: Session, any_make) -> None:
    """What the history pages and the decision record read back from each event."""
    world = any_make.community(members=1)
    proposal = any_make.proposal(world, stage="comment")
    subject = audit.Subject("comment", 42, world.community.id, world.agreement.id, proposal.id)
    done = audit.record(any_db, world.facilitator, "comment.added", subject, {"body": "Hi"})
    by_nobody = audit.record(any_db, None, "deadline.passed", subject)
    any_db.commit()
    stored = [
        (e.actor_id, e.actor_name, e.community_id, e.agreement_id, e.proposal_id, e.action)
        for e in (any_db.get(AuditEvent, done.id), any_db.get(AuditEvent, by_nobody.id))
    ]
    where = (world.community.id, world.agreement.id, proposal.id)
    assert stored == [
        (world.facilitator.id, world.facilitator.display_name, *where, "comment.added"),
        (None, "system", *where, "deadline.passed"),
    ]
    assert [(e.subject_type, e.subject_id, e.payload) for e in (done, by_nobody)] == [
        ("comment", 42, '{"body":"Hi"}'),
        ("comment", 42, "{}"),
    ]
    assert audit.verify_chain(any_db).ok


def test_a_rewritten_kept_event_is_named_with_the_record_that_holds_it(chain: Session) -> None:
    kept = audit.Anchor(TAMPERED, _hash_at(chain, TAMPERED), "the decision record")
    with triggers_off(chain):
        rewrite_and_rehash(chain)
    result = audit.verify_chain(chain, anchors=[kept])
    assert (result.ok, result.broken_seq) == (False, TAMPERED)
    assert result.message == (
        f"event {TAMPERED} no longer has the hash the decision record holds: "
        "the chain was rewritten"
    )


def test_events_missing_for_longer_than_one_read_are_found(
    chain: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verification reads the chain in ranges of seqs; a range with no events must not end
    it while later events exist, or cutting out a long run would pass unnoticed."""
    monkeypatch.setattr(chain_module, "ROWS_PER_READ", 2)
    whole = audit.verify_chain(chain)
    assert whole.ok and whole.count == audit.count_events(chain)
    with triggers_off(chain):
        gone = "DELETE FROM audit_event WHERE seq BETWEEN :a AND :z"
        sql(chain, gone, a=TAMPERED, z=TAMPERED + 2)
    result = audit.verify_chain(chain)
    assert not result.ok
    assert result.message == f"event {TAMPERED} is missing or out of order"
    assert result.broken_seq == TAMPERED + 3
