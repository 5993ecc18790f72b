"""Rebasing amendments: exact, diff3-style, and never a guess."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.text import merge
from agreements.text.diff import MAX_TEXT_CHARS, TextTooLarge, tokenize
from agreements.text.merge import (
    Conflict,
    MergeResult,
    overlapping_passages,
    paragraph_provenance,
    three_way_merge,
)

SETTINGS = settings(max_examples=120, deadline=None)
VOCABULARY = ["the", "community", "agrees", "وافق", "共同体", "שלום", "👍🏽", "e\u0301", ",", "."]
texts = st.one_of(
    st.text(),
    st.lists(st.sampled_from([*VOCABULARY, " ", "\n", "\n\n"]), max_size=30).map("".join),
)


@SETTINGS
@given(base=texts, other=texts)
def test_merging_with_an_unchanged_side_is_exact(base: str, other: str) -> None:
    assert three_way_merge(base, base, other) == MergeResult(other, ())
    assert three_way_merge(base, other, base) == MergeResult(other, ())
    assert three_way_merge(base, other, other) == MergeResult(other, ())


@st.composite
def agreements_with_two_amendments(draw: st.DrawFn) -> tuple[list[list[str]], set[int], set[int]]:
    """An agreement of paragraphs of distinct words, and which paragraphs each side edits."""
    count = draw(st.integers(2, 8))
    paragraphs = [[f"p{n}w{w}" for w in range(draw(st.integers(1, 12)))] for n in range(count)]
    current = draw(st.sets(st.integers(0, count - 1)))
    proposed = draw(st.sets(st.integers(0, count - 1)))
    return paragraphs, current, proposed


def write(paragraphs: list[list[str]], edits: dict[int, str]) -> str:
    """The agreement, wrapped five words a line, with the last word of some paragraphs
    replaced."""
    blocks = []
    for n, words in enumerate(paragraphs):
        words = [*words[:-1], edits[n]] if n in edits else words
        lines = [" ".join(words[i : i + 5]) for i in range(0, len(words), 5)]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


@SETTINGS
@given(agreements_with_two_amendments())
def test_edits_of_different_paragraphs_both_survive_the_rebase(
    case: tuple[list[list[str]], set[int], set[int]],
) -> None:
    paragraphs, current_edits, proposed_edits = case
    proposed_edits -= current_edits
    current = {n: f"CURRENT{n}" for n in current_edits}
    proposed = {n: f"PROPOSED{n}" for n in proposed_edits}
    result = three_way_merge(
        write(paragraphs, {}), write(paragraphs, current), write(paragraphs, proposed)
    )
    assert result == MergeResult(write(paragraphs, current | proposed), ())


@SETTINGS
@given(agreements_with_two_amendments())
def test_different_edits_of_the_same_words_conflict(
    case: tuple[list[list[str]], set[int], set[int]],
) -> None:
    paragraphs, current_edits, proposed_edits = case
    both = current_edits & proposed_edits
    current = {n: f"CURRENT{n}" for n in current_edits}
    proposed = {n: f"PROPOSED{n}" for n in proposed_edits}
    result = three_way_merge(
        write(paragraphs, {}), write(paragraphs, current), write(paragraphs, proposed)
    )
    assert result.is_clean == (not both)
    if both:
        assert result.text is None
        assert {c.current.split()[-1] for c in result.conflicts} == {current[n] for n in both}
        assert {c.proposed.split()[-1] for c in result.conflicts} == {proposed[n] for n in both}


@st.composite
def amended_texts(draw: st.DrawFn) -> tuple[str, str, str]:
    """A base text and two amendments that each edit a few places of it."""
    pieces = [*VOCABULARY, " ", "\n", "\n\n"]
    base = draw(st.lists(st.sampled_from(pieces), max_size=40))
    amended = []
    for _ in range(2):
        text = list(base)
        for _ in range(draw(st.integers(0, 3))):
            at = draw(st.integers(0, len(text)))
            text[at : at + draw(st.integers(0, 2))] = draw(
                st.lists(st.sampled_from(pieces), max_size=2)
            )
        amended.append("".join(text))
    return "".join(base), amended[0], amended[1]


@SETTINGS
@given(st.one_of(amended_texts(), st.tuples(texts, texts, texts)))
def test_a_merge_writes_nothing_that_nobody_wrote(case: tuple[str, str, str]) -> None:
    base, current, proposed = case
    result = three_way_merge(base, current, proposed)
    mirrored = three_way_merge(base, proposed, current)
    assert result.text == mirrored.text
    assert result.is_clean == (result.text is not None)
    words = [token for token in tokenize(result.text or "") if not token.isspace()]
    assert all(any(word in text for text in (base, current, proposed)) for word in words)
    for conflict in result.conflicts:
        assert conflict.base in base
        assert conflict.current in current
        assert conflict.proposed in proposed


BASE = "# Agreement\n\nWe meet monthly, on Mondays.\nWe decide by consent.\n\nWe share the notes.\n"


@pytest.mark.parametrize(
    ("current", "proposed", "merged"),
    [
        pytest.param(
            BASE.replace("monthly", "weekly"),
            BASE.replace("Mondays", "Fridays"),
            BASE.replace("monthly", "weekly").replace("Mondays", "Fridays"),
            id="two-words-of-one-line",
        ),
        pytest.param(
            BASE.replace("monthly", "weekly"),
            BASE.replace("monthly", "weekly"),
            BASE.replace("monthly", "weekly"),
            id="the-same-change",
        ),
        pytest.param(
            BASE + "\nNew rule.\n",
            BASE.replace("# Agreement", "# Our agreement"),
            "# Our agreement" + BASE[len("# Agreement") :] + "\nNew rule.\n",
            id="insert-and-edit-elsewhere",
        ),
        pytest.param(
            BASE.replace("We share the notes.\n", ""),
            BASE.replace("consent", "consensus"),
            BASE.replace("We share the notes.\n", "").replace("consent", "consensus"),
            id="delete-and-edit-elsewhere",
        ),
        pytest.param(
            BASE.replace("monthly", "weekly"),
            BASE.rstrip("\n"),
            BASE.replace("monthly", "weekly").rstrip("\n"),
            id="final-newline-removed",
        ),
    ],
)
def test_changes_in_different_places_merge(current: str, proposed: str, merged: str) -> None:
    result = three_way_merge(BASE, current, proposed)
    assert (result.text, result.conflicts) == (merged, ())


MEETINGS = "We meet monthly, on Mondays.\nWe decide by consent."


@pytest.mark.parametrize(
    ("current", "proposed", "within"),
    [
        pytest.param(
            BASE.replace("monthly", "weekly"),
            BASE.replace("Mondays", "Fridays"),
            (MEETINGS,),
            id="two-words-of-one-sentence",
        ),
        pytest.param(
            BASE.replace("monthly", "weekly"),
            BASE.replace("consent", "consensus"),
            (MEETINGS,),
            id="two-lines-of-one-paragraph",
        ),
        pytest.param(
            BASE.replace("monthly", "weekly"),
            BASE.replace("notes", "minutes"),
            (),
            id="different-paragraphs",
        ),
        pytest.param(
            BASE.replace("monthly", "weekly"),
            BASE.replace("monthly", "weekly"),
            (),
            id="the-same-change",
        ),
    ],
)
def test_a_clean_merge_names_the_paragraphs_both_sides_changed(
    current: str, proposed: str, within: tuple[str, ...]
) -> None:
    """Wording merged inside a paragraph the proposal changed was consented to by nobody."""
    result = three_way_merge(BASE, current, proposed)
    assert result.is_clean and result.merged_within == within


@pytest.mark.parametrize(
    ("current", "proposed", "conflict"),
    [
        pytest.param(
            BASE.replace("monthly", "weekly"),
            BASE.replace("monthly", "yearly"),
            Conflict(
                "We meet monthly, on Mondays.\n",
                "We meet weekly, on Mondays.\n",
                "We meet yearly, on Mondays.\n",
            ),
            id="the-same-word",
        ),
        pytest.param(
            BASE.replace("meet monthly", "gather monthly"),
            BASE.replace("meet monthly", "meet weekly"),
            Conflict(
                "We meet monthly, on Mondays.\n",
                "We gather monthly, on Mondays.\n",
                "We meet weekly, on Mondays.\n",
            ),
            id="adjacent-words",
        ),
        pytest.param(
            BASE.replace("We share the notes.\n", ""),
            BASE.replace("share the notes", "publish the notes"),
            Conflict("We share the notes.\n", "", "We publish the notes.\n"),
            id="deleted-and-edited",
        ),
        pytest.param(
            BASE + "\nRule A.\n",
            BASE + "\nRule B.\n",
            Conflict("", "\nRule A.\n", "\nRule B.\n"),
            id="two-insertions-at-one-place",
        ),
    ],
)
def test_changes_to_the_same_passage_conflict(
    current: str, proposed: str, conflict: Conflict
) -> None:
    assert three_way_merge(BASE, current, proposed) == MergeResult(None, (conflict,))


def test_a_merge_that_cannot_be_aligned_in_time_is_one_conflict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(merge, "ALIGN_TIMEOUT_SECONDS", 0)
    base = "".join(f"line {n}\n" for n in range(400))
    current = base.replace("line 1", "LINE 1")
    proposed = base.replace("line 7", "LINE 7")
    assert three_way_merge(base, current, proposed) == MergeResult(
        None, (Conflict(base, current, proposed),)
    )


@pytest.mark.parametrize("oversized", [0, 1, 2], ids=["base", "current", "proposed"])
def test_too_large_texts_are_refused_whichever_one_it_is(oversized: int) -> None:
    texts = ["a\n", "b\n", "c\n"]
    texts[oversized] = "d" * (MAX_TEXT_CHARS + 1)
    with pytest.raises(TextTooLarge):
        three_way_merge(*texts)
    with pytest.raises(TextTooLarge):
        overlapping_passages(*texts)
    if oversized < 2:  # the parent text, then the new text
        with pytest.raises(TextTooLarge):
            merge.next_provenance(texts[0], [0], texts[1], 1)


def test_a_deleted_paragraph_does_not_shift_the_origins_after_it() -> None:
    v0 = "A.\n\nB.\n\nC.\n\nD.\n"
    v1 = v0.replace("B.", "B, reworded.")
    v2 = v1.replace("B, reworded.\n\n", "")
    assert paragraph_provenance([v0, v1, v2]) == [("A.", 0), ("C.", 0), ("D.", 0)]


def test_an_indented_passage_keeps_its_indent() -> None:
    """A passage is given as in its source (an indent can be Markdown: code, a list item),
    without the blank lines around it."""
    base = "First rule.\n\n    indented rule.\n\nLast rule.\n"
    a = base.replace("indented rule", "indented rule, changed")
    b = base.replace("indented rule", "indented rule, too")
    assert overlapping_passages(base, a, b) == ["    indented rule."]
    assert paragraph_provenance([base, a]) == [
        ("First rule.", 0),
        ("    indented rule, changed.", 1),
        ("Last rule.", 0),
    ]


def test_overlapping_passages_are_the_paragraphs_both_change() -> None:
    base = "# Title\n\nFirst rule.\n\nSecond rule.\n\nThird rule.\n"
    a = base.replace("First", "1st").replace("Third", "3rd")
    b = base.replace("Third rule.", "Third\nrule.").replace("Second", "2nd")
    assert overlapping_passages(base, a, b) == ["Third rule."]
    assert overlapping_passages(base, a, base.replace("Second", "2nd")) == []
    assert overlapping_passages(base, base + "\nNew.\n", base + "\nOther.\n") == []


def test_provenance_names_the_version_that_last_changed_each_paragraph() -> None:
    v0 = "# Title\n\nFirst rule.\n\nSecond rule.\n"
    v1 = v0.replace("Second rule.", "Second rule, amended.")
    v2 = v1.replace("First rule.", "First\nrule.") + "\nThird rule.\n"
    assert paragraph_provenance([v0, v1, v2]) == [
        ("# Title", 0),
        ("First\nrule.", 0),
        ("Second rule, amended.", 1),
        ("Third rule.", 2),
    ]
    assert paragraph_provenance([v0]) == [("# Title", 0), ("First rule.", 0), ("Second rule.", 0)]
    assert paragraph_provenance([]) == []


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["A rule.", "A\nrule.", "B rule.", "# Head", "C."]), max_size=5),
        min_size=1,
        max_size=5,
    )
)
def test_provenance_kept_one_version_at_a_time_equals_the_whole_history(histories) -> None:
    """What a version keeps when it is adopted is what the whole history would compute."""
    texts = ["\n\n".join(paragraphs) + "\n" for paragraphs in histories]
    origins: list[int] = []
    parent = None
    for number, text in enumerate(texts):
        origins = merge.next_provenance(parent, origins, text, number)
        parent = text
    assert merge.provenance_paragraphs(texts[-1], origins) == merge.paragraph_provenance(texts)
