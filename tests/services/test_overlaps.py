"""Two open proposals changing the same passage warn each other; separate ones do not."""

from __future__ import annotations

from agreements.services.overlaps import overlapping_proposals
from tests.factories import AGREEMENT_TEXT


def test_proposals_on_the_same_passage_warn_each_other(any_db, any_make):
    world = any_make.community()
    first = any_make.proposal(world, stage="comment")
    second = any_make.proposal(
        world, stage="comment", text=AGREEMENT_TEXT.replace("We share what we learn.", "We share.")
    )
    elsewhere = any_make.proposal(
        world, stage="comment", text=AGREEMENT_TEXT.replace("We speak with respect.", "We listen.")
    )
    warned = overlapping_proposals(any_db, first)
    assert [o.other.id for o in warned] == [second.id]
    assert any("We share what we learn." in p for p in warned[0].passages)
    assert [o.other.id for o in overlapping_proposals(any_db, second)] == [first.id]
    assert overlapping_proposals(any_db, elsewhere) == []
