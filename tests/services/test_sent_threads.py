"""A long discussion sends its newest threads: exactly their comments, however deep the
replies and however late a reply comes to an older thread.

The page reads only the comments from the oldest thread it sends on (queries/proposals.py),
deciding each one's thread as it goes; here that is checked against the plain answer (walk
every comment up to its thread's first comment) on discussions drawn at random.
"""

from __future__ import annotations

import random

import pytest

from agreements import services
from agreements.services.queries.proposals import _sent_comments


def _threads_by_walking(parents: dict[int, int | None]) -> dict[int, int]:
    """Each comment's thread (its first comment), found by walking up its parents."""
    root = {}
    for comment_id in sorted(parents):
        parent = parents[comment_id]
        root[comment_id] = comment_id if parent is None else root[parent]
    return root


@pytest.mark.parametrize("seed", range(6))
def test_the_newest_threads_are_sent_whole_and_nothing_else(any_db, any_make, seed):
    chance = random.Random(seed)
    world = any_make.community(members=2)
    proposal = any_make.proposal(world, stage="consent", text="A different text.\n")
    parents: dict[int, int | None] = {}
    for number in range(chance.randint(0, 45)):
        parent = chance.choice([None, None, *parents]) if parents else None
        author = world.members[number % len(world.members)]
        comment = services.add_comment(
            any_db, author, proposal_id=proposal.id, body=f"Comment {number}.", parent_id=parent
        )
        parents[comment.id] = parent
    any_db.commit()
    root = _threads_by_walking(parents)
    roots = sorted(set(root.values()))
    for threads in (1, 5, 20, None):
        sent, unsent = _sent_comments(any_db, proposal.id, threads)
        newest = set(roots if threads is None else roots[-threads:])
        assert [row.id for row in sent] == sorted(c for c in parents if root[c] in newest)
        assert unsent == len(roots) - len(newest)
