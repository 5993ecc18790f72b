"""Each main page makes a fixed number of SQL statements, however much history there is.

A page whose queries grow with its comments, stances or versions (one query per row, or
a list that loads every version) is what made pages slow on a lived-in community. Each
page is counted on a small community, then again after it has grown (more versions, more
members with stances, more comments and replies); the counts must not change. Counts, not
timings: no test here depends on the machine's speed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event

from agreements import services
from agreements.storage.sessions import get_engine

PAGES = ("community", "agreement", "history", "proposal", "compare", "record")


def _paths(world, proposal_id: int) -> dict[str, str]:
    base = f"/c/{world.community.slug}/a/{world.agreement.slug}"
    return {
        "community": f"/c/{world.community.slug}",
        "agreement": base,
        "history": f"{base}/history",
        "proposal": f"/p/{proposal_id}",
        "compare": f"{base}/compare",
        "record": f"{base}/v/2/record",
    }


@pytest.fixture
def statements(app) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs while the test holds this list."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def _discuss(db, world, proposal_id: int, comments: int, start: int = 0) -> None:
    first = None
    for number in range(start, start + comments):
        author = world.members[number % len(world.members)]
        comment = services.add_comment(
            db,
            author,
            proposal_id=proposal_id,
            body=f"Comment {number}, with a [link](https://example.org) and *emphasis*.",
            parent_id=first if number % 3 == 2 else None,
        )
        first = first or comment.id
    db.commit()


def _count(client, statements: list[str], paths: dict[str, str]) -> dict[str, int]:
    counts = {}
    for page, path in paths.items():
        assert client.get(path).status_code == 200, page  # warms per-process caches
        statements.clear()
        assert client.get(path).status_code == 200, page
        counts[page] = len(statements)
    return counts


def test_no_main_page_makes_more_queries_as_history_grows(
    client, login, db, make, statements
) -> None:
    world = make.community(members=2)
    make.proposal(world, stage="adopted")
    waiting = make.proposal(world, stage="consent", text="A different text.\n")
    # Stale from the start (a version adopted since it began), as it is once grown: the
    # counts compare one page in one state, with more history behind it.
    make.proposal(world, stage="adopted", text="Version text before.\n")
    _discuss(db, world, waiting.id, 2)
    services.register_stance(db, world.members[1], proposal_id=waiting.id, position="consent")
    db.commit()
    login(client, world.members[0])
    paths = _paths(world, waiting.id)
    small = _count(client, statements, paths)

    for _ in range(3):  # more versions, each from a complete decision
        make.proposal(world, stage="adopted", text=f"Version text {_}.\n")
    for _ in range(4):  # more members, each giving a stance on the waiting proposal
        person = world.member()
        services.register_stance(db, person, proposal_id=waiting.id, position="consent")
    _discuss(db, world, waiting.id, 18)
    grown = _count(client, statements, paths)

    assert grown == small


def test_a_long_discussion_sends_only_its_newest_threads(
    client, login, db, make, statements
) -> None:
    """Over 20 threads, the page sends the newest 20 and links to the rest (?threads=all),
    with as many statements either way as a short discussion."""
    world = make.community(members=2)
    waiting = make.proposal(world, stage="consent", text="A different text.\n")
    _discuss(db, world, waiting.id, 2)
    login(client, world.members[0])
    pages = {"newest": f"/p/{waiting.id}", "all": f"/p/{waiting.id}?threads=all"}
    small = _count(client, statements, pages)

    _discuss(db, world, waiting.id, 31, start=2)  # 23 threads, 10 replies to comment 2
    assert _count(client, statements, pages) == small
    newest = client.get(pages["newest"]).get_data(as_text=True)
    assert "Show the 3 earlier threads" in newest
    assert f'href="/p/{waiting.id}?threads=all#discussion"' in newest
    oldest = ("Comment 0,", "Comment 1,", "Comment 2,", "Comment 5,")  # 5 replies to 2
    assert not any(text in newest for text in oldest)
    assert "Comment 31," in newest and "Comment 3," in newest
    everything = client.get(pages["all"]).get_data(as_text=True)
    assert all(text in everything for text in oldest)
    assert "earlier threads" not in everything


@pytest.mark.parametrize(
    ("stage", "action", "form"),
    [
        ("objection", "object", {"reason": "Say who shares the minutes."}),
        ("comment", "comment", {"kind": "question", "body": "Who keeps it?", "anchor": ""}),
    ],
)
def test_a_write_reads_its_proposal_once_though_its_notifications_name_it(
    client, login, db, make, statements, stage, action, form
) -> None:
    """The notifications written when the use case commits name the proposal it acted on;
    the session keeps that proposal until then instead of reading it again."""
    world = make.community(members=3)
    proposal = make.proposal(world, stage=stage)
    login(client, world.members[1])
    statements.clear()
    response = client.post(f"/p/{proposal.id}/{action}", data=form)
    assert response.status_code == 303
    reads = [s for s in statements if s.lstrip().startswith("SELECT proposal.id")]
    notified = [s for s in statements if "INSERT INTO notification" in s]
    assert len(notified) == 1  # the proposer (and for an objection the facilitator) is told
    assert len(reads) == 1
