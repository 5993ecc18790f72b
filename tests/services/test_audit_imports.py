"""Imported history, sealed stand-ins and resumed checks keep the chain honest.

An archive brings its events in as history (`append_history`) followed by an import event
that vouches for every sealed stand-in. Verification must accept exactly that: imports in
order, each sealed event vouched for by the import after it, and a check resumed from a
checkpoint (the history badge) must reach the same verdict as a check from the first event,
also for a checkpoint taken after an import, of an empty chain or of a single event.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from agreements import audit
from agreements.audit import chain, keyed
from agreements.audit.canonical import canonical_json
from agreements.models import AuditEvent, utcnow
from tests.services.test_audit_chain import triggers_off

OWN = "comment.added"  # an event of the community the archive belongs to
SEALED = audit.SEALED_ACTION  # a stand-in for another community's event
ARCHIVE = audit.Subject("archive", None)
INSTANCE = audit.Subject("instance", None)  # an action here that tells nobody anything


def history(*actions: str) -> list[dict[str, Any]]:
    """Events as an archive brings them in: every hashed column but `seq` and `prev_hash`."""
    return [
        {
            "occurred_at": utcnow(),
            "actor_id": None,
            "actor_name": "sealed" if action == SEALED else "Amara",
            "community_id": None,
            "agreement_id": None,
            "proposal_id": None,
            "action": action,
            "subject_type": "sealed" if action == SEALED else "comment",
            "subject_id": None,
            "payload": "{}" if action == SEALED else f'{{"n":{n}}}',
        }
        for n, action in enumerate(actions)
    ]


def hashes(session: Session) -> dict[int, str]:
    return dict(session.exec(select(AuditEvent.seq, AuditEvent.hash)).all())


def import_history(session: Session, *actions: str) -> int:
    """Merge events in and vouch for their seals as an import does; the import event's seq."""
    seqs = chain.append_history(session, history(*actions))
    stored = hashes(session)
    kinds = zip(seqs, actions, strict=True)
    sealed = {seq: stored[seq] for seq, action in kinds if action == SEALED}
    payload = chain.import_payload(seqs[0], seqs[-1], sealed)
    event = audit.record(session, None, audit.IMPORT_ACTION, ARCHIVE, payload)
    session.commit()
    return event.seq


def forge_import(session: Session, first_seq: int) -> int:
    """An import event someone appends to vouch for seals of their own; its seq."""
    last_seq = audit.count_events(session)
    payload = chain.import_payload(first_seq, last_seq, {})
    event = audit.record(session, None, audit.IMPORT_ACTION, ARCHIVE, payload)
    session.commit()
    return event.seq


def test_history_merged_into_an_empty_chain_starts_it_and_links_every_event(
    any_db: Session,
) -> None:
    assert chain.append_history(any_db, []) == []  # nothing to merge writes nothing
    assert audit.count_events(any_db) == 0
    assert chain.append_history(any_db, history(OWN, OWN, OWN)) == [1, 2, 3]
    events = list(audit.iter_events(any_db))
    assert [event.prev_hash for event in events] == [
        audit.GENESIS_HASH,
        events[0].hash,
        events[1].hash,
    ]
    audit.record(any_db, None, "instance.checked", INSTANCE)  # work goes on after it
    assert chain.append_history(any_db, history(OWN)) == [5]
    any_db.commit()
    assert audit.verify_chain(any_db) == audit.Verification(
        True, 5, hashes(any_db)[5], None, "5 events verified"
    )


