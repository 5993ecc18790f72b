"""A round's count is kept per process under the stamp of its answers (services/_context.py),
on SQLite and PostgreSQL: each new or changed answer shows at once, and a count made inside
a transaction that wrote is never kept, since that write may still be rolled back."""

from __future__ import annotations

from agreements import services
from agreements.models import Stance
from agreements.services._context import load_proposal


def tally_of(session, actor, proposal_id: int):
    """The open round's tally, as the proposal page computes it."""
    ctx = load_proposal(session, actor, proposal_id, for_update=False)
    round_ = ctx.open_round()
    assert round_ is not None
    return ctx.tally(round_)


def statuses(tally) -> dict[int, str]:
    return {p.user_id: p.status for p in tally.participants}


def test_each_new_or_changed_answer_shows_in_the_next_count(any_db, any_make):
    world = any_make.community(members=2)
    proposal = any_make.proposal(world, stage="consent")
    first, second = world.members
    any_db.commit()
    assert set(statuses(tally_of(any_db, first, proposal.id)).values()) == {"pending"}
    any_db.rollback()
    for person, position in ((first, "consent"), (second, "stand_aside"), (first, "stand_aside")):
        services.register_stance(
            any_db, person, proposal_id=proposal.id, position=position, reason="Why not."
        )
        counted = statuses(tally_of(any_db, world.facilitator, proposal.id))
        any_db.rollback()
        assert counted[person.id] == position
    assert (counted[first.id], counted[second.id]) == ("stand_aside", "stand_aside")


def test_a_count_made_inside_a_write_that_is_rolled_back_is_not_kept(any_db, any_make):
    """SQLite gives the next row the id a rolled-back row had: a count kept from the
    rolled-back answer would stand for the next person's answer."""
    world = any_make.community(members=2)
    proposal = any_make.proposal(world, stage="consent")
    first, second = world.members
    any_db.commit()
    ctx = load_proposal(any_db, first, proposal.id, for_update=False)
    round_, revision = ctx.open_round(), ctx.latest_revision()
    any_db.add(
        Stance(
            round_id=round_.id,
            participant_id=first.id,
            revision_id=revision.id,
            text_sha256=revision.text_sha256,
            position="object",
            reason="Never sent.",
        )
    )
    any_db.flush()
    assert statuses(tally_of(any_db, first, proposal.id))[first.id] == "object"
    any_db.rollback()

    services.register_stance(any_db, second, proposal_id=proposal.id, position="consent")
    counted = statuses(tally_of(any_db, world.facilitator, proposal.id))
    assert (counted[first.id], counted[second.id]) == ("pending", "consent")
