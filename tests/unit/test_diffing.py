"""The word diff: exact in any script, reflow-aware, and never silently useless."""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.text.diff import (
    FALLBACK_NOTE,
    MAX_TEXT_CHARS,
    DiffSummary,
    DiffTooComplex,
    Segment,
    TextTooLarge,
    UnchangedRun,
    diff_texts,
    rendered_paragraph,
    split_paragraphs,
    tokenize,
    word_diff,
)
from agreements.text.rendered_diff import rendered_changes
from agreements.web.locale import lang_attrs

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# Pieces of text in many scripts, with Markdown structure, from which examples are drawn.
GRAPHEMES = ["e\u0301", "👨\u200d👩\u200d👧", "🇫🇷", "👍🏽", "1\ufe0f\u20e3", "ก้", "שָׁ", "क्षि"]
PIECES = [
    *GRAPHEMES,
    *["word", "Wort", "clé", "naïve", "don't", "مرحبا", "بالعالم", "שלום", "עולם"],
    *["我", "喜欢", "猫", "日本語", "สวัสดี", "한국어", "Ελλάδα", "42"],
    *[" ", "  ", "\t", "\n", "\n\n", "\r\n", "- ", "* ", "1. ", "# ", "> ", "| ", "```\n"],
    *[",", ".", "!", "«", "»", "\u00a0"],
]
pieces = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=40)
texts = pieces.map("".join)
SETTINGS = settings(max_examples=150, deadline=None)


@st.composite
def edited_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """A text and a lightly edited copy: the interesting case for a diff."""
    old = draw(pieces)
    new = list(old)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(new)))
        replaced = draw(st.integers(0, 2))
        new[at : at + replaced] = draw(st.lists(st.sampled_from(PIECES), max_size=3))
    return "".join(old), "".join(new)


def rendered(text: str) -> str:
    """What rendered mode compares: the rendered paragraphs, blank-line separated."""
    paragraphs = (rendered_paragraph(p) for p in split_paragraphs(text))
    return "\n\n".join(p for p in paragraphs if p)


def changes(segments: tuple[Segment, ...] | list[Segment]) -> list[tuple[str, str]]:
    return [(s.op, s.text) for s in segments if s.op != "equal"]


# --- tokens ---------------------------------------------------------------------------


@SETTINGS
@given(st.one_of(texts, st.text()))
def test_tokens_join_back_to_the_text(text: str) -> None:
    assert "".join(tokenize(text)) == text
    assert all(tokenize(text))


@pytest.mark.parametrize("grapheme", GRAPHEMES)
def test_a_grapheme_is_never_split(grapheme: str) -> None:
    text = f"a{grapheme}b {grapheme}, {grapheme}{grapheme}我{grapheme}"
    boundaries, offset = set(), 0
    for token in tokenize(text):
        offset += len(token)
        boundaries.add(offset)
    start = text.find(grapheme)
    while start != -1:
        assert not boundaries & set(range(start + 1, start + len(grapheme)))
        start = text.find(grapheme, start + 1)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Hello, world!", ["Hello", ",", " ", "world", "!"]),
        ("don't stop", ["don't", " ", "stop"]),
        ("我喜欢猫", ["我", "喜", "欢", "猫"]),
        ("日本語のテキスト", ["日", "本", "語", "の", "テ", "キ", "ス", "ト"]),
        ("สวัสดี", ["ส", "วั", "ส", "ดี"]),
        ("مرحبا بالعالم", ["مرحبا", " ", "بالعالم"]),
        ("abc漢字", ["abc", "漢", "字"]),
    ],
)
def test_tokens_are_words_or_single_characters_of_unspaced_scripts(
    text: str, tokens: list[str]
) -> None:
    assert tokenize(text) == tokens


# --- word_diff ------------------------------------------------------------------------


