"""Export, import and decision records: the history leaves Accord intact and provable.

A community's archive, imported into an empty database, verifies to the very head hash it
was exported at; it carries nothing of the other communities on the instance but sealed
hashes. The demo's decision record says exactly what its audit events say.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from agreements import audit, services
from agreements.audit import archive, archive_merge
from agreements.audit.canonical import sha256_text
from agreements.demo import V3, seed_demo
from agreements.errors import InvalidInput, NotFound, Refused
from agreements.models import (
    Agreement,
    AuditEvent,
    Community,
    Membership,
    Notification,
    Proposal,
    User,
    Version,
)
from agreements.services.queries.decision_records import build_record
from agreements.storage.engines import make_engine
from tests.services.test_audit_chain import triggers_off

DEMO = "climate-litigators"
SECRET = "A private worry of another community"


@pytest.fixture
def instance(db: Session, make) -> Session:
    """The demo, plus a second, private community whose discussion must never leak."""
    seed_demo(db)
    other = make.community(members=1, private=True)
    proposal = make.proposal(other, stage="comment")
    services.add_comment(db, other.members[0], proposal_id=proposal.id, body=SECRET)
    return db


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path):
    """A session on a second, empty database (beside the app's), on each backend."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
    else:
        shutil.copyfile(sqlite_template, tmp_path / "restored.sqlite")
        url = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


def test_an_imported_archive_verifies_to_the_same_head(
    instance: Session, empty_db: Session
) -> None:
    exported = archive.export_community(instance, DEMO)
    assert exported["head_hash"] == audit.verify_chain(instance).head_hash
    archive.import_archive(empty_db, json.loads(archive.dump_archive(exported)))
    archived_head = audit.Anchor(exported["head_seq"], exported["head_hash"])
    result = audit.verify_chain(empty_db, anchors=[archived_head])
    assert result.ok, result.message
    assert result.count == audit.count_events(instance) + 1  # the import's own event
    assert f"checked against the import at event {result.count}" in result.message
    assert audit.head(empty_db).action == audit.IMPORT_ACTION  # type: ignore[union-attr]
    assert result.sealed == sum(1 for event in exported["events"] if "action" not in event)
    assert empty_db.exec(select(Version.text).order_by(col(Version.id))).all()[-1] == V3
    assert len(empty_db.exec(select(Proposal)).all()) == 4
    before, after = (
        asdict(build_record(session, _member(session), DEMO, "community-agreement", 3))
        for session in (instance, empty_db)
    )
    moment = {"generated_at": None, "head_seq": None, "head_hash": None}  # the import's event
    assert {**before, **moment} == {**after, **moment}

    buddy = empty_db.exec(select(Proposal).where(Proposal.state == "comment")).first()
    services.add_comment(empty_db, _member(empty_db), proposal_id=buddy.id, body="Moved in!")
    assert audit.verify_chain(empty_db).ok  # work goes on: ids and the chain continue


def test_after_an_import_only_the_events_it_sealed_may_stand_sealed(
    instance: Session, empty_db: Session
) -> None:
    exported = archive.export_community(instance, DEMO)
    archive.import_archive(empty_db, json.loads(archive.dump_archive(exported)))
    own = next(event for event in exported["events"][5:] if "action" in event)
    with triggers_off(empty_db):
        empty_db.execute(
            text("UPDATE audit_event SET action = :sealed, payload = '{}' WHERE seq = :s"),
            {"sealed": audit.SEALED_ACTION, "s": own["seq"]},
        )
    result = audit.verify_chain(empty_db)
    assert not result.ok and result.broken_seq == own["seq"], result.message


def test_a_forged_import_event_is_named_with_what_is_wrong(
    instance: Session, empty_db: Session
) -> None:
    """An import event vouches for the sealed events before it, so each way of forging its
    list (even with its own hash recomputed) fails at the event that no longer checks out."""
    archive.import_archive(empty_db, json.loads(archive.dump_archive(
        archive.export_community(instance, DEMO)
    )))  # fmt: skip
    event = audit.head(empty_db)
    assert event is not None and event.action == audit.IMPORT_ACTION
    genuine, seq = json.loads(event.payload), event.seq
    first_sealed, original = genuine["sealed"][0]
    forgeries = [
        ({**genuine, "first_seq": "one"}, seq, f"event {seq} is not a well-formed import"),
        ({**genuine, "last_seq": seq - 2}, seq, f"event {seq} claims an import it does not follow"),
        (
            {**genuine, "sealed": [[first_sealed, "f" * 64], *genuine["sealed"][1:]]},
            first_sealed,
            f"sealed event {first_sealed} lost its original hash",
        ),
    ]
    assert original != "f" * 64
    for payload, broken_seq, message in forgeries:
        with triggers_off(empty_db):
            event.payload = json.dumps(payload)
            empty_db.execute(
                text("UPDATE audit_event SET payload = :p, hash = :h WHERE seq = :s"),
                {"p": event.payload, "h": audit.compute_hash(event), "s": seq},
            )
        result = audit.verify_chain(empty_db)
        assert (result.ok, result.broken_seq, result.message) == (False, broken_seq, message)


def test_an_archive_carries_no_other_community_and_no_secrets(instance: Session) -> None:
    dumped = archive.dump_archive(archive.export_community(instance, DEMO))
    assert SECRET not in dumped
    assert "password_hash" not in dumped
    outsiders = instance.exec(select(User.email).where(col(User.email).endswith("@example.org")))
    assert not [email for email in outsiders if email in dumped]  # the other community's people


def test_a_tampered_archive_is_refused_and_nothing_is_imported(
    instance: Session, empty_db: Session
) -> None:
    exported = json.loads(archive.dump_archive(archive.export_community(instance, DEMO)))
    objection = next(e for e in exported["events"] if e.get("action") == "objection.raised")
    objection["payload"] = json.dumps({"reason": "I never said that.", "passage": None})
    with pytest.raises(InvalidInput, match="does not verify"):
        archive.import_archive(empty_db, exported)
    assert audit.count_events(empty_db) == 0


def test_a_damaged_archive_is_refused(instance: Session, empty_db: Session) -> None:
    exported = json.loads(archive.dump_archive(archive.export_community(instance, DEMO)))
    del exported["tables"]["version"][0]["text"]
    with pytest.raises(InvalidInput, match="damaged"):
        archive.import_archive(empty_db, exported)
    assert audit.count_events(empty_db) == 0


def test_import_refuses_a_database_that_is_not_empty(instance: Session) -> None:
    with pytest.raises(Refused, match="not empty"):
        archive.import_archive(instance, archive.export_community(instance, DEMO))


def _member(session: Session) -> User:
    return session.exec(select(User).where(User.email == "jonas@demo.accord")).one()


def _events(session: Session, proposal_id: int, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(
        AuditEvent.proposal_id == proposal_id, AuditEvent.action == action
    )
    return list(session.exec(query.order_by(col(AuditEvent.seq))))


def test_the_demo_decision_record_matches_its_events(instance: Session) -> None:
    record = build_record(instance, _member(instance), DEMO, "community-agreement", 3)
    adopted = _events(instance, record.proposal_id, "proposal.adopted")[0]
    payload = json.loads(adopted.payload)
    assert record.title == "Describe consent and confidentiality"
    assert record.adoption_event_hash == adopted.hash
    assert record.outcome_statement == payload["outcome_statement"]
    assert record.adopted_text_sha256 == payload["version_sha256"] == sha256_text(V3)
    assert record.head_hash == audit.head(instance).hash  # type: ignore[union-attr]

    stances = _events(instance, record.proposal_id, "stance.registered")
    assert sorted(s.person for s in record.consents) == sorted(e.actor_name for e in stances)
    assert all(s.organisation for s in record.consents) and not record.stand_asides

    [raised] = _events(instance, record.proposal_id, "objection.raised")
    [objection] = record.objections
    assert (objection.author, objection.reason) == (
        raised.actor_name,
        json.loads(raised.payload)["reason"],
    )
    assert objection.state == "resolved" and objection.integrated_by_revision == 2
    assert [r["number"] for r in record.revisions] == [1, 2]
    assert record.diff_summary.startswith("3 paragraphs changed")

    markdown, as_json = record.to_markdown(), json.loads(record.to_json())
    assert objection.reason in markdown and record.head_hash in markdown
    assert as_json["adoption_event_hash"] == adopted.hash
    assert len(as_json["consents"]) == 6


def test_an_imported_version_has_no_decision_record(instance: Session) -> None:
    with pytest.raises(NotFound, match="imported"):
        build_record(instance, _member(instance), DEMO, "community-agreement", 1)


def test_outsiders_get_no_record_of_a_private_community(instance: Session) -> None:
    with pytest.raises(NotFound, match="nothing you may see"):
        build_record(instance, None, DEMO, "community-agreement", 3)


@pytest.fixture
def busy_db(empty_db: Session) -> Session:
    """A second instance with a community of its own and Jonas already holding an account."""
    from tests.factories import Factory

    make = Factory(empty_db)
    own = make.community(members=1)
    make.proposal(own, stage="comment")
    jonas = make.user("Jonas here")
    jonas.email = "jonas@demo.accord"
    empty_db.add(jonas)
    empty_db.commit()
    return empty_db


def test_an_archive_merges_into_an_instance_with_other_communities(
    instance: Session, busy_db: Session
) -> None:
    before = audit.count_events(busy_db)
    exported = json.loads(archive.dump_archive(archive.export_community(instance, DEMO)))
    own_events = [event for event in exported["events"] if "action" in event]

    notified = len(busy_db.exec(select(Notification)).all())

    result = archive_merge.import_community(busy_db, exported)

    assert result.ok and result.sealed == 0, result.message
    assert len(busy_db.exec(select(Notification)).all()) == notified  # history, not news
    assert result.count == before + len(own_events) + 1
    imported = audit.head(busy_db)
    assert imported.action == audit.IMPORT_ACTION  # type: ignore[union-attr]
    payload = json.loads(imported.payload)  # type: ignore[union-attr]
    assert payload["archive"]["head_hash"] == exported["head_hash"]
    assert [entry[1:] for entry in payload["events"]] == [
        [event["seq"], event["hash"]] for event in own_events
    ]
    community = busy_db.exec(select(Community).where(Community.slug == DEMO)).one()
    versions = busy_db.exec(
        select(Version.text).join(Agreement).where(Agreement.community_id == community.id)
    ).all()
    assert V3 in versions
    jonas = _member(busy_db)  # the existing account, joined to the community, name kept
    assert jonas.display_name == "Jonas here"
    assert busy_db.exec(
        select(Membership).where(
            Membership.user_id == jonas.id, Membership.community_id == community.id
        )
    ).one()
    assert not busy_db.exec(select(User).where(User.email == "admin@demo.accord")).one().is_admin
    proposal = busy_db.exec(
        select(Proposal)
        .join(Agreement)
        .where(Agreement.community_id == community.id, Proposal.state == "comment")
    ).first()
    assert proposal is not None
    services.add_comment(busy_db, jonas, proposal_id=proposal.id, body="Moved in!")
    assert audit.verify_chain(busy_db).ok


def test_a_taken_address_is_refused_unless_a_new_one_is_given(
    instance: Session, busy_db: Session
) -> None:
    exported = archive.export_community(instance, DEMO)
    archive_merge.import_community(busy_db, json.loads(archive.dump_archive(exported)))
    events = audit.count_events(busy_db)
    again = json.loads(archive.dump_archive(exported))
    with pytest.raises(Refused, match=f"'{DEMO}' already exists here"):
        archive_merge.import_community(busy_db, again)
    assert audit.count_events(busy_db) == events
    archive_merge.import_community(busy_db, again, slug="climate-copy")
    assert busy_db.exec(select(Community).where(Community.slug == "climate-copy")).one()
    assert audit.verify_chain(busy_db).ok


def test_a_tampered_archive_is_not_merged(instance: Session, busy_db: Session) -> None:
    exported = json.loads(archive.dump_archive(archive.export_community(instance, DEMO)))
    objection = next(e for e in exported["events"] if e.get("action") == "objection.raised")
    objection["payload"] = json.dumps({"reason": "I never said that.", "passage": None})
    events = audit.count_events(busy_db)
    with pytest.raises(InvalidInput, match="does not verify"):
        archive_merge.import_community(busy_db, exported)
    assert audit.count_events(busy_db) == events
    assert not busy_db.exec(select(Community).where(Community.slug == DEMO)).first()
