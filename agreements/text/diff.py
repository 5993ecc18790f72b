"""Word-level diffs of Markdown agreement texts, in any language: the public entry point.

People consent to a text, so they must see exactly which words an amendment changes. The
diff works like Wikipedia's wikidiff2: split both texts into paragraphs (text_units),
align the paragraphs (paragraph_alignment), then diff words only inside the paragraph
pairs that changed (word_alignment); all of them diff token sequences through
sequence_diff. This module holds what callers use: the diff's data, diff_texts,
word_diff, and the limits on what Accord compares.

Two modes: "rendered" (the default) compares what a reader of the rendered agreement sees,
so re-wrapping a paragraph is no change; "source" compares every character.

diff-match-patch gives up silently when its deadline passes (it answers "delete
everything, insert everything"). Accord detects that and shows whole paragraphs with a
note instead, so a diff is never silently useless.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Literal, cast

from agreements.text.paragraphs import ParagraphPair, align_paragraphs, unpaired
from agreements.text.sequences import DiffTooComplex, Op
from agreements.text.units import count_words, rendered_paragraph, split_paragraphs, tokenize
from agreements.text.words import align_words
from agreements.wording import Number, Wording, _, n_

# DiffTooComplex, tokenize, split_paragraphs and rendered_paragraph live with the code that
# uses them (sequence_diff, text_units); they are re-exported because callers import them
# from here.
__all__ = [
    "DIFF_TIMEOUT_SECONDS",
    "FALLBACK_NOTE",
    "MAX_TEXT_CHARS",
    "DiffSummary",
    "DiffTooComplex",
    "Mode",
    "ParagraphDiff",
    "Segment",
    "TextDiff",
    "TextTooLarge",
    "UnchangedRun",
    "check_text_size",
    "diff_texts",
    "rendered_paragraph",
    "split_paragraphs",
    "tokenize",
    "word_diff",
]

#: Longest text Accord diffs or merges, in characters (about 1 MB of English). Past it a
#: diff stops being readable and its cost stops being bounded; it also keeps the number
#: of distinct paragraphs of two texts below the number of Unicode code points, which
#: the paragraph alignment needs (one character per paragraph).
MAX_TEXT_CHARS = 1_000_000

#: How long one diff may take before it falls back to whole paragraphs.
DIFF_TIMEOUT_SECONDS = 2.0

FALLBACK_NOTE = _("This change is too large to compare word by word; whole paragraphs are shown.")

Mode = Literal["rendered", "source"]


class TextTooLarge(ValueError):
    """A text is longer than MAX_TEXT_CHARS."""


@dataclass(frozen=True)
class Segment:
    """A run of text that both versions share, or that one of them adds or removes."""

    op: Op
    text: str


@dataclass(frozen=True)
class ParagraphDiff:
    """One paragraph of the diff, as compared in the diff's mode.

    old/new are the paragraph in each version (None when it is only in one of them);
    segments spell out the change word by word, and always join back to old and new.
    """

    op: Literal["equal", "insert", "delete", "change"]
    old: str | None
    new: str | None
    segments: tuple[Segment, ...]


class UnchangedRun(Wording):
    """Stands for unchanged paragraphs that a compact view leaves out; reads as
    "4 unchanged paragraphs" (a Wording, so a page says it in the reader's language)."""

    op: ClassVar[str] = "unchanged"
    paragraphs: int

    def __new__(cls, count: int) -> UnchangedRun:
        said = n_("%(num)s unchanged paragraph", "%(num)s unchanged paragraphs", count)
        run = cast(
            "UnchangedRun",
            super().__new__(cls, said.msgid, said.params, plural=said.plural, count=count),
        )
        run.paragraphs = count
        return run

    def __repr__(self) -> str:
        return f"UnchangedRun({self.paragraphs})"


class DiffSummary(Wording):
    """How big a change is, in the words people use for it ("2 paragraphs changed, 7 words
    added, 4 removed"); a Wording, so a page says it in the reader's language. Two summaries
    are equal when they count the same."""

    paragraphs_changed: int
    words_added: int
    words_removed: int

    def __new__(cls, paragraphs_changed: int, words_added: int, words_removed: int) -> DiffSummary:
        said = (
            _(
                "%(paragraphs)s changed, %(added)s added, %(removed)s removed",
                paragraphs=n_("%(num)s paragraph", "%(num)s paragraphs", paragraphs_changed),
                added=n_("%(num)s word", "%(num)s words", words_added),
                removed=Number(words_removed),
            )
            if paragraphs_changed
            else _("No changes")
        )
        summary = cast("DiffSummary", super().__new__(cls, said.msgid, said.params))
        summary.paragraphs_changed = paragraphs_changed
        summary.words_added = words_added
        summary.words_removed = words_removed
        return summary

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DiffSummary):
            return NotImplemented
        return self._counts() == other._counts()

    def __hash__(self) -> int:
        return hash(self._counts())

    def _counts(self) -> tuple[int, int, int]:
        return (self.paragraphs_changed, self.words_added, self.words_removed)

    def __repr__(self) -> str:
        return f"DiffSummary{self._counts()}"