@SETTINGS
@given(st.one_of(edited_pairs(), st.tuples(texts, texts), st.tuples(st.text(), st.text())))
def test_word_diff_joins_back_to_both_texts(pair: tuple[str, str]) -> None:
    old, new = pair
    segments = word_diff(old, new)
    assert "".join(s.text for s in segments if s.op != "insert") == old
    assert "".join(s.text for s in segments if s.op != "delete") == new
    assert all(s.text for s in segments)
    assert all(a.op != b.op for a, b in itertools.pairwise(segments))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "The quick brown fox jumps.",
            "The slow brown fox leaps!",
            [("delete", "quick"), ("insert", "slow"), ("delete", "jumps."), ("insert", "leaps!")],
        ),
        ("我喜欢猫", "我喜欢狗", [("delete", "猫"), ("insert", "狗")]),
        (
            "مرحبا بالعالم الجميل",
            "مرحبا بالعالم الكبير",
            [("delete", "الجميل"), ("insert", "الكبير")],
        ),
        ("שלום עולם", "שלום לכולם", [("delete", "עולם"), ("insert", "לכולם")]),
        ("café noir", "cafe\u0301 noir", [("delete", "café"), ("insert", "cafe\u0301")]),
        ("Go 👍🏽 team", "Go 👍🏿 team", [("delete", "👍🏽"), ("insert", "👍🏿")]),
    ],
)
def test_word_diff_shows_whole_words_and_graphemes(
    old: str, new: str, expected: list[tuple[str, str]]
) -> None:
    assert changes(word_diff(old, new)) == expected


def test_word_diff_gives_up_loudly_when_out_of_time() -> None:
    old = " ".join(f"w{i}" for i in range(300))
    new = " ".join(f"w{i}" if i % 7 else f"x{i}" for i in range(300))
    with pytest.raises(DiffTooComplex):
        word_diff(old, new, timeout=0)
    assert len(changes(word_diff(old, new))) == 2 * len(range(0, 300, 7))


# --- diff_texts -----------------------------------------------------------------------


@SETTINGS
@given(st.one_of(edited_pairs(), st.tuples(texts, texts)))
def test_source_diff_reconstructs_both_texts_exactly(pair: tuple[str, str]) -> None:
    old, new = pair
    diff = diff_texts(old, new, mode="source")
    assert diff.old_text() == old
    assert diff.new_text() == new
    assert diff.is_empty == (old == new)
    for paragraph in diff.paragraphs:
        assert "".join(s.text for s in paragraph.segments if s.op != "insert") == (
            paragraph.old or ""
        )
        assert "".join(s.text for s in paragraph.segments if s.op != "delete") == (
            paragraph.new or ""
        )


@SETTINGS
@given(st.one_of(edited_pairs(), st.tuples(texts, texts)))
def test_rendered_diff_reconstructs_what_readers_see(pair: tuple[str, str]) -> None:
    old, new = pair
    diff = diff_texts(old, new)
    assert diff.old_text() == rendered(old)
    assert diff.new_text() == rendered(new)
    assert diff.is_empty == (rendered(old) == rendered(new))


@SETTINGS
@given(st.one_of(texts, st.text()))
def test_a_text_diffed_with_itself_is_empty(text: str) -> None:
    for mode in ("rendered", "source"):
        diff = diff_texts(text, text, mode=mode)
        assert diff.is_empty
        assert str(diff.summary) == "No changes"
        assert diff.note is None


@SETTINGS
@given(st.one_of(texts, st.text()))
def test_paragraphs_join_back_to_the_text(text: str) -> None:
    assert "".join(split_paragraphs(text)) == text


def test_paragraphs_are_blocks_list_items_headings_quotes_rows_and_fences() -> None:
    text = (
        "\n# Title\nIntro line one\nline two\n\n"
        "* item one\n  continued\n- item two\n1. ordered\n"
        "> quote\n| a | b |\n| 1 | 2 |\n\n"
        "```\ncode\n\n  indented\n```\nafter\n"
    )
    assert split_paragraphs(text) == [
        "\n# Title\n",
        "Intro line one\nline two\n",
        "\n* item one\n  continued\n",
        "- item two\n",
        "1. ordered\n",
        "> quote\n",
        "| a | b |\n",
        "| 1 | 2 |\n",
        "\n```\ncode\n\n  indented\n```\n",
        "after\n",
    ]
    assert split_paragraphs("\n\n") == ["\n\n"]
    assert split_paragraphs("End.\n\n\n") == ["End.\n\n\n"]
    assert split_paragraphs("# End\n \n\t") == ["# End\n \n\t"]
    assert split_paragraphs("End.\n\n\f") == ["End.\n", "\n\f"]
    assert rendered_paragraph("* item one\n  continued\n") == "* item one continued"
    assert rendered_paragraph("```\ncode  \n\n  indented\n```\n") == "```\ncode\n\n  indented\n```"


