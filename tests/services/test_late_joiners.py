"""Members who join while a consent round is open, on SQLite and PostgreSQL.

They may answer the round; they count towards quorum only while their answer counts, so
joining never makes quorum harder to reach (see agreements/tally.py).
"""

from __future__ import annotations

import pytest

from agreements import services
from agreements.errors import NotFound
from agreements.services._context import load_proposal
from tests.factories import AGREEMENT_TEXT


def tally_of(session, actor, proposal_id: int):
    """The open round's tally, as the proposal page and the API compute it."""
    ctx = load_proposal(session, actor, proposal_id, for_update=False)
    round_ = ctx.open_round()
    assert round_ is not None
    return ctx.tally(round_)


def test_a_late_joiner_answers_and_counts_towards_quorum_only_while_answered(any_db, any_make):
    world = any_make.community(members=0, quorum_rule="organisation", quorum_percent=100)
    proposer = world.member(organisation="A")
    proposal = any_make.proposal(world, proposer=proposer, stage="consent")
    newcomer = world.member(organisation="C")
    with pytest.raises(NotFound):
        services.register_stance(
            any_db, any_make.user(), proposal_id=proposal.id, position="consent"
        )
    for person in (proposer, world.facilitator):
        services.register_stance(any_db, person, proposal_id=proposal.id, position="consent")
    tally = tally_of(any_db, world.facilitator, proposal.id)
    assert tally.quorum_detail == "2 of 2 organisations answered, 100% needed"
    assert [(p.user_id, p.status, p.joined_late) for p in tally.participants][-1] == (
        newcomer.id,
        "pending",
        True,
    )

    services.register_stance(any_db, newcomer, proposal_id=proposal.id, position="stand_aside")
    assert tally_of(any_db, newcomer, proposal.id).quorum_detail == (
        "3 of 3 organisations answered, 100% needed"
    )

    services.revise_proposal(
        any_db, proposer, proposal_id=proposal.id, text=AGREEMENT_TEXT + "\nNew clause.\n"
    )
    for person in (proposer, world.facilitator):
        services.reconfirm_stance(any_db, person, proposal_id=proposal.id)
    tally = tally_of(any_db, world.facilitator, proposal.id)
    assert tally.counts["stale"] == 1 and tally.quorum_met
    version = services.adopt_proposal(
        any_db, world.facilitator, proposal_id=proposal.id, outcome_statement="Agreed."
    )
    assert version.text.endswith("New clause.\n")
