"""Slugs for every script: readable, unique and URL-safe whatever the title's alphabet."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agreements.text.slugs import MAX_SLUG_CHARS, SLUG_PATTERN, is_slug, slugify, unique_slug


@pytest.mark.parametrize(
    "title, slug",
    [
        ("Our Charter!", "our-charter"),
        ("ميثاق المجتمع", "ميثاق-المجتمع"),
        ("Χάρτης της Κοινότητας", "χάρτης-της-κοινότητας"),
        ("私たちの合意\uff08第二版\uff09", "私たちの合意-第二版"),
        ("Charte commune — Ελληνικά & 日本語, 2026", "charte-commune-ελληνικά-日本語-2026"),
        ("हिन्दी समझौता", "हिन्दी-समझौता"),  # vowel signs (combining marks) stay in the word
        ("\uff26\uff35\uff2c\uff2c\u3000\uff37\uff49\uff44\uff54\uff48", "full-width"),  # NFKC
        ("Right\u202eto\u200bleft", "righttoleft"),  # invisible format characters dropped
    ],
)
def test_a_title_in_any_script_gives_a_readable_slug(title, slug):
    assert slugify(title) == slug
    assert is_slug(slug) and re.match(SLUG_PATTERN, slug)


@pytest.mark.parametrize("title", ["!!! ???", "— · —", "", "\u200b"])
def test_a_title_without_letters_or_digits_has_no_slug(title):
    assert slugify(title) == ""


def test_long_titles_are_cut_at_a_word_boundary():
    whole = slugify("Ένας πολύ μεγάλος τίτλος " * 10, limit=1000)
    slug = slugify("Ένας πολύ μεγάλος τίτλος " * 10)
    assert len(slug) <= MAX_SLUG_CHARS
    assert whole.startswith(slug + "-")


def test_duplicates_get_a_number_that_fits_the_length_limit():
    taken = {"χάρτης", "χάρτης-2"}
    assert unique_slug("χάρτης", taken.__contains__) == "χάρτης-3"
    long = "λ" * MAX_SLUG_CHARS
    numbered = unique_slug(long, {long}.__contains__)
    assert numbered.endswith("-2") and len(numbered) == MAX_SLUG_CHARS


@pytest.mark.parametrize("value", ["Our-charter", "our--charter", "-our", "our_charter", "a b"])
def test_values_that_are_not_slugs_are_told_apart(value):
    assert not is_slug(value)


@given(st.text())
def test_every_slug_is_its_own_slug_and_matches_the_published_pattern(title):
    """What the services make is what the API's OpenAPI pattern and the address accept."""
    slug = slugify(title)
    assert slugify(slug) == slug
    assert slug == "" or re.match(SLUG_PATTERN, slug)
