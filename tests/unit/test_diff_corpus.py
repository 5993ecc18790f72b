"""The diff and the merge on a real amendment history: the Contributor Covenant, v1.0 to
v2.0, and six translations of v1.4 (right-to-left, CJK, accented Latin)."""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import pytest

from agreements.text.diff import diff_texts, rendered_paragraph, split_paragraphs, tokenize
from agreements.text.merge import paragraph_provenance, three_way_merge

pytestmark = pytest.mark.corpus

VERSIONS = ["v1.0", "v1.1", "v1.2", "v1.3", "v1.4", "v2.0"]
TRANSLATIONS = ["ar", "de", "fr", "ja", "pt-br", "zh-cn"]


def read(corpus_dir: Path, name: str) -> str:
    return (corpus_dir / f"{name}.md").read_text(encoding="utf-8")


def rendered(text: str) -> str:
    paragraphs = (rendered_paragraph(p) for p in split_paragraphs(text))
    return "\n\n".join(p for p in paragraphs if p)


@pytest.mark.parametrize(("older", "newer"), list(itertools.pairwise(VERSIONS)))
def test_each_amendment_diffs_exactly(corpus_dir: Path, older: str, newer: str) -> None:
    old, new = read(corpus_dir, older), read(corpus_dir, newer)
    source = diff_texts(old, new, mode="source")
    assert (source.old_text(), source.new_text()) == (old, new)
    shown = diff_texts(old, new)
    assert (shown.old_text(), shown.new_text()) == (rendered(old), rendered(new))
    for diff in (source, shown):
        assert diff.note is None
        summary = diff.summary
        assert summary.paragraphs_changed > 0
        assert summary.words_added + summary.words_removed > 0


def test_the_summary_of_v2_counts_real_words(corpus_dir: Path) -> None:
    summary = diff_texts(read(corpus_dir, "v1.4"), read(corpus_dir, "v2.0")).summary
    assert summary.words_added > summary.words_removed > 50


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_a_translation_diffed_with_itself_is_empty(corpus_dir: Path, language: str) -> None:
    text = read(corpus_dir, f"translations/v1.4.{language}")
    for mode in ("rendered", "source"):
        assert diff_texts(text, text, mode=mode).is_empty


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_one_edited_word_of_a_translation_is_exactly_that_word(
    corpus_dir: Path, language: str
) -> None:
    text = read(corpus_dir, f"translations/v1.4.{language}")
    paragraphs = split_paragraphs(text)
    longest = max(range(len(paragraphs)), key=lambda n: len(paragraphs[n]))
    tokens = tokenize(paragraphs[longest])
    at = next(n for n in range(len(tokens) // 2, len(tokens)) if tokens[n][:1].isalnum())
    word = tokens[at]
    tokens[at] = "Accord"
    edited = "".join([*paragraphs[:longest], "".join(tokens), *paragraphs[longest + 1 :]])
    for mode in ("rendered", "source"):
        diff = diff_texts(text, edited, mode=mode)
        assert diff.new_text() == (edited if mode == "source" else rendered(edited))
        changed = [p for p in diff.paragraphs if p.op != "equal"]
        assert len(changed) == 1
        edits = [(s.op, s.text) for s in changed[0].segments if s.op != "equal"]
        assert edits == [("delete", word), ("insert", "Accord")]
        assert str(diff.summary) == "1 paragraph changed, 1 word added, 1 removed"


def test_rewrapping_a_corpus_paragraph_shows_no_change(corpus_dir: Path) -> None:
    text = read(corpus_dir, "v2.0")
    paragraphs = split_paragraphs(text)
    longest = max(range(len(paragraphs)), key=lambda n: len(paragraphs[n]))
    body = paragraphs[longest].strip("\n")
    assert body.count("\n") >= 3
    rewrapped = textwrap.fill(body, width=50, break_on_hyphens=False, break_long_words=False)
    edited = text.replace(body, rewrapped)
    assert edited != text
    assert diff_texts(text, edited).is_empty
    source = diff_texts(text, edited, mode="source")
    assert source.summary.paragraphs_changed == 1
    assert source.summary.words_added == source.summary.words_removed == 0


def test_an_amendment_to_v1_4_rebases_onto_v2_0(corpus_dir: Path) -> None:
    base, current = read(corpus_dir, "v1.4"), read(corpus_dir, "v2.0")
    proposed = base.replace("## Our Standards", "## Our Shared Standards")
    assert three_way_merge(base, current, proposed).text == current.replace(
        "## Our Standards", "## Our Shared Standards"
    )
    reworded = base.replace("In the interest of fostering", "To foster")
    assert not three_way_merge(base, current, reworded).is_clean


def test_provenance_over_the_history_names_real_versions(corpus_dir: Path) -> None:
    history = [read(corpus_dir, version) for version in VERSIONS]
    provenance = paragraph_provenance(history)
    assert [p for p, _ in provenance] == [
        p.strip("\r\n") for p in split_paragraphs(history[-1]) if p.strip()
    ]
    assert provenance[0] == ("# Contributor Covenant Code of Conduct", 4)
    origins = {origin for _, origin in provenance}
    assert 5 in origins
    assert origins <= set(range(len(VERSIONS)))