@dataclass(frozen=True)
class TextDiff:
    """The diff of two agreement texts, paragraph by paragraph.

    note is set when the diff could not be computed word by word and shows whole
    paragraphs instead; a page must show it. kept_as is the content key the diff is kept
    under between views (text/kept.py), set only on a complete diff: pages keep its
    rendering under the same key (templates/partials/_diff.html).
    """

    paragraphs: tuple[ParagraphDiff, ...]
    mode: str
    note: str | None
    kept_as: Hashable = field(default=None, compare=False)

    @functools.cached_property
    def summary(self) -> DiffSummary:
        """Computed once: a page shows it in several places, and counting reads every change."""
        added = removed = 0
        for paragraph in self.paragraphs:
            for segment in paragraph.segments:
                if segment.op == "insert":
                    added += count_words(segment.text)
                elif segment.op == "delete":
                    removed += count_words(segment.text)
        changed = sum(paragraph.op != "equal" for paragraph in self.paragraphs)
        return DiffSummary(changed, added, removed)

    @property
    def is_empty(self) -> bool:
        return all(paragraph.op == "equal" for paragraph in self.paragraphs)

    def old_text(self) -> str:
        """The old text: exactly the input in source mode, its rendered paragraphs otherwise."""
        return self._join(paragraph.old for paragraph in self.paragraphs)

    def new_text(self) -> str:
        """The new text: exactly the input in source mode, its rendered paragraphs otherwise."""
        return self._join(paragraph.new for paragraph in self.paragraphs)

    def changed_only(self, context: int = 1) -> list[ParagraphDiff | UnchangedRun]:
        """The changed paragraphs with `context` unchanged neighbours each; longer stretches
        of unchanged paragraphs become one UnchangedRun, so a long agreement stays readable."""
        changed = [i for i, p in enumerate(self.paragraphs) if p.op != "equal"]
        shown = {j for i in changed for j in range(i - context, i + context + 1)}
        items: list[ParagraphDiff | UnchangedRun] = []
        hidden: list[ParagraphDiff] = []
        for i, paragraph in enumerate(self.paragraphs):
            if i in shown:
                items.extend(_collapse(hidden))
                hidden = []
                items.append(paragraph)
            else:
                hidden.append(paragraph)
        items.extend(_collapse(hidden))
        return items

    def _join(self, texts: Iterable[str | None]) -> str:
        separator = "" if self.mode == "source" else "\n\n"
        return separator.join(text for text in texts if text is not None)


def _collapse(hidden: list[ParagraphDiff]) -> list[ParagraphDiff | UnchangedRun]:
    """A run of one paragraph is shown: a marker would take as much room as the paragraph."""
    return [UnchangedRun(len(hidden))] if len(hidden) > 1 else list(hidden)


def _comparable_paragraphs(
    text: str, mode: Mode, rendered: dict[str, str]
) -> tuple[list[str], list[str]]:
    """The paragraphs as aligned (always rendered, so a re-wrapped paragraph still pairs
    with its old self) and as compared and shown (rendered or source, by mode).

    rendered remembers each paragraph's rendering: most paragraphs of two versions are
    the same, and need rendering once."""
    sources = split_paragraphs(text)
    for source in dict.fromkeys(sources):
        if source not in rendered:
            rendered[source] = rendered_paragraph(source)
    keys = list(map(rendered.__getitem__, sources))
    if mode == "source":
        return keys, sources
    kept = list(filter(None, keys))
    return kept, kept