PARAGRAPH = (
    "Community leaders are responsible for clarifying and enforcing our standards of\n"
    "acceptable behavior and will take appropriate and fair corrective action in\n"
    "response to any behavior that they deem inappropriate, threatening, offensive,\n"
    "or harmful.\n"
)


@pytest.mark.parametrize(
    "rewrapped",
    [
        textwrap.fill(PARAGRAPH, width=40) + "\n",
        PARAGRAPH.replace("\n", "  \n"),
        PARAGRAPH.replace("\n", " ").rstrip() + "\n",
    ],
    ids=["narrower", "trailing-spaces", "one-line"],
)
def test_rewrapping_is_no_change_when_rendered_but_shows_in_source(rewrapped: str) -> None:
    old = f"# Enforcement\n\n{PARAGRAPH}\nLast words.\n"
    new = f"# Enforcement\n\n{rewrapped}\nLast words.\n"
    assert diff_texts(old, new).is_empty
    source = diff_texts(old, new, mode="source")
    assert source.summary == DiffSummary(paragraphs_changed=1, words_added=0, words_removed=0)
    assert source.new_text() == new


def test_summary_counts_paragraphs_and_words() -> None:
    old = "# Title\n\nThe quick brown fox.\n\nUnchanged.\n\nGone for good.\n"
    new = "# Title\n\nThe slow brown fox jumps.\n\nUnchanged.\n\nBrand new 新しい.\n"
    summary = diff_texts(old, new).summary
    assert summary == DiffSummary(paragraphs_changed=2, words_added=7, words_removed=4)
    assert str(summary) == "2 paragraphs changed, 7 words added, 4 removed"


@pytest.mark.parametrize(
    ("summary", "text"),
    [
        (DiffSummary(0, 0, 0), "No changes"),
        (DiffSummary(1, 1, 1), "1 paragraph changed, 1 word added, 1 removed"),
        (DiffSummary(2, 0, 5), "2 paragraphs changed, 0 words added, 5 removed"),
    ],
)
def test_summary_reads_as_a_sentence(summary: DiffSummary, text: str) -> None:
    assert str(summary) == text


def test_a_reworded_paragraph_pairs_with_its_old_self() -> None:
    old = "Alpha beta gamma delta epsilon.\n\nZeta eta theta iota kappa.\n"
    new = "Something else entirely.\n\nZeta eta theta iota lambda.\n\nMore news.\n"
    diff = diff_texts(old, new)
    assert [p.op for p in diff.paragraphs] == ["delete", "insert", "change", "insert"]
    assert changes(diff.paragraphs[2].segments) == [("delete", "kappa"), ("insert", "lambda")]


def test_changed_only_collapses_long_unchanged_stretches() -> None:
    old = "\n\n".join(f"Paragraph {n}." for n in range(10))
    new = old.replace("Paragraph 5.", "Paragraph five.")
    items = diff_texts(old, new).changed_only(context=1)
    assert [getattr(item, "old", None) for item in items] == [
        None,
        "Paragraph 4.",
        "Paragraph 5.",
        "Paragraph 6.",
        None,
    ]
    assert items[0] == UnchangedRun(4)
    assert str(items[-1]) == "3 unchanged paragraphs"
    assert diff_texts(old, old).changed_only() == [UnchangedRun(10)]


