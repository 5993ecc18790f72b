"""The diff as it reads: rendered Markdown with the changed words marked, never code."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.text.diff import UnchangedRun, diff_texts, tokenize
from agreements.text.rendered_diff import SENTINELS, RenderedParagraph, rendered_changes
from tests.html_safety import dangers
from tests.unit.xss_payloads import PAYLOADS, WORST


class ChangedText(HTMLParser):
    """The words a reader (or a screen reader) finds inside <ins> and inside <del>,
    leaving out the visually hidden "added:"/"removed:" labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: dict[str, list[str]] = {"ins": [], "del": []}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if ("class", "visually-hidden") in attrs:
            tag = "label"
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self._open.pop()

    def handle_data(self, data: str) -> None:
        if "label" in self._open:
            return
        for kind in ("ins", "del"):
            if kind in self._open:
                self.words[kind].extend(words(data))


ADDED = '<ins class="diff-ins"><span class="visually-hidden">added: </span>'
REMOVED = '<del class="diff-del"><span class="visually-hidden">removed: </span>'
ADDED_BLOCK = '<ins class="diff-ins diff-block"><span class="visually-hidden">added: </span>'
REMOVED_BLOCK = '<del class="diff-del diff-block"><span class="visually-hidden">removed: </span>'


def words(text: str) -> list[str]:
    """Words, not numbers: a list item's number is shown as the list's numbering."""
    return [token for token in tokenize(text) if token[:1].isalpha()]


def html_of(old: str, new: str) -> str:
    items = rendered_changes(diff_texts(old, new), context=1000)
    return "".join(str(item.html) for item in items if isinstance(item, RenderedParagraph))


def changed_words(old: str, new: str) -> dict[str, list[str]]:
    parser = ChangedText()
    parser.feed(html_of(old, new))
    return parser.words


# Words and the Markdown that structures a text (headings, lists, paragraphs), without
# inline syntax that hides text (links, raw HTML, emphasis marks are shown, not diffed).
WORDS = ["care", "respect", "conflict", "members", "clé", "naïve", "مرحبا", "שלום", "我", "猫"]
PIECES = [*WORDS, " ", "\n", "\n\n", "- ", "# ", "## ", "1. ", "> ", "| ", "|---|", ",", ".", "!"]
texts = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@given(texts, texts)
@settings(max_examples=150, deadline=None)
def test_every_inserted_and_deleted_word_is_marked_and_no_sentinel_leaks(old: str, new: str):
    diff = diff_texts(old, new)
    segments = [segment for paragraph in diff.paragraphs for segment in paragraph.segments]
    inserted = Counter(w for s in segments if s.op == "insert" for w in words(s.text))
    deleted = Counter(w for s in segments if s.op == "delete" for w in words(s.text))
    found = changed_words(old, new)
    assert not inserted - Counter(found["ins"])
    assert not deleted - Counter(found["del"])
    assert not set(SENTINELS) & set(html_of(old, new))


def test_a_changed_heading_stays_a_heading_with_the_change_inside() -> None:
    html = html_of(
        "# Agreement\n\n## Care and conflict\n\nText.\n",
        "# Agreement\n\n## Care and disputes\n\nText.\n",
    )
    assert f"<h2>Care and {REMOVED}conflict</del>{ADDED}disputes</ins></h2>" in html
    assert "##" not in html


def test_an_inserted_list_item_is_a_list_item_marked_as_added() -> None:
    html = html_of("- Listen.\n- Speak.\n", "- Listen.\n- Pause first.\n- Speak.\n")
    assert f"{ADDED_BLOCK}<ul>\n<li>Pause first.</li>" in html
    assert "- Pause" not in html


def test_a_changed_list_item_keeps_its_number_and_marks_the_word() -> None:
    html = html_of("1. Listen.\n2. Speak up.\n", "1. Listen.\n2. Speak gently.\n")
    assert '<ol start="2">\n<li>Speak <del class="diff-del">' in html
    assert f"{ADDED}gently</ins>" in html


def test_a_table_stays_a_table_with_added_rows_and_words_marked_in_their_cells() -> None:
    old = "| Role | Who |\n|---|---|\n| Chair | Ana |\n| Notes | Bo |\n"
    new = "| Role | Who |\n|---|---|\n| Chair | Ana Lee |\n| Host | Cy |\n| Notes | Bo |\n"
    items = rendered_changes(diff_texts(old, new))
    assert len(items) == 1
    html = str(items[0].html)  # type: ignore[union-attr]
    assert html.startswith("<table>") and "|" not in html
    assert f"<td>Ana {ADDED}Lee </ins></td>" in html
    assert f"<td>{ADDED} Host </ins></td>" in html and "<td>Bo</td>" in html


def test_a_change_inside_a_code_block_stays_in_the_code_block() -> None:
    html = html_of("```\nvote = 2\n```\n", "```\nvote = 3\n```\n")
    assert html.startswith("<pre><code>vote = ") and f"{ADDED}3</ins>" in html
    assert "```" not in html


def test_a_paragraph_that_becomes_a_heading_is_shown_as_removed_and_added_blocks() -> None:
    html = html_of("Care\n", "## Care\n")
    assert html == f"{REMOVED_BLOCK}<p>Care</p></del>{ADDED_BLOCK}<h2>Care</h2></ins>"


def test_a_change_across_emphasis_keeps_the_markup_well_nested() -> None:
    html = html_of("Keep **bold text** here.\n", "Keep **bold** text here.\n")
    assert "<strong>bold<del" in html and "</del></strong>" in html


def test_unchanged_stretches_collapse_and_headings_lose_their_page_ids() -> None:
    old = "# Title\n\n" + "".join(f"Paragraph {n}.\n\n" for n in range(6)) + "End.\n"
    items = rendered_changes(diff_texts(old, old.replace("End.", "The end.")))
    assert isinstance(items[0], UnchangedRun) and items[0].paragraphs == 6
    assert 'id="' not in html_of("# Title\n", "# New title\n")


def test_sentinels_typed_by_people_are_not_taken_for_changes() -> None:
    typed = "".join(SENTINELS)
    html = html_of(f"Odd {typed} text.\n", f"Odd {typed} texts.\n")
    assert html.count("<ins") == 1 and html.count("<del") == 1
    assert not set(SENTINELS) & set(html)


def test_a_link_changed_to_a_script_address_loses_its_address() -> None:
    html = html_of(
        "See [the guide](https://example.org).\n", "See [the guide](javascript:alert(1)).\n"
    )
    assert dangers(html) == [] and "javascript" not in html


@pytest.mark.parametrize("payload", PAYLOADS + WORST)
def test_payloads_stay_inert_when_added_removed_or_edited(payload: str) -> None:
    for old, new in (
        ("Intro.\n", f"Intro.\n\n{payload}\n"),
        (f"# Title {payload}\n", "# Title\n"),
        (f"We agree {payload} today.\n", f"We agree {payload[::-1]} today.\n"),
        ("- item one\n", f"- item {payload}\n"),
    ):
        html = html_of(old, new)
        assert dangers(html) == [], html
        assert "<script" not in html.lower()
