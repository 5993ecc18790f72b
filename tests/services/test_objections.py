"""The objection lifecycle's rules, as the decision record must show them.

An objection quotes only text that is there, is raised only while objections are heard,
and is settled only by the people the rules name. Each settlement is recorded with who
settled it, their reason and whether a facilitator acted for the objector, because that
is what the record of a decision shows people later.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, col, select

from agreements import audit, services
from agreements.errors import Forbidden, InvalidInput, Refused, TooLarge
from agreements.limits import MAX_DISCUSSION_CHARS
from agreements.models import AuditEvent, Concern, Objection
from agreements.wording import Wording
from tests.factories import AGREEMENT_TEXT

PASSAGE = "We share all we learn."  # a sentence of the factory's proposal text


def last_event(session: Session, action: str) -> tuple[AuditEvent, dict[str, object]]:
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.seq).desc())
    ).first()
    assert event is not None, action
    return event, json.loads(event.payload)


@pytest.fixture
def world(any_make):
    return any_make.community(members=2)


@pytest.fixture
def objection(any_db: Session, any_make, world) -> Objection:
    proposal = any_make.proposal(world, stage="objection")
    # someone else's objection first, so an objection's id differs from its proposal's
    services.raise_objection(any_db, world.members[0], proposal_id=proposal.id, reason="Hm.")
    objection = services.raise_objection(
        any_db, world.members[1], proposal_id=proposal.id, reason="Too vague.", passage=PASSAGE
    )
    assert objection.id != proposal.id
    return objection


@pytest.mark.parametrize(
    ("quoted", "stored"),
    [
        (f"  {PASSAGE}\n", PASSAGE),  # copied with the whitespace around it
        ("", None),
        (" \n\t", None),
        (None, None),
    ],
    ids=["padded", "empty", "blank", "none"],
)
def test_a_quoted_passage_is_kept_as_it_reads_in_the_text(
    any_db: Session, any_make, world, quoted: str | None, stored: str | None
) -> None:
    proposal = any_make.proposal(world, stage="objection")
    objection = services.raise_objection(
        any_db, world.members[1], proposal_id=proposal.id, reason="Vague.", passage=quoted
    )
    assert objection.passage == stored
    event, payload = last_event(any_db, "objection.raised")
    assert event.subject_id == objection.id
    assert payload == {"reason": "Vague.", "passage": stored}


def test_a_passage_that_is_not_in_the_text_is_refused(any_db: Session, any_make, world) -> None:
    proposal = any_make.proposal(world, stage="objection")
    events = audit.count_events(any_db)
    with pytest.raises(Refused) as refused:
        services.raise_objection(
            any_db, world.members[1], proposal_id=proposal.id, reason="No.", passage="Not there."
        )
    assert str(refused.value) == (
        "The quoted passage is not in the current text: quote it as it reads now."
    )
    any_db.rollback()
    assert audit.count_events(any_db) == events


@pytest.mark.parametrize("stage", ["proposed", "adopted"])
def test_an_objection_is_heard_only_while_the_protocol_hears_objections(
    any_db: Session, any_make, world, stage: str
) -> None:
    proposal = any_make.proposal(world, stage=stage)
    with pytest.raises(Refused, match="Cannot object now: the proposal is at the"):
        services.raise_objection(any_db, world.members[1], proposal_id=proposal.id, reason="No.")


def test_an_objection_in_the_consent_round_sends_the_proposal_back(
    any_db: Session, any_make, world
) -> None:
    proposal = any_make.proposal(world, stage="consent")
    services.raise_objection(any_db, world.members[1], proposal_id=proposal.id, reason="No.")
    any_db.refresh(proposal)
    assert proposal.state == "objection"
    _event, payload = last_event(any_db, "objection.raised")
    assert payload["state"] == "objection"


def test_an_objector_settles_their_own_objection_without_a_reason(
    any_db: Session, world, objection: Objection
) -> None:
    objector = world.members[1]
    services.withdraw_objection(any_db, objector, objection_id=objection.id)
    any_db.refresh(objection)
    assert (objection.state, objection.settled_by_id) == ("withdrawn", objector.id)
    assert objection.settlement_reason == ""
    event, payload = last_event(any_db, "objection.withdraw")
    assert (event.actor_id, event.subject_type, event.subject_id) == (
        objector.id,
        "objection",
        objection.id,
    )
    assert event.proposal_id == objection.proposal_id
    assert payload == {"state": "withdrawn", "reason": "", "by_facilitator": False}


def test_a_facilitator_settling_for_the_objector_must_say_why(
    any_db: Session, world, objection: Objection
) -> None:
    with pytest.raises(Refused) as refused:
        services.reclassify_objection(
            any_db, world.facilitator, objection_id=objection.id, reason="  "
        )
    assert str(refused.value) == (
        "Reason is required when a facilitator settles someone's objection: "
        "say why, so the objector and everyone else can read it."
    )
    any_db.rollback()
    concern = services.reclassify_objection(
        any_db, world.facilitator, objection_id=objection.id, reason="Not paramount."
    )
    any_db.refresh(objection)
    assert (objection.state, objection.settled_by_id) == ("reclassified", world.facilitator.id)
    assert objection.settlement_reason == "Not paramount."
    _event, payload = last_event(any_db, "objection.reclassify")
    assert payload == {"state": "reclassified", "reason": "Not paramount.", "by_facilitator": True}
    kept = any_db.get(Concern, concern.id)
    assert kept is not None
    assert (kept.text, kept.passage, kept.author_id) == ("Too vague.", PASSAGE, world.members[1].id)
    assert (kept.proposal_id, kept.revision_id) == (objection.proposal_id, objection.revision_id)


def test_only_the_objector_may_withdraw(any_db: Session, world, objection: Objection) -> None:
    for someone in (world.facilitator, world.members[0]):
        with pytest.raises(Forbidden):
            services.withdraw_objection(any_db, someone, objection_id=objection.id)
        any_db.rollback()
    any_db.refresh(objection)
    assert objection.state == "open"


def test_nothing_is_settled_once_the_decision_is_closed(
    any_db: Session, any_make, world, objection: Objection
) -> None:
    services.withdraw_objection(any_db, world.members[1], objection_id=objection.id)
    proposal_id = objection.proposal_id
    services.withdraw_proposal(any_db, world.members[0], proposal_id=proposal_id)
    with pytest.raises(Refused) as refused:
        services.reopen_objection(any_db, world.members[1], objection_id=objection.id)
    assert str(refused.value) == "The decision on this proposal is closed."


def test_an_oversized_passage_is_refused_naming_the_passage(
    any_db: Session, any_make, world
) -> None:
    proposal = any_make.proposal(world, stage="objection")
    with pytest.raises(TooLarge) as refused:
        services.raise_objection(
            any_db,
            world.members[1],
            proposal_id=proposal.id,
            reason="No.",
            passage=PASSAGE * (MAX_DISCUSSION_CHARS // len(PASSAGE) + 1),
        )
    assert str(refused.value).startswith("Passage is too long:")


def test_overruling_needs_a_reason(any_db: Session, world, objection: Objection) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.overrule_objection(any_db, world.facilitator, objection_id=objection.id, reason="")
    assert str(refused.value) == "Reason is required."


def test_an_integrated_objection_names_the_revision_that_integrates_it(
    any_db: Session, world, objection: Objection
) -> None:
    revised = AGREEMENT_TEXT.replace("We share what we learn.", "We share all we learn, openly.")
    revision = services.revise_proposal(
        any_db,
        world.members[0],
        proposal_id=objection.proposal_id,
        text=revised,
        integrates=[objection.id],
    )
    any_db.refresh(objection)
    assert objection.state == "integrating"
    assert objection.integrated_by_revision_id == revision.id
    assert objection.integrated_by_revision_id != objection.revision_id


def test_a_refused_settlement_is_said_in_the_reader_s_language(
    any_db: Session, world, objection: Objection
) -> None:
    """The objection lifecycle's refusal reaches people as a marked text, which pages and
    the API say in the reader's language (not as English only)."""
    with pytest.raises(Forbidden) as refused:
        services.withdraw_objection(any_db, world.facilitator, objection_id=objection.id)
    assert isinstance(refused.value.message, Wording)
    assert str(refused.value.message) == "Cannot withdraw: only the objector may do that"
