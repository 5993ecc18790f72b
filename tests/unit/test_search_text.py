"""What search makes of typed text and of the database's snippets, with no database."""

from __future__ import annotations

from agreements.services.queries.search import MAX_WORDS, search_words, snippet_pieces
from agreements.text.slugs import slugify


def test_words_are_letters_digits_and_their_marks_only():
    assert search_words('"share* NEAR(care, 2) -x OR') == ["share", "NEAR", "care", "2", "x", "OR"]
    assert search_words("كِتَاب café Συμφωνία") == ["كِتَاب", "café", "Συμφωνία"]
    assert search_words("cafe\u0301") == ["café"]  # a decomposed accent is composed (NFC)
    assert search_words("\ue000 !? ") == []


def test_a_query_is_cut_to_at_most_max_words():
    assert len(search_words("word " * (MAX_WORDS + 5))) == MAX_WORDS


def test_snippets_become_plain_marked_pieces():
    snippet = "…a talk.\n\n## Decisions\nWe **decide** by \ue000consent\ue001: `now`"
    assert snippet_pieces(snippet) == [
        ("…a talk. Decisions We decide by ", False),
        ("consent", True),
        (": now", False),
    ]


def test_search_and_slugs_cut_words_the_same_way():
    """One definition of a word (agreements.text.units.word_runs) serves both; only the
    format characters differ: a slug drops them, a search splits on them as the index does."""
    for title in (
        "Charte de la communauté",
        "ميثاق المجتمع",
        "Χάρτης: της κοινότητας!",
        "2026 plan",
    ):
        assert "-".join(search_words(title)).lower() == slugify(title)
    assert search_words("a\u200db") == ["a", "b"] and slugify("a\u200db") == "ab"
