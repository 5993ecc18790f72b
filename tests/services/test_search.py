"""Search finds what a person may read, and only that, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from agreements import services
from agreements.errors import InvalidInput, NotFound
from agreements.services.queries.search import MAX_QUERY_CHARS, SearchResults, search
from tests.factories import AGREEMENT_TEXT, Factory, World

UNICODE_TEXT = (
    AGREEMENT_TEXT
    + "\n## Γλώσσα\nΗ συμφωνία μας ισχύει για όλους.\n\n## لغة\nنحن نتخذ القرار معًا.\n\n"  # noqa: RUF001
    "## Café\nLe comité décide ensemble.\n"
)


NEXT_TEXT = AGREEMENT_TEXT.replace("by consent", "together by consent")


def found(results: SearchResults) -> list[tuple[str, str]]:
    """Each hit as (kind, title) for short assertions."""
    return [(hit.kind, hit.title) for hit in results.hits]


def marked(results: SearchResults) -> set[str]:
    """Every word a snippet marks as matching, lowercased."""
    return {text.lower() for hit in results.hits for text, is_match in hit.snippet if is_match}


@pytest.fixture
def world(any_make: Factory) -> World:
    """A private community whose agreement was amended once (versions 1 and 2)."""
    world = any_make.community(members=2)
    any_make.proposal(world, stage="adopted")
    return world


def test_finds_a_word_in_the_current_text_before_older_versions(any_db, any_make, world):
    any_make.proposal(world, stage="adopted", text=NEXT_TEXT)
    results = search(any_db, world.members[1], "share")
    versions = [
        (hit.version_number, hit.is_current) for hit in results.hits if hit.kind == "version"
    ]
    assert versions == [(3, True), (2, False), (1, False)]
    assert results.hits[0].kind == "version" and results.hits[0].is_current
    assert "share" in marked(results)


def test_finds_a_word_only_in_an_old_version(any_db, world):
    """ "what" was replaced by "all" in version 2: only version 1 still says it."""
    results = search(any_db, world.members[1], "what we learn")
    assert [(h.kind, h.version_number) for h in results.hits if h.kind == "version"] == [
        ("version", 1)
    ]
    assert results.hits[0].is_current is False


def test_finds_a_proposal_by_its_title_and_rationale(any_db, any_make, world):
    proposal = any_make.proposal(world, text=NEXT_TEXT)
    assert ("proposal", "Change the purpose") in found(search(any_db, world.members[1], "purpose"))
    assert proposal.id in {h.proposal_id for h in search(any_db, world.members[1], "because").hits}


def test_finds_an_outcome_statement_written_after_the_proposal(any_db, world):
    """The outcome is written when the proposal is adopted: the index follows updates."""
    results = search(any_db, world.members[1], "nobody objected")
    assert found(results) == [("proposal", "Change the purpose")]


def test_finds_a_comment(any_db, any_make, world):
    proposal = any_make.proposal(world, stage="comment", text=NEXT_TEXT)
    comment = services.add_comment(
        any_db,
        world.members[1],
        proposal_id=proposal.id,
        body="Could we say ‘neighbourhood’ here?",  # noqa: RUF001
        kind="question",
    )
    results = search(any_db, world.facilitator, "neighbourhood")
    assert [(h.kind, h.comment_id, h.proposal_id) for h in results.hits] == [
        ("comment", comment.id, proposal.id)
    ]
    assert marked(results) == {"neighbourhood"}


def test_a_private_community_is_invisible_to_outsiders(any_db, any_make, world):
    outsider = any_make.user()
    assert search(any_db, outsider, "share").hits == []
    assert search(any_db, None, "share").hits == []
    admin = any_make.user(admin=True)
    assert search(any_db, admin, "share").hits != []


def test_a_public_community_is_found_by_anyone(any_db, any_make):
    any_make.community(private=False)
    assert {h.kind for h in search(any_db, None, "consent").hits} == {"version"}


def test_a_draft_is_found_by_its_proposer_alone(any_db, any_make, world):
    proposer, other = world.members
    draft = any_make.proposal(world, proposer=proposer, stage="draft", text=NEXT_TEXT)

    def finds_draft(viewer) -> bool:
        return draft.id in {hit.proposal_id for hit in search(any_db, viewer, "purpose").hits}

    assert finds_draft(proposer)
    assert not finds_draft(other)
    assert not finds_draft(world.facilitator)
    assert not finds_draft(any_make.user(admin=True))


def test_a_search_may_keep_to_one_community(any_db, any_make, world):
    """The scope is read through the community's own visibility rule: NotFound to outsiders."""
    other = any_make.community(private=False)
    member = world.members[1]
    everywhere = {hit.community_slug for hit in search(any_db, member, "share").hits}
    assert everywhere == {world.community.slug, other.community.slug}
    scoped = search(any_db, member, "share", community_slug=other.community.slug)
    assert {hit.community_slug for hit in scoped.hits} == {other.community.slug}
    with pytest.raises(NotFound):
        search(any_db, any_make.user(), "share", community_slug=world.community.slug)


