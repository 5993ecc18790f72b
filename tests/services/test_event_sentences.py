"""Every recorded action reads as its own plain sentence on the history pages.

The scenarios of test_one_event_per_use_case (one per entry of services.USE_CASES, which
that file proves) each run once here; the event they write must have a sentence builder
of its own in agreements.audit.sentences and read as a sentence, not as field names or
snake_case. A use case whose action has no sentence fails here.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from agreements import services
from agreements.audit import IMPORT_ACTION, SEALED_ACTION, sentences
from agreements.audit.events import names_for
from agreements.models import Agreement, AuditEvent, utcnow
from tests.factories import Factory, scheduler_sessions
from tests.services.test_authorisation_matrix import RECORDED_ACTION
from tests.services.test_deadlines import lazy_proposal
from tests.services.test_one_event_per_use_case import SCENARIOS
from tests.unit.test_refusal_messages import jargon_in

RAW = re.compile(r"[a-z]+_[a-z_]+|\bNone\b|\{|\}|[0-9a-f]{16}")


def test_every_recorded_action_has_a_sentence_and_a_filter_label() -> None:
    actions = {*RECORDED_ACTION.values(), IMPORT_ACTION, SEALED_ACTION}
    assert not actions - set(sentences.SENTENCES), "actions without a sentence"
    assert not set(sentences.SENTENCES) - actions, "a sentence for an action nobody records"
    assert set(sentences.LABELS) == set(sentences.SENTENCES)
    # close_due_round records the same actions as adopting and lapsing by hand
    assert set(services.USE_CASES) - set(RECORDED_ACTION) == {"close_due_round"}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_use_cases_event_reads_as_a_sentence(
    name: str, app, db: Session, make: Factory
) -> None:
    world = make.community(members=2)
    with app.test_request_context():
        call = SCENARIOS[name](make, world)
        newest = db.exec(select(AuditEvent.seq).order_by(col(AuditEvent.seq).desc())).first()
        call()
    event = db.exec(select(AuditEvent).where(AuditEvent.seq > newest)).one()
    said = sentences.sentence(event, json.loads(event.payload), names_for(db, [event]))

    assert event.action in sentences.SENTENCES, f"{name} records {event.action} with no sentence"
    assert said[0].isupper() and said.endswith("."), said
    assert not RAW.search(said), f"{name}: raw data in {said!r}"
    assert not jargon_in(said), f"{name}: jargon in {said!r}"
    if event.proposal_id:
        assert re.search(r"“[^”]+”", said), f"{name}: the proposal is not named in {said!r}"
    if "revision" in said:
        assert re.search(r"revision \d", said), said


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        ("consent", "Ana consented to revision 2 of “Shorter meetings”."),
        ("stand_aside", "Ana stood aside on revision 2 of “Shorter meetings”."),
        ("object", "Ana objected to revision 2 of “Shorter meetings”."),
    ],
)
def test_a_stance_names_the_revision_it_was_given_on(position: str, expected: str) -> None:
    event = AuditEvent(
        seq=9, actor_name="Ana", proposal_id=4, action="stance.registered", subject_type="stance",
        payload="{}", prev_hash="", hash="",
    )  # fmt: skip
    names = sentences.Names(proposals={4: "Shorter meetings"}, revisions={(4, "ab" * 32): 2})
    payload = {"position": position, "revision_sha256": "ab" * 32}
    assert sentences.sentence(event, payload, names) == expected


def test_what_the_scheduler_does_at_a_deadline_reads_as_what_happened(
    db: Session, make: Factory
) -> None:
    """Not "Accord adopted…": the deadline decided, and the sentence says how."""
    adopted = lazy_proposal(make, make.community(protocol="lazy_consensus"))
    lapsed = make.proposal(make.community(members=3), stage="consent")  # nobody answers
    report = services.run_due(scheduler_sessions(db), now=utcnow() + timedelta(days=30))
    assert sorted(report.moved) == sorted([adopted.id, lapsed.id])
    db.rollback()
    moved = db.exec(
        select(AuditEvent).where(
            col(AuditEvent.action).in_(["proposal.adopted", "proposal.lapsed"])
        )
    ).all()
    agreement = make.session.get(Agreement, adopted.agreement_id)
    assert agreement is not None
    said = {
        e.action: sentences.sentence(e, json.loads(e.payload), names_for(db, [e])) for e in moved
    }
    assert said == {
        "proposal.adopted": f"The deadline of “{adopted.title}” passed with no objection open, so "
        f"the proposal was adopted as version 2 of “{agreement.title}”.",
        "proposal.lapsed": f"The deadline of “{lapsed.title}” passed before enough people had "
        "answered, so it closed without a decision.",
    }