def word_diff(old: str, new: str, *, timeout: float | None = None) -> list[Segment]:
    """The word-level diff of two short texts; the segments join back to both.

    Raises DiffTooComplex when it cannot finish exactly within timeout seconds (by default
    DIFF_TIMEOUT_SECONDS, read at each call so that a test can lift it).
    """
    check_text_size(old, new)
    return _segments(old, new, time.time() + _budget(timeout))


def _budget(timeout: float | None) -> float:
    return DIFF_TIMEOUT_SECONDS if timeout is None else timeout


def check_text_size(*texts: str) -> None:
    """Refuse, with a message a person understands, a text longer than MAX_TEXT_CHARS."""
    for text in texts:
        if len(text) > MAX_TEXT_CHARS:
            raise TextTooLarge(
                _(
                    "The text has %(length)s characters; Accord compares texts of up to %(limit)s.",
                    length=Number(len(text)),
                    limit=Number(MAX_TEXT_CHARS),
                )
            )


def diff_texts(
    old: str, new: str, *, mode: Mode = "rendered", timeout: float | None = None
) -> TextDiff:
    """Diff two agreement texts paragraph by paragraph, then word by word.

    Raises TextTooLarge past MAX_TEXT_CHARS. When the diff cannot be finished within
    timeout seconds, changed paragraphs are shown whole and the result carries a note.
    """
    if mode not in ("rendered", "source"):
        raise ValueError(f"Unknown diff mode {mode!r}: use 'rendered' or 'source'.")
    check_text_size(old, new)
    deadline = time.time() + _budget(timeout)
    rendered: dict[str, str] = {}
    old_keys, old_shown = _comparable_paragraphs(old, mode, rendered)
    new_keys, new_shown = _comparable_paragraphs(new, mode, rendered)
    try:
        pairs = align_paragraphs(old_keys, new_keys, deadline)
    except DiffTooComplex:
        pairs = unpaired(range(len(old_keys)), range(len(new_keys)))
        return _whole_paragraphs(_pair_texts(pairs, old_shown, new_shown), mode)
    texts = _pair_texts(pairs, old_shown, new_shown)
    try:
        return TextDiff(_paragraph_diffs(texts, deadline), mode, None)
    except DiffTooComplex:
        return _whole_paragraphs(texts, mode)


_TextPair = tuple[str | None, str | None]


def _pair_texts(pairs: list[ParagraphPair], old: list[str], new: list[str]) -> list[_TextPair]:
    return [(None if i is None else old[i], None if j is None else new[j]) for i, j in pairs]


def _paragraph_diffs(texts: list[_TextPair], deadline: float) -> tuple[ParagraphDiff, ...]:
    """Each pair diffed once: a long agreement repeats paragraphs (headings, boilerplate),
    and a paragraph's diff, immutable, serves all its repetitions."""
    diffs = {pair: _paragraph_diff(*pair, deadline) for pair in dict.fromkeys(texts)}
    return tuple(map(diffs.__getitem__, texts))


def _paragraph_diff(old: str | None, new: str | None, deadline: float) -> ParagraphDiff:
    if old is None or new is None or old == new:
        return _whole_paragraph_diff(old, new)
    return ParagraphDiff("change", old, new, tuple(_segments(old, new, deadline)))


def _whole_paragraph_diff(old: str | None, new: str | None) -> ParagraphDiff:
    """A paragraph shown whole: kept, added, removed, or replaced as a block."""
    if old == new and old is not None:
        return ParagraphDiff("equal", old, new, (Segment("equal", old),))
    if old is None:
        return ParagraphDiff("insert", None, new, (Segment("insert", new or ""),))
    if new is None:
        return ParagraphDiff("delete", old, None, (Segment("delete", old),))
    return ParagraphDiff("change", old, new, (Segment("delete", old), Segment("insert", new)))


def _whole_paragraphs(texts: list[_TextPair], mode: Mode) -> TextDiff:
    return TextDiff(tuple(_whole_paragraph_diff(o, n) for o, n in texts), mode, FALLBACK_NOTE)


def _segments(old: str, new: str, deadline: float) -> list[Segment]:
    return [Segment(op, text) for op, text in align_words(old, new, deadline)]
