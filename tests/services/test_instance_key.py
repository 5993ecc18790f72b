"""The optional instance key (AUDIT_KEY): a re-hashed chain cannot be produced without it.

On SQLite and PostgreSQL: with the key set every new event carries its mac; an edit
followed by re-hashing every later event links again (a plain verify passes) but its macs
no longer match; stripping every mac fails too; events from before the key was set are
vouched for by the first keyed event. `audit verify` checks the macs when the key is set.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from agreements import audit
from agreements.audit import keyed
from agreements.models import AuditEvent
from tests.services.test_audit_chain import TAMPERED, rewrite_and_rehash, triggers_off

KEY = "a long random instance key kept apart from the database"


@pytest.fixture
def keyed_chain(any_db: Session, any_make, monkeypatch: pytest.MonkeyPatch) -> Session:
    """A history written with the instance key set."""
    monkeypatch.setenv(keyed.KEY_VARIABLE, KEY)
    world = any_make.community(members=2)
    any_make.proposal(world, stage="objection")
    return any_db


def test_every_event_carries_its_mac_and_verifies(keyed_chain: Session) -> None:
    macs = keyed_chain.exec(select(AuditEvent.mac)).all()
    assert macs and None not in macs
    assert keyed.verify_keys(keyed_chain, KEY.encode()) == (
        True,
        "every event since 1 carries the instance key's mac",
    )


def test_a_rehashed_chain_links_but_its_macs_do_not_match(keyed_chain: Session) -> None:
    with triggers_off(keyed_chain):
        rewrite_and_rehash(keyed_chain)
    assert audit.verify_chain(keyed_chain).ok  # without the key the forgery links
    ok, said = keyed.verify_keys(keyed_chain, KEY.encode())
    assert not ok and said == f"event {TAMPERED} lacks a valid mac under the instance key"
    assert not keyed.verify_keys(keyed_chain, b"another key")[0]


def test_stripping_every_mac_does_not_pass(keyed_chain: Session) -> None:
    with triggers_off(keyed_chain):
        keyed_chain.execute(text("UPDATE audit_event SET mac = NULL"))
    ok, said = keyed.verify_keys(keyed_chain, KEY.encode())
    assert not ok and "no event carries" in said


def test_events_before_the_key_are_vouched_for_by_the_first_keyed_one(
    any_db: Session, any_make, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = any_make.community(members=1)
    before = audit.count_events(any_db)
    monkeypatch.setenv(keyed.KEY_VARIABLE, KEY)
    any_make.proposal(world, stage="comment")
    ok, said = keyed.verify_keys(any_db, KEY.encode())
    assert ok and said == f"every event since {before + 1} carries the instance key's mac"


def test_audit_verify_checks_the_macs_when_the_key_is_set(
    app, make, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(keyed.KEY_VARIABLE, KEY)
    make.proposal(make.community(members=1), stage="comment")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "carries the instance key's mac" in result.output
    monkeypatch.setenv(keyed.KEY_VARIABLE, "the wrong key")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "lacks a valid mac" in result.output
