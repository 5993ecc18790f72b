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
        (seal_event, TAMPERED, "marked sealed, but no import sealed it"),
        (change_payload, TAMPERED, "was altered"),
        (backdate, TAMPERED, "was altered"),
        (change_actor_and_rehash, TAMPERED + 1, "does not follow"),
        (delete_event, TAMPERED + 1, f"event {TAMPERED} is missing"),
        (swap_with_next, TAMPERED, "does not follow"),
        (insert_forged, TAMPERED + 2, "does not follow"),
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
    assert says in result.message


def test_cutting_off_the_newest_events_is_caught_by_the_published_head(chain: Session) -> None:
    published = audit.verify_chain(chain).head_hash
    newest = audit.count_events(chain)
    with triggers_off(chain):
        sql(chain, "DELETE FROM audit_event WHERE seq >= :s", s=newest - 1)
    assert audit.verify_chain(chain).ok  # a shorter chain is still a chain ...
    cut = audit.verify_chain(chain, expect=published)
    assert not cut.ok  # ... but it no longer holds the head a record was given
    assert "the chain was cut" in cut.message


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


def test_an_old_head_is_still_found_after_new_events(chain: Session, any_make) -> None:
    published = audit.head(chain)
    assert published is not None
    any_make.user()
    assert audit.verify_chain(chain, expect=published.hash).ok
    assert audit.verify_chain(chain, anchors=[audit.Anchor(published.seq, published.hash)]).ok


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
