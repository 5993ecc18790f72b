"""Shared data for the HTTP tests: a community whose agreement already has a decision."""

from __future__ import annotations

import pytest

from tests.factories import AGREEMENT_TEXT

ADOPTED_TEXT = AGREEMENT_TEXT.replace("We speak with respect.", "We speak with care.")
HX = {"HX-Request": "true"}


@pytest.fixture
def world(make):
    """A private community: a facilitator, two members, an agreement at version 2."""
    world = make.community(members=2)
    make.proposal(world, stage="adopted", text=ADOPTED_TEXT)
    make.session.rollback()  # the factory's last read holds SQLite's write lock; end it
    return world


def proposal_at(make, world, stage: str, proposer=None):
    """A proposal at `stage`, with the test session's transaction ended for the app."""
    proposal = make.proposal(world, proposer, stage=stage)
    make.session.rollback()
    return proposal
