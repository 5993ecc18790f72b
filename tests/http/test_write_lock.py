"""An action holds SQLite's write lock only while it writes.

A POST's one write transaction begins IMMEDIATE, taking SQLite's one write lock: it claims
the form's one-time token (with the redirect it answers, known beforehand) and runs the use
case, which commits both. What comes after only reads: a redirect reads nothing more, and
a page drawn again (htmx, or a refusal) reads in DEFERRED transactions, as a GET does, so
other people's writes never queue behind the drawing of a page. Counted by the transactions
begun, not timed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event

from agreements.models import Comment
from agreements.storage.engines import BEGIN_OPTION
from agreements.storage.sessions import get_engine

from .conftest import HX, proposal_at
from .test_actions import count

WRITES = ["IMMEDIATE"]  # the token's claim (with its answer) and the use case, together


@pytest.fixture
def begins(app) -> Iterator[list[str]]:
    """How each transaction the app begins while the test holds this list begins."""
    modes: list[str] = []

    def begin(connection) -> None:
        modes.append(connection.get_execution_options().get(BEGIN_OPTION, "IMMEDIATE"))

    engine = get_engine(app)
    event.listen(engine, "begin", begin)
    yield modes
    event.remove(engine, "begin", begin)


def _comment(client, proposal_id: int, body: str, headers: dict[str, str]):
    data = {"body": body, "kind": "reaction", "form_token": f"token-{body}"}
    return client.post(f"/p/{proposal_id}/comment", data=data, headers=headers)


def test_a_redirected_action_takes_the_lock_only_to_write(client, login, world, make, db, begins):
    proposal = proposal_at(make, world, "comment")
    login(client, world.members[1])
    begins.clear()
    response = _comment(client, proposal.id, "Reads well", {})
    assert response.status_code == 303
    assert begins == WRITES
    assert count(db, Comment, proposal_id=proposal.id) == 1


def test_a_page_drawn_again_after_an_action_reads_outside_the_lock(
    client, login, world, make, db, begins
):
    proposal = proposal_at(make, world, "comment")
    login(client, world.members[1])
    begins.clear()
    response = _comment(client, proposal.id, "Reads well", HX)
    assert "Reads well" in response.text and "Your comment is posted." in response.text
    assert begins[: len(WRITES)] == WRITES
    assert set(begins[len(WRITES) :]) == {"DEFERRED"}
    begins.clear()
    refused = _comment(client, proposal.id, "   ", HX)
    assert refused.headers["X-Accord-Status"] == "422"
    assert "DEFERRED" in begins and "IMMEDIATE" not in begins[begins.index("DEFERRED") :]
