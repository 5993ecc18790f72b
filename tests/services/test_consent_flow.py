"""The consent protocol through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from agreements import audit, services
from agreements.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PreconditionFailed,
    Refused,
    TooLarge,
)
from agreements.limits import MAX_AGREEMENT_CHARS
from agreements.models import Concern, Objection, Round, Stance, Version
from tests.factories import AGREEMENT_TEXT, mark_announced, scheduler_sessions


def versions(session, agreement):
    return session.exec(
        select(Version).where(Version.agreement_id == agreement.id).order_by(col(Version.number))
    ).all()


def test_full_decision_adopts_the_consented_text_as_next_version(any_db, any_make):
    world = any_make.community(members=2)
    proposal = any_make.proposal(world, stage="adopted")
    history = versions(any_db, world.agreement)
    assert [v.number for v in history] == [1, 2]
    assert history[1].text == AGREEMENT_TEXT.replace(
        "We share what we learn.", "We share all we learn."
    )
    assert history[1].proposal_id == proposal.id and history[1].parent_id == history[0].id
    assert audit.verify_chain(any_db).ok


def test_consent_round_is_refused_while_an_objection_is_open(any_db, any_make):
    world = any_make.community()
    proposal = any_make.proposal(world, stage="objection")
    services.raise_objection(any_db, world.members[1], proposal_id=proposal.id, reason="Too vague.")
    with pytest.raises(Refused, match="Cannot open the consent round: 1 objection is still open"):
        services.open_consent_round(any_db, world.facilitator, proposal_id=proposal.id)
    any_db.refresh(proposal)
    assert proposal.state == "objection"


@pytest.mark.parametrize(
    ("use_case", "who", "error"),
    [
        ("open_comments", "proposer", Forbidden),
        ("open_comments", "member", Forbidden),
        ("open_comments", "outsider", NotFound),
        ("open_comments", "anonymous", NotFound),
        ("withdraw_proposal", "facilitator", Forbidden),
    ],
)
def test_roles_are_checked_in_the_service(any_db, any_make, use_case, who, error):
    world = any_make.community()
    proposal = any_make.proposal(world, stage="proposed")
    actor = {
        "proposer": world.members[0],
        "member": world.members[1],
        "outsider": any_make.user(),
        "anonymous": None,
        "facilitator": world.facilitator,
    }[who]
    with pytest.raises(error):
        getattr(services, use_case)(any_db, actor, proposal_id=proposal.id)
    any_db.refresh(proposal)
    assert proposal.state == "proposed"


def test_object_stance_sends_the_proposal_back_to_objection(any_db, any_make):
    world = any_make.community()
    proposal = any_make.proposal(world, stage="consent")
    with pytest.raises(InvalidInput, match="Reason is required"):
        services.register_stance(
            any_db, world.members[1], proposal_id=proposal.id, position="object"
        )
    services.register_stance(
        any_db,
        world.members[1],
        proposal_id=proposal.id,
        position="object",
        reason="It excludes newcomers.",
    )
    any_db.refresh(proposal)
    assert proposal.state == "objection"
    objection = any_db.exec(select(Objection).where(Objection.proposal_id == proposal.id)).one()
    assert objection.reason == "It excludes newcomers." and objection.state == "open"
    rounds = any_db.exec(
        select(Round).where(Round.proposal_id == proposal.id).order_by(col(Round.id))
    ).all()
    assert [(r.kind, r.outcome) for r in rounds] == [
        ("objection", "open_consent_round"),
        ("consent", "object"),
        ("objection", None),
    ]


def test_objection_lifecycle_integrate_then_confirm(any_db, any_make):
    world = any_make.community()
    proposer, objector = world.members[0], world.members[1]
    proposal = any_make.proposal(world, stage="objection")
    objection = services.raise_objection(
        any_db,
        objector,
        proposal_id=proposal.id,
        reason="Say 'all'.",
        passage="We share all we learn.",
    )
    new_text = AGREEMENT_TEXT.replace("We share what we learn.", "We share all we learn, openly.")
    services.revise_proposal(
        any_db, proposer, proposal_id=proposal.id, text=new_text, integrates=[objection.id]
    )
    any_db.refresh(objection)
    assert objection.state == "integrating"
    services.reopen_objection(any_db, objector, objection_id=objection.id, reason="Still unclear.")
    any_db.refresh(objection)
    assert objection.state == "open"
    services.revise_proposal(
        any_db,
        proposer,
        proposal_id=proposal.id,
        text=new_text + "\nMore.\n",
        integrates=[objection.id],
    )
    with pytest.raises(Refused, match="Reason is required when a facilitator"):
        services.confirm_resolved(any_db, world.facilitator, objection_id=objection.id)
    services.confirm_resolved(any_db, objector, objection_id=objection.id)
    any_db.refresh(objection)
    assert objection.state == "resolved"
    services.open_consent_round(any_db, world.facilitator, proposal_id=proposal.id)


@pytest.mark.parametrize("ending", ["withdraw", "overrule", "reclassify"])
def test_other_ways_an_objection_stops_blocking(any_db, any_make, ending):
    world = any_make.community()
    proposal = any_make.proposal(world, stage="objection")
    objection = services.raise_objection(
        any_db, world.members[1], proposal_id=proposal.id, reason="No."
    )
    if ending == "withdraw":
        services.withdraw_objection(any_db, world.members[1], objection_id=objection.id)
    elif ending == "overrule":
        with pytest.raises(InvalidInput):
            services.overrule_objection(
                any_db, world.facilitator, objection_id=objection.id, reason=""
            )
        with pytest.raises(Forbidden):
            services.overrule_objection(
                any_db, world.members[0], objection_id=objection.id, reason="Not paramount."
            )
        services.overrule_objection(
            any_db, world.facilitator, objection_id=objection.id, reason="Not paramount."
        )
    else:
        concern = services.reclassify_objection(any_db, world.members[1], objection_id=objection.id)
        assert any_db.get(Concern, concern.id).from_objection_id == objection.id
    services.open_consent_round(any_db, world.facilitator, proposal_id=proposal.id)


def test_new_revision_makes_stances_stale_and_reconfirm_restores_them(any_db, any_make):
    world = any_make.community(members=1, quorum_percent=100)
    proposal = any_make.proposal(world, stage="consent")
    for person in (world.facilitator, world.members[0]):
        services.register_stance(any_db, person, proposal_id=proposal.id, position="consent")
    services.revise_proposal(
        any_db, world.members[0], proposal_id=proposal.id, text=AGREEMENT_TEXT + "\nNew clause.\n"
    )
    with pytest.raises(Refused, match="quorum is not met"):
        services.adopt_proposal(
            any_db, world.facilitator, proposal_id=proposal.id, outcome_statement="Agreed."
        )
    services.reconfirm_stance(any_db, world.facilitator, proposal_id=proposal.id)
    services.reconfirm_stance(any_db, world.members[0], proposal_id=proposal.id)
    with pytest.raises(Refused, match="already applies"):
        services.reconfirm_stance(any_db, world.members[0], proposal_id=proposal.id)
    version = services.adopt_proposal(
        any_db, world.facilitator, proposal_id=proposal.id, outcome_statement="Agreed."
    )
    assert version.text.endswith("New clause.\n")
    kept = any_db.exec(select(Stance).where(Stance.participant_id == world.members[0].id)).all()
    assert len(kept) == 2 and sum(s.is_current for s in kept) == 1


def test_quorum_per_organisation_counts_organisations(any_db, any_make):
    world = any_make.community(members=0, quorum_rule="organisation", quorum_percent=100)
    a1 = world.member(organisation="A")
    world.member(organisation="A")
    b1 = world.member(organisation="B")
    world.facilitator_org = None
    proposal = any_make.proposal(world, proposer=a1, stage="consent")
    services.register_stance(any_db, a1, proposal_id=proposal.id, position="consent")
    with pytest.raises(Refused, match=r"1 of 3 organisations answered"):
        services.adopt_proposal(
            any_db, world.facilitator, proposal_id=proposal.id, outcome_statement="Agreed."
        )
    services.register_stance(any_db, b1, proposal_id=proposal.id, position="stand_aside")
    services.register_stance(any_db, world.facilitator, proposal_id=proposal.id, position="consent")
    services.adopt_proposal(
        any_db, world.facilitator, proposal_id=proposal.id, outcome_statement="Agreed."
    )


def test_lapse_only_without_quorum_and_with_a_reason(any_db, any_make):
    world = any_make.community(members=2, quorum_percent=100)
    proposal = any_make.proposal(world, stage="consent")
    with pytest.raises(InvalidInput):
        services.lapse_proposal(any_db, world.facilitator, proposal_id=proposal.id, reason="  ")
    services.lapse_proposal(
        any_db, world.facilitator, proposal_id=proposal.id, reason="Nobody answered."
    )
    any_db.refresh(proposal)
    assert proposal.state == "lapsed" and proposal.outcome_statement == "Nobody answered."


@pytest.mark.parametrize(
    ("use_case", "field"),
    [
        ("adopt_proposal", "outcome_statement"),
        ("reject_proposal", "reason"),
        ("lapse_proposal", "reason"),
    ],
)
@pytest.mark.parametrize("statement", ["", " \n\t "])
def test_closing_a_proposal_needs_an_outcome_statement(
    any_db, any_make, use_case, field, statement
):
    """Adopting, rejecting and lapsing say what was decided and why, or change nothing."""
    world = any_make.community(members=2, quorum_percent=100)
    proposal = any_make.proposal(world, stage="consent")
    if use_case == "adopt_proposal":
        for person in (world.facilitator, *world.members):
            services.register_stance(any_db, person, proposal_id=proposal.id, position="consent")
    events = audit.count_events(any_db)
    close = getattr(services, use_case)
    with pytest.raises(InvalidInput, match="is required"):
        close(any_db, world.facilitator, proposal_id=proposal.id, **{field: statement})
    any_db.rollback()
    any_db.refresh(proposal)
    assert proposal.state == "consent" and audit.count_events(any_db) == events


def test_stances_after_close_are_refused(any_db, any_make):
    world = any_make.community()
    proposal = any_make.proposal(world, stage="consent")
    services.reject_proposal(
        any_db, world.facilitator, proposal_id=proposal.id, reason="Out of scope."
    )
    with pytest.raises(Refused, match="no consent round open"):
        services.register_stance(
            any_db, world.members[1], proposal_id=proposal.id, position="consent"
        )


def test_stale_base_merges_cleanly_when_changes_do_not_overlap(any_db, any_make):
    world = any_make.community()
    first = any_make.proposal(
        world,
        stage="consent",
        text=AGREEMENT_TEXT.replace("We speak with respect.", "We always speak with respect."),
    )
    second = any_make.proposal(world, stage="adopted")
    assert second.state == "adopted"
    for person in [world.facilitator, *world.members]:
        services.register_stance(any_db, person, proposal_id=first.id, position="consent")
    version = services.adopt_proposal(
        any_db, world.facilitator, proposal_id=first.id, outcome_statement="Agreed."
    )
    assert version.number == 3
    assert (
        "We share all we learn." in version.text and "We always speak with respect." in version.text
    )


def test_a_merge_inside_a_changed_sentence_needs_consent_before_adoption(any_db, any_make):
    """Two edits of one sentence merge cleanly, but nobody consented to the result: it is
    posted as a rebased revision, stances go stale, and only then is it adopted."""
    world = any_make.community(members=1, quorum_percent=100)
    first = any_make.proposal(
        world,
        stage="consent",
        text=AGREEMENT_TEXT.replace("We speak with respect.", "We speak with respect and care."),
    )
    any_make.proposal(
        world,
        stage="adopted",
        text=AGREEMENT_TEXT.replace("We speak with respect.", "We always speak with respect."),
    )
    people = [world.facilitator, *world.members]
    for person in people:
        services.register_stance(any_db, person, proposal_id=first.id, position="consent")
    with pytest.raises(Refused, match="nobody has consented to the merged wording"):
        services.adopt_proposal(
            any_db, world.facilitator, proposal_id=first.id, outcome_statement="Agreed."
        )
    assert [v.number for v in versions(any_db, world.agreement)] == [1, 2]
    rebased = services.rebase_proposal(any_db, world.members[0], proposal_id=first.id)
    assert "We always speak with respect and care." in rebased.text
    with pytest.raises(Refused, match="quorum is not met"):
        services.adopt_proposal(
            any_db, world.facilitator, proposal_id=first.id, outcome_statement="Agreed."
        )
    for person in people:
        services.reconfirm_stance(any_db, person, proposal_id=first.id)
    version = services.adopt_proposal(
        any_db, world.facilitator, proposal_id=first.id, outcome_statement="Agreed."
    )
    assert version.text == rebased.text


def test_conflicting_rebase_is_refused_never_guessed(any_db, any_make):
    world = any_make.community()
    first = any_make.proposal(
        world,
        stage="consent",
        text=AGREEMENT_TEXT.replace("We share what we learn.", "We share nothing."),
    )
    any_make.proposal(world, stage="adopted")
    for person in [world.facilitator, *world.members]:
        services.register_stance(any_db, person, proposal_id=first.id, position="consent")
    with pytest.raises(Refused, match="changed the same passage"):
        services.adopt_proposal(
            any_db, world.facilitator, proposal_id=first.id, outcome_statement="Agreed."
        )
    assert [v.number for v in versions(any_db, world.agreement)] == [1, 2]
    current = versions(any_db, world.agreement)[-1].text
    resolved = current.replace(
        "We share all we learn.", "We share all we learn, and nothing secret."
    )
    services.revise_proposal(
        any_db, world.members[0], proposal_id=first.id, text=resolved, rebase=True
    )
    for person in [world.facilitator, *world.members]:
        services.reconfirm_stance(any_db, person, proposal_id=first.id)
    assert (
        services.adopt_proposal(
            any_db, world.facilitator, proposal_id=first.id, outcome_statement="Agreed."
        ).text
        == resolved
    )


def test_bad_input_changes_nothing(any_db, any_make):
    world = any_make.community()
    before = audit.count_events(any_db)
    with pytest.raises(TooLarge):
        services.propose_amendment(
            any_db,
            world.members[0],
            agreement_id=world.agreement.id,
            title="Big",
            text="x" * (MAX_AGREEMENT_CHARS + 1),
        )
    with pytest.raises(InvalidInput, match="same as the base"):
        services.propose_amendment(
            any_db,
            world.members[0],
            agreement_id=world.agreement.id,
            title="Same",
            text=AGREEMENT_TEXT,
        )
    with pytest.raises(InvalidInput, match="Title is required"):
        services.propose_amendment(
            any_db, world.members[0], agreement_id=world.agreement.id, title=" ", text="new"
        )
    with pytest.raises(NotAuthenticated):
        services.propose_amendment(
            any_db, None, agreement_id=world.agreement.id, title="t", text="new"
        )
    assert audit.count_events(any_db) == before


def test_stale_editor_gets_412(any_db, any_make):
    world = any_make.community()
    proposal = any_make.proposal(world, stage="comment")
    services.revise_proposal(
        any_db, world.members[0], proposal_id=proposal.id, text="Second text\n", expected_revision=1
    )
    with pytest.raises(PreconditionFailed):
        services.revise_proposal(
            any_db,
            world.members[0],
            proposal_id=proposal.id,
            text="Third text\n",
            expected_revision=1,
        )


def test_comments_thread_and_quote_the_text(any_db, any_make):
    world = any_make.community()
    proposal = any_make.proposal(world, stage="comment")
    parent = services.add_comment(
        any_db,
        world.members[1],
        proposal_id=proposal.id,
        body="Why?",
        kind="question",
        anchor="We share all we learn.",
    )
    reply = services.add_comment(
        any_db, world.members[0], proposal_id=proposal.id, body="Because.", parent_id=parent.id
    )
    assert reply.parent_id == parent.id
    with pytest.raises(Refused, match="quoted passage is not in the current text"):
        services.add_comment(
            any_db, world.members[1], proposal_id=proposal.id, body="?", anchor="Not there"
        )


def test_lazy_consensus_adopts_when_the_deadline_passes(any_db, any_make):
    world = any_make.community(protocol="lazy_consensus")
    proposal = services.propose_amendment(
        any_db, world.members[0], agreement_id=world.agreement.id, title="t", text="New text\n"
    )
    services.open_objection_round(any_db, world.facilitator, proposal_id=proposal.id)
    mark_announced(any_db, proposal.id)
    sessions = scheduler_sessions(any_db)
    assert services.run_due(sessions).moved == []
    later = datetime.now(UTC) + timedelta(days=8)
    assert services.run_due(sessions, now=later).moved == [proposal.id]
    any_db.refresh(proposal)
    assert proposal.state == "adopted"
    assert versions(any_db, world.agreement)[-1].text == "New text\n"


def test_lazy_consensus_waits_while_an_objection_is_open(any_db, any_make):
    world = any_make.community(protocol="lazy_consensus")
    proposal = services.propose_amendment(
        any_db, world.members[0], agreement_id=world.agreement.id, title="t", text="New text\n"
    )
    services.open_objection_round(any_db, world.facilitator, proposal_id=proposal.id)
    mark_announced(any_db, proposal.id)
    services.raise_objection(any_db, world.members[1], proposal_id=proposal.id, reason="Wait.")
    report = services.run_due(
        scheduler_sessions(any_db), now=datetime.now(UTC) + timedelta(days=30)
    )
    assert (report.moved, report.blocked) == ([], 1)
    round_id = any_db.exec(select(Round.id).where(Round.proposal_id == proposal.id)).one()
    with pytest.raises(Forbidden):
        services.close_due_round(any_db, world.facilitator, round_id=round_id)


def test_rebase_makes_a_new_revision_that_needs_fresh_stances(any_db, any_make):
    world = any_make.community(members=1, quorum_percent=100)
    stale = any_make.proposal(
        world,
        stage="consent",
        text=AGREEMENT_TEXT.replace("We speak with respect.", "We speak with care."),
    )
    services.register_stance(any_db, world.members[0], proposal_id=stale.id, position="consent")
    any_make.proposal(world, stage="adopted")
    with pytest.raises(NotFound):
        services.rebase_proposal(any_db, any_make.user(), proposal_id=stale.id)
    with pytest.raises(Forbidden, match="proposer or a facilitator"):
        services.rebase_proposal(any_db, world.member(), proposal_id=stale.id)
    rebased = services.rebase_proposal(any_db, world.members[0], proposal_id=stale.id)
    assert rebased.number == 2 and "We share all we learn." in rebased.text
    assert "We speak with care." in rebased.text
    with pytest.raises(Refused, match="Nothing to update"):
        services.rebase_proposal(any_db, world.members[0], proposal_id=stale.id)
    with pytest.raises(Refused, match="quorum is not met"):
        services.adopt_proposal(
            any_db, world.facilitator, proposal_id=stale.id, outcome_statement="Agreed."
        )


def test_a_protocol_may_require_consent_after_a_rebase(any_db, any_make, monkeypatch):
    from dataclasses import replace

    from workflows import protocols

    strict = replace(protocols.CONSENT, reconsent_after_rebase=True)
    monkeypatch.setitem(protocols.PROTOCOLS, "consent", strict)
    world = any_make.community()
    stale = any_make.proposal(
        world,
        stage="consent",
        text=AGREEMENT_TEXT.replace("We speak with respect.", "We speak with care."),
    )
    for person in [world.facilitator, *world.members]:
        services.register_stance(any_db, person, proposal_id=stale.id, position="consent")
    any_make.proposal(world, stage="adopted")
    with pytest.raises(Refused, match="Update the proposal to the latest version"):
        services.adopt_proposal(
            any_db, world.facilitator, proposal_id=stale.id, outcome_statement="Agreed."
        )


@pytest.mark.parametrize("stage", ["objection", "consent"])
@pytest.mark.parametrize("reason", ["", "   \n\t ", None])
def test_an_objection_needs_a_reason(any_db, any_make, stage, reason):
    """Without a reason nobody can integrate an objection: it is refused, nothing changes."""
    world = any_make.community(members=2)
    proposal = any_make.proposal(world, stage=stage)
    events = audit.count_events(any_db)
    with pytest.raises(InvalidInput, match="Reason is required"):
        services.raise_objection(any_db, world.members[1], proposal_id=proposal.id, reason=reason)
    any_db.expire_all()
    assert audit.count_events(any_db) == events
    assert any_db.exec(select(Objection).where(Objection.proposal_id == proposal.id)).all() == []
    assert any_db.get(type(proposal), proposal.id).state == stage