# Greek, Arabic and accented Latin, each in its own heading; case is folded.
UNICODE_QUERIES = [
    ("συμφωνία", "συμφωνία"),
    ("Συμφωνία", "συμφωνία"),
    ("القرار", "القرار"),
    ("comité", "comité"),
    ("Comité", "comité"),
]


def test_unicode_words_are_found(any_db, any_make):
    world = any_make.community(text=UNICODE_TEXT)
    for query, word in UNICODE_QUERIES:
        results = search(any_db, world.facilitator, query)
        assert [h.kind for h in results.hits] == ["version"], query
        assert word in marked(results), query


SYNTAX = [
    '"',
    '"share',
    "share*",
    "NEAR(share",
    "NEAR(share, learn)",
    "-share",
    "share OR",
    "OR",
    "share AND NOT",
    "^share",
    "share:",
    "body:share",
    "(share",
    "share)",
    "'share'",
    "share\\",
    "{share}",
    "+share",
    "share & | ! <-> :*",
    "\ue000share\ue001",
    "%_",
]


def test_query_syntax_is_only_characters(any_db, world):
    """Operators of FTS5 and tsquery are looked past: no error, only the words count."""
    for query in SYNTAX:
        results = search(any_db, world.members[1], query)
        assert all(word.isalnum() for word in results.words), query
        if results.words == ["share"]:
            assert results.hits, query
    assert search(any_db, world.members[1], "share OR nothing").hits == []


def test_a_query_with_no_words_finds_nothing(any_db, world):
    assert search(any_db, world.members[1], " ?! ").hits == []


def test_an_overlong_query_is_refused(any_db, world):
    with pytest.raises(InvalidInput):
        search(any_db, world.members[1], "a" * (MAX_QUERY_CHARS + 1))


def test_results_come_a_page_at_a_time(any_db, world):
    first = search(any_db, world.members[1], "share", per_page=1)
    second = search(any_db, world.members[1], "share", page=2, per_page=1)
    assert first.has_next and not second.has_next
    assert first.total == second.total == 2
    assert first.hits[0].version_number == 2 and second.hits[0].version_number == 1


def test_the_longest_agreement_in_four_byte_letters_is_saved_and_found(any_db, any_make):
    """300,000 characters of 4-byte letters are more than a PostgreSQL tsvector holds: the
    write must still succeed, with the beginning of the text searchable."""
    letters = [chr(0x20000 + n) for n in range(5000)]
    words = ["".join(letters[(i * 7 + j) % 5000] for j in range(99)) for i in range(2990)]
    text = "# Long\n\nopening " + " ".join(words)
    world = any_make.community(text=text[:299_000])
    assert [h.kind for h in search(any_db, world.facilitator, "opening").hits] == ["version"]
