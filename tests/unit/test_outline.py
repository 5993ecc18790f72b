"""Which paragraphs of the current text a proposal touches, and the headings of a text."""

from __future__ import annotations

import pytest

from agreements.text.outline import render_blocks, touched_paragraphs

TEXT = "## Purpose\nWe share.\n\n## Care\nWe listen.\n\n## Decisions\nBy consent.\n"


@pytest.mark.parametrize(
    ("proposed", "touched"),
    [
        (TEXT.replace("We listen.", "We listen well."), {3}),  # a reworded paragraph
        (TEXT.replace("We listen.\n", ""), {3}),  # a deleted paragraph
        (TEXT.replace("We share.\n", "We share.\n\nWe teach.\n"), {1}),  # added after it
        (TEXT.replace("We share.", "We\nshare."), set()),  # re-wrapped: nothing changes
        ("New first.\n\n" + TEXT, {0}),  # added before everything: the first paragraph
    ],
)
def test_a_proposal_touches_what_it_changes_or_adds_to(proposed, touched):
    assert touched_paragraphs(TEXT, proposed, TEXT) == touched


def test_a_stale_proposal_touches_where_its_paragraphs_are_now():
    """Written on a text without the Care section, its change lands on Decisions now."""
    base = TEXT.replace("## Care\nWe listen.\n\n", "")
    proposed = base.replace("By consent.", "By consent, in writing.")
    assert touched_paragraphs(base, proposed, TEXT) == {5}


def test_headings_are_found_and_repeated_ones_numbered():
    blocks = render_blocks(
        ["## Scope", "Text with a *word*.", "Care & *conflict*\n---", "## Scope"]
    )
    headings = [(b.heading.level, b.heading.anchor, b.heading.title) for b in blocks if b.heading]
    assert headings == [
        (2, "md-scope", "Scope"),
        (2, "md-care-conflict", "Care & conflict"),
        (2, "md-scope_1", "Scope"),
    ]
    assert 'id="md-scope_1"' in blocks[3].html and blocks[1].heading is None