def scattered_edit(words: int, every: int) -> tuple[str, str]:
    """One long paragraph with many small edits: dmp must bisect, which takes time."""
    old = " ".join(f"w{i}" for i in range(words))
    new = " ".join(f"w{i}" if i % every else f"x{i}" for i in range(words))
    return old, new


def test_a_word_diff_that_runs_out_of_time_falls_back_with_a_note() -> None:
    old, new = scattered_edit(400, 9)
    old, new = f"# Title\n\n{old}\n", f"# Title\n\n{new}\n"
    diff = diff_texts(old, new, mode="source", timeout=0)
    assert diff.note == FALLBACK_NOTE
    assert diff.new_text() == new
    paragraph = diff.paragraphs[1]
    assert paragraph.old == "\n" + old.split("\n\n")[1]
    assert changes(paragraph.segments) == [("delete", paragraph.old), ("insert", paragraph.new)]
    assert diff_texts(old, new, mode="source").note is None


def test_a_paragraph_alignment_that_runs_out_of_time_falls_back_with_a_note() -> None:
    # Repeated paragraphs give the alignment no unique anchors: dmp must bisect.
    old = "\n\n".join(f"Paragraph {n % 3}." for n in range(300))
    new = "\n\n".join(f"Paragraph {n % 3}." if n % 7 else f"Changed {n % 4}." for n in range(300))
    diff = diff_texts(old, new, mode="source", timeout=0)
    assert diff.note == FALLBACK_NOTE
    assert (diff.old_text(), diff.new_text()) == (old, new)


def test_an_easy_diff_needs_no_time_and_no_fallback() -> None:
    diff = diff_texts("One two three.", "One two three four.", timeout=0)
    assert diff.note is None
    assert changes(diff.paragraphs[0].segments) == [("insert", " four")]


def test_too_large_texts_are_refused() -> None:
    with pytest.raises(TextTooLarge) as refused:
        diff_texts("x" * (MAX_TEXT_CHARS + 1), "")
    assert isinstance(refused.value, ValueError)
    assert "1,000,000" in str(refused.value)
    with pytest.raises(ValueError, match="Unknown diff mode"):
        diff_texts("a", "b", mode="letters")  # type: ignore[arg-type]


# --- the template ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def diff_macros() -> object:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    environment.filters["rendered_changes"] = rendered_changes
    environment.filters["lang_attrs"] = lang_attrs
    return environment.get_template("partials/_diff.html").module


def test_template_marks_changes_with_ins_and_del_and_escapes_text(diff_macros: object) -> None:
    diff = diff_texts("Keep <script>x</script> old.\n", "Keep <script>x</script> new.\n")
    for macro in ("rendered", "inline", "side_by_side", "summary"):
        html = str(getattr(diff_macros, macro)(diff))
        assert "<script>" not in html
        assert "style=" not in html
    inline = str(diff_macros.inline(diff))  # type: ignore[attr-defined]
    assert '<del class="diff-del"><span class="visually-hidden">removed: </span>old</del>' in inline
    assert '<ins class="diff-ins"><span class="visually-hidden">added: </span>new</ins>' in inline
    table = str(diff_macros.side_by_side(diff, caption="Amendment 3"))  # type: ignore[attr-defined]
    assert "<caption>Amendment 3 (1 paragraph changed, 1 word added, 1 removed)</caption>" in table
    assert table.count('<th scope="col">') == 2
    assert "&lt;script&gt;" in table


def test_template_shows_the_fallback_note(diff_macros: object) -> None:
    old, new = scattered_edit(400, 9)
    diff = diff_texts(old, new, timeout=0)
    for macro in ("rendered", "inline", "side_by_side"):
        assert str(getattr(diff_macros, macro)(diff)).count(FALLBACK_NOTE) == 1
    assert FALLBACK_NOTE not in str(diff_macros.summary(diff))  # type: ignore[attr-defined]
    assert FALLBACK_NOTE in str(diff_macros.summary(diff, with_note=True))  # type: ignore[attr-defined]
    assert FALLBACK_NOTE not in str(diff_macros.inline(diff_texts(old, new)))  # type: ignore[attr-defined]