def test_merged_history_carries_the_instance_key_mac(
    any_db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "an instance key kept apart from the database"
    monkeypatch.setenv(keyed.KEY_VARIABLE, key)
    chain.append_history(any_db, history(OWN, SEALED))
    any_db.commit()
    macs = any_db.exec(select(AuditEvent.hash, AuditEvent.mac).order_by(AuditEvent.seq)).all()  # type: ignore[arg-type]
    assert [mac for _hash, mac in macs] == [keyed.mac_of(h, key.encode()) for h, _mac in macs]
    assert keyed.verify_keys(any_db, key.encode()) == (
        True,
        "every event since 1 carries the instance key's mac",
    )


def test_the_history_is_read_in_batches_each_event_once_in_order(any_db: Session) -> None:
    chain.append_history(any_db, history(*[OWN] * 5))
    assert [event.seq for event in audit.iter_events(any_db, batch=2)] == [1, 2, 3, 4, 5]


def test_imports_in_order_vouch_for_their_sealed_events(any_db: Session) -> None:
    first = import_history(any_db, SEALED, OWN)
    checkpoint = audit.verify_chain(any_db)
    assert (checkpoint.ok, checkpoint.sealed, checkpoint.last_import) == (True, 1, first)
    second = import_history(any_db, OWN, SEALED)  # starts right after the first import
    full = audit.verify_chain(any_db)
    assert full == audit.Verification(
        True,
        second,
        hashes(any_db)[second],
        None,
        f"{second} events verified (2 sealed, checked against the import at event "
        f"{first}, {second})",
        2,
        second,
    )
    # the history badge, resumed after the first import, agrees on every detail
    assert audit.verify_chain(any_db, since=checkpoint) == full
    # a cut chain still counts the sealed events it did check
    for cut in (
        audit.verify_chain(any_db, expect="f" * 64),
        audit.verify_chain(any_db, anchors=[audit.Anchor(second + 1, "f" * 64)]),
    ):
        assert (cut.ok, cut.count, cut.sealed) == (False, second, 2)


def test_an_archive_without_events_imports_as_one_verified_event(any_db: Session) -> None:
    """A community exported before anything happened in it: only the import event."""
    payload = chain.import_payload(1, 0, {})
    audit.record(any_db, None, audit.IMPORT_ACTION, ARCHIVE, payload)
    any_db.commit()
    result = audit.verify_chain(any_db)
    assert (result.ok, result.last_import) == (True, 1)
    assert result.message == "1 event verified (0 sealed, checked against the import at event 1)"


def test_a_check_resumed_after_an_import_still_refuses_a_forged_import(any_db: Session) -> None:
    """An import may not reach back over an earlier one, even when the check resumes from a
    checkpoint taken after that earlier import (it must remember where the import was)."""
    imported = import_history(any_db, OWN, SEALED, OWN)
    checkpoint = audit.verify_chain(any_db)
    assert checkpoint.last_import == imported
    audit.record(any_db, None, "instance.checked", INSTANCE)
    any_db.commit()
    resumed = audit.verify_chain(any_db, since=checkpoint)
    assert resumed == audit.verify_chain(any_db)
    assert resumed.message == (
        f"{imported + 1} events verified (1 sealed, checked against the import at event {imported})"
    )
    forged = forge_import(any_db, first_seq=imported)  # overlaps the real import's own event
    says = f"event {forged} claims an import it does not follow"
    for result in (audit.verify_chain(any_db), audit.verify_chain(any_db, since=checkpoint)):
        assert (result.ok, result.broken_seq, result.message) == (False, forged, says)
        assert result.sealed == 1


def test_a_sealed_event_after_the_last_import_fails_however_long_the_chain(
    any_db: Session,
) -> None:
    import_history(any_db, SEALED, OWN)
    [forged] = chain.append_history(any_db, history(*[OWN] * 130, SEALED))[-1:]
    any_db.commit()
    result = audit.verify_chain(any_db)
    assert (result.ok, result.broken_seq, result.sealed) == (False, forged, 2)
    assert result.message == f"event {forged} is marked sealed, but no import sealed it"


def test_a_checkpoint_of_an_empty_chain_resumes_from_the_first_event(any_db: Session) -> None:
    empty = audit.verify_chain(any_db)
    assert empty == audit.Verification(True, 0, audit.GENESIS_HASH, None, "0 events verified")
    import_history(any_db, SEALED, OWN)
    assert audit.verify_chain(any_db, since=empty) == audit.verify_chain(any_db)


def test_a_rewritten_first_event_is_caught_by_its_checkpoint_and_its_kept_hash(
    any_db: Session,
) -> None:
    """A one-event chain re-hashed after an edit still links: what was kept of it catches it."""
    first = audit.record(any_db, None, "instance.checked", INSTANCE)
    any_db.commit()
    checkpoint = audit.verify_chain(any_db)
    assert checkpoint.message == "1 event verified"
    kept = audit.Anchor(1, first.hash, "the decision record")
    forged = {name: getattr(first, name) for name in chain.HASHED_COLUMNS}
    forged["actor_name"] = "Mallory"
    with triggers_off(any_db):
        any_db.execute(
            text("UPDATE audit_event SET actor_name = :name, hash = :hash WHERE seq = 1"),
            {"name": "Mallory", "hash": audit.compute_hash(forged)},
        )
    assert audit.verify_chain(any_db).ok
    assert audit.verify_chain(any_db, since=checkpoint) == audit.Verification(
        False, 1, first.hash, 1, "event 1 changed after it was verified"
    )
    result = audit.verify_chain(any_db, anchors=[kept])
    assert (result.ok, result.broken_seq, result.message) == (
        False,
        1,
        "event 1 no longer has the hash the decision record holds: the chain was rewritten",
    )


def test_history_whose_payload_is_not_in_canonical_form_still_verifies(any_db: Session) -> None:
    """The hash covers the parsed payload, so spacing in the stored JSON (an archive written
    by other tools) is not an alteration: the quick recomputation differs, the full one not."""
    [spaced] = history(OWN)
    chain.append_history(any_db, [{**spaced, "payload": '{"n": 0}'}])
    any_db.commit()
    assert audit.verify_chain(any_db).ok


def test_the_fast_hash_agrees_with_the_full_one_on_a_postgresql_row() -> None:
    """PostgreSQL hands the time over as an aware datetime (SQLite as text): the quick
    recomputation that keeps verifying cheap must give the stored hash for it too."""
    event = {
        **history(OWN)[0],
        "occurred_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),  # no microseconds
        "seq": 7,
        "prev_hash": "e" * 64,
    }
    row = (*(event[name] for name in chain.HASHED_COLUMNS), audit.compute_hash(event))
    assert chain._fast_hash(row) == row[-1]


@pytest.mark.parametrize(
    ("forge", "broken_seq", "says"),
    [
        (lambda listed: None, 3, "event 3 is not a well-formed import"),
        (lambda listed: [], 1, "event 1 is not sealed as import 3 says"),
        (lambda listed: [[1, "f" * 64]], 1, "sealed event 1 lost its original hash"),
    ],
    ids=["malformed", "seal-left-out", "hash-replaced"],
)
def test_an_import_event_that_does_not_vouch_for_its_seals_is_named(
    any_db: Session, forge: Callable[[list[Any]], Any], broken_seq: int, says: str
) -> None:
    """Even re-hashed, an import event whose list of seals was forged fails where it lies."""
    assert import_history(any_db, SEALED, OWN) == 3
    event = any_db.exec(select(AuditEvent).where(AuditEvent.seq == 3)).one()
    forged = {name: getattr(event, name) for name in chain.HASHED_COLUMNS}
    payload = json.loads(event.payload)
    forged["payload"] = canonical_json({**payload, "sealed": forge(payload["sealed"])})
    with triggers_off(any_db):
        any_db.execute(
            text("UPDATE audit_event SET payload = :payload, hash = :hash WHERE seq = 3"),
            {"payload": forged["payload"], "hash": audit.compute_hash(forged)},
        )
    result = audit.verify_chain(any_db)
    assert (result.ok, result.broken_seq, result.message) == (False, broken_seq, says)
