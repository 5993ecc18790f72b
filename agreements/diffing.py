"""Word-level diffs of Markdown agreement texts, in any language.

People consent to a text, so they must see exactly which words an amendment changes. The
diff works like Wikipedia's wikidiff2: split both texts into paragraphs, align the
paragraphs (diff-match-patch over one character per paragraph), then diff words only
inside the paragraph pairs that changed. A word diff maps each token (word, whitespace
run, punctuation mark, or one grapheme of a script written without spaces) to a single
character, as diff-match-patch's linesToChars does for lines, so its character diff and
semantic cleanup run over words instead of letters.

Two modes: "rendered" (the default) compares what a reader of the rendered agreement sees,
so re-wrapping a paragraph is no change; "source" compares every character.

diff-match-patch gives up silently when its deadline passes (it answers "delete
everything, insert everything"). Accord detects that and shows whole paragraphs with a
note instead, so a diff is never silently useless.
"""

from __future__ import annotations

import bisect
import functools
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from diff_match_patch import diff_match_patch

#: Longest text Accord diffs or merges, in characters (about 1 MB of English). Past it a
#: diff stops being readable and its cost stops being bounded; it also keeps the number
#: of distinct paragraphs of two texts below the number of Unicode code points, which
#: the paragraph alignment needs (one character per paragraph).
MAX_TEXT_CHARS = 1_000_000

#: How long one diff may take before it falls back to whole paragraphs.
DIFF_TIMEOUT_SECONDS = 2.0

FALLBACK_NOTE = "This change is too large to compare word by word; whole paragraphs are shown."

Op = Literal["equal", "insert", "delete"]
Mode = Literal["rendered", "source"]
_DMP_OPS: dict[int, Op] = {
    diff_match_patch.DIFF_EQUAL: "equal",
    diff_match_patch.DIFF_INSERT: "insert",
    diff_match_patch.DIFF_DELETE: "delete",
}


class TextTooLarge(ValueError):
    """A text is longer than MAX_TEXT_CHARS."""


class DiffTooComplex(Exception):
    """A diff could not be computed exactly before its deadline."""


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


@dataclass(frozen=True)
class UnchangedRun:
    """Stands for unchanged paragraphs that a compact view leaves out."""

    op: ClassVar[str] = "unchanged"
    count: int

    def __str__(self) -> str:
        return f"{_plural(self.count, 'unchanged paragraph')}"


@dataclass(frozen=True)
class DiffSummary:
    """How big a change is, in the words people use for it."""

    paragraphs_changed: int
    words_added: int
    words_removed: int

    def __str__(self) -> str:
        if not self.paragraphs_changed:
            return "No changes"
        return (
            f"{_plural(self.paragraphs_changed, 'paragraph')} changed, "
            f"{_plural(self.words_added, 'word')} added, {self.words_removed} removed"
        )


@dataclass(frozen=True)
class TextDiff:
    """The diff of two agreement texts, paragraph by paragraph.

    note is set when the diff could not be computed word by word and shows whole
    paragraphs instead; a page must show it.
    """

    paragraphs: tuple[ParagraphDiff, ...]
    mode: str
    note: str | None

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


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# --- Tokens ---------------------------------------------------------------------------

# Scripts written without spaces between words: each grapheme is its own token, so a
# one-character change in Chinese, Japanese or Thai shows as that character.
_DENSE_SCRIPTS = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u0f00-\u0fff"  # Tibetan
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u2e80-\u2fff"  # CJK radicals
    "\u3040-\u31ff"  # Hiragana, Katakana, Bopomofo
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\ua000-\ua4cf"  # Yi
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U000323af"  # CJK extensions B-H
)


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    """Built on first use: listing the combining marks takes a tenth of a second."""
    ranges = _mark_ranges()
    bmp_marks = _char_ranges(r for r in ranges if r[1] <= 0xFFFF)
    astral_marks = _char_ranges(r for r in ranges if r[1] > 0xFFFF)
    # What continues a grapheme: combining marks, zero-width (non-)joiners, emoji skin
    # tones and tag characters; after a zero-width joiner, the next emoji too. The astral
    # characters are only looked up for astral characters: a long class is slow to scan.
    extend = (
        f"(?:[{bmp_marks}\u200c]|\u200d\\S|(?=[\U00010000-\U0010ffff])"
        f"[{astral_marks}\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f])"
    )
    # Most words are ASCII: matching runs of ASCII letters first makes tokenizing fast.
    word_part = f"(?:[a-zA-Z0-9]+{extend}*|(?![{_DENSE_SCRIPTS}])\\w{extend}*)+"
    return re.compile(
        "\\s+"
        "|[\U0001f1e6-\U0001f1ff]{2}"  # a flag: two regional indicators
        f"|[{_DENSE_SCRIPTS}]{extend}*"
        f"|{word_part}(?:['\u2019]{word_part})*"  # a word, with don't and its curly twin
        f"|.{extend}*",  # punctuation, a symbol, an emoji
        re.DOTALL,
    )


def _char_ranges(ranges: Iterable[tuple[int, int]]) -> str:
    return "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in ranges)


def _mark_ranges() -> list[tuple[int, int]]:
    """Code point ranges of Unicode's combining marks (categories Mn, Mc, Me)."""
    ranges: list[tuple[int, int]] = []
    for code in (*range(0x20000), *range(0xE0100, 0xE01F0)):
        if unicodedata.category(chr(code)).startswith("M"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return ranges


def tokenize(text: str) -> list[str]:
    """Split text into the units a word diff compares: words, whitespace runs, punctuation
    marks, and single graphemes of scripts written without spaces. Combining marks and
    emoji sequences stay whole, and the tokens always join back to the text."""
    return _token_pattern().findall(text)


def count_words(text: str) -> int:
    """Words in text, counting each character of a script written without spaces."""
    return sum(token[:1].isalnum() for token in tokenize(text))


# --- Paragraphs -----------------------------------------------------------------------

# One paragraph: the blank lines before it, then a fenced code block (to its closing
# fence), a heading line, or a block of lines up to a blank line or a line that starts a
# block of its own (a list item, heading, block quote, table row or fence); the last
# paragraph also takes the blank lines after it.
_PARAGRAPH = re.compile(
    r"""
    (?:[ \t\r]*\n)*
    (?:
        [ \t]{0,3}(?P<fence>(?P<mark>[`~])(?P=mark){2,})[^\n]*(?:\n|\Z)
        (?:(?![^\S\n]*(?P=fence)(?P=mark)*[^\S\n]*(?:\n|\Z))[^\n]*\n)*
        (?:[^\S\n]*(?P=fence)(?P=mark)*[^\S\n]*(?:\n|\Z)|[^\n]*\Z)
    |   [ \t]{0,3}\#{1,6}(?:[ \t][^\n]*)?\r?(?:\n|\Z)
    |   [^\n]*(?:\n|\Z)
        (?:
            (?![ \t\r]*(?:\n|\Z))
            (?![ \t]*(?:[-*+][ \t]|\d{1,9}[.)][ \t]|\#{1,6}(?:[ \t]|\r?\n|$)|>|\|))
            (?![ \t]{0,3}(?:`{3,}|~{3,}))
            [^\n]*(?:\n|\Z)
        )*
    )
    (?:(?:[ \t\r]*\n)*[ \t\r]*\Z)?
    """,
    re.VERBOSE | re.MULTILINE,
)
_FENCED = re.compile(r"(?:[ \t\r]*\n)*[ \t]{0,3}(?:`{3,}|~{3,})")
_COLLAPSIBLE = re.compile(r"[ \t\r\n\f\v]+")


def split_paragraphs(text: str) -> list[str]:
    """Cut text into paragraphs: blocks separated by blank lines, list items, headings,
    quote lines, table rows and fenced code blocks. Each carries the blank lines before
    it (the last also those after it), so the paragraphs join back to the text exactly,
    and adding or removing a paragraph leaves its neighbours as they were."""
    paragraphs: list[str] = []
    position = 0
    while position < len(text):
        # Never empty: the blank lines take a line break, a block any other character.
        paragraph = _PARAGRAPH.match(text, position).group()  # type: ignore[union-attr]
        paragraphs.append(paragraph)
        position += len(paragraph)
    return paragraphs


def rendered_paragraph(paragraph: str) -> str:
    """What a reader sees of a paragraph: inside it, every run of spaces and line breaks
    is one space (Markdown re-wrapping changes no word). Code blocks keep their lines."""
    if _FENCED.match(paragraph):
        return "\n".join(line.rstrip() for line in paragraph.splitlines()).strip("\n")
    return _COLLAPSIBLE.sub(" ", paragraph).strip(" ")


def _comparable_paragraphs(
    text: str, mode: Mode, rendered: dict[str, str]
) -> tuple[list[str], list[str]]:
    """The paragraphs as aligned (always rendered, so a re-wrapped paragraph still pairs
    with its old self) and as compared and shown (rendered or source, by mode).

    rendered remembers each paragraph's rendering: most paragraphs of two versions are
    the same, and need rendering once."""
    sources = split_paragraphs(text)
    keys = []
    for source in sources:
        key = rendered.get(source)
        if key is None:
            key = rendered[source] = rendered_paragraph(source)
        keys.append(key)
    if mode == "source":
        return keys, sources
    kept = [key for key in keys if key]
    return kept, kept


# --- Diffing token sequences ----------------------------------------------------------


class _Differ(diff_match_patch):
    """diff-match-patch that raises DiffTooComplex where the original would silently answer
    "delete everything, insert everything" because its deadline passed."""

    def diff_bisect(self, text1: str, text2: str, deadline: float) -> list[tuple[int, str]]:
        diffs = super().diff_bisect(text1, text2, deadline)
        gave_up = [(self.DIFF_DELETE, text1), (self.DIFF_INSERT, text2)]
        if diffs == gave_up and time.time() > deadline:
            raise DiffTooComplex
        return diffs


@functools.cache
def _readable_codes() -> tuple[str, ...]:
    """Letters that stand for tokens in a word diff: being alphanumeric, they keep the
    semantic cleanup's word-boundary heuristics working on the encoded text."""
    blocks = ((0x4E00, 0xA000), (0x3400, 0x4DC0), (0xAC00, 0xD7A4), (0x20000, 0x2A6E0))
    letters = (chr(code) for start, stop in blocks for code in range(start, stop))
    return tuple(letter for letter in letters if letter.isalnum())


class _TokenCodec:
    """Gives each distinct token one character, so that dmp diffs token sequences.

    For words, every whitespace run stands for a space and a token that is a single
    punctuation character stands for itself, while other tokens get letters: so a
    re-wrapped line changes no word, and dmp's semantic cleanup still sees where words
    end. Otherwise any code point will do, which allows far more distinct tokens.
    """

    def __init__(self, *, words: bool) -> None:
        self._words = words
        self._codes: dict[str, str] = {}
        self._allotted = 0

    def encode(self, tokens: Sequence[str]) -> str:
        codes = self._codes
        for token in dict.fromkeys(tokens):
            if token not in codes:
                codes[token] = self._new_code(token)
        return "".join(map(codes.__getitem__, tokens))

    def _new_code(self, token: str) -> str:
        if self._words and token.isspace():
            return " "
        if self._words and len(token) == 1 and not token.isalnum():
            return token
        self._allotted += 1
        return _nth(self._allotted - 1) if self._words else _nth_code_point(self._allotted - 1)


def _nth(number: int) -> str:
    codes = _readable_codes()
    if number >= len(codes):
        raise DiffTooComplex
    return codes[number]


def _nth_code_point(number: int) -> str:
    """The number-th code point after U+0000, skipping the surrogates."""
    code = number + 1 if number + 1 < 0xD800 else number + 0x801
    if code > 0x10FFFF:
        raise DiffTooComplex
    return chr(code)


def diff_tokens(
    old: Sequence[str], new: Sequence[str], *, deadline: float, words: bool = False
) -> list[tuple[Op, int]]:
    """Diff two token sequences (words, lines or paragraphs) with diff-match-patch, as
    runs of (op, number of tokens).

    words=True compares all whitespace alike and applies dmp's semantic cleanup, which
    favours a few readable edits over many scattered ones. Raises DiffTooComplex when the
    deadline (a time.time() value) passes before the diff is exact.
    """
    codec = _TokenCodec(words=words)
    old_chars, new_chars = codec.encode(old), codec.encode(new)
    differ = _Differ()
    diffs = differ.diff_main(old_chars, new_chars, False, deadline)
    if words:
        differ.diff_cleanupSemantic(diffs)
    return [(_DMP_OPS[op], len(chars)) for op, chars in diffs]


def word_diff(old: str, new: str, *, timeout: float = DIFF_TIMEOUT_SECONDS) -> list[Segment]:
    """The word-level diff of two short texts; the segments join back to both.

    Raises DiffTooComplex when it cannot finish exactly within timeout seconds.
    """
    check_text_size(old, new)
    return _word_segments(old, new, time.time() + timeout)


def _word_segments(old: str, new: str, deadline: float) -> list[Segment]:
    """Align the words by what they say, then show where the spaces between them differ:
    re-wrapping a line is a change of whitespace, never of the words around it."""
    prefix, suffix = _unchanged_ends(old, new)
    old_tokens = tokenize(old[prefix : len(old) - suffix])
    new_tokens = tokenize(new[prefix : len(new) - suffix])
    runs: list[tuple[Op, list[str]]] = [("equal", [old[:prefix]])] if prefix else []
    i = j = 0
    for op, count in diff_tokens(old_tokens, new_tokens, deadline=deadline, words=True):
        if op == "delete":
            _extend(runs, "delete", old_tokens[i : i + count])
            i += count
        elif op == "insert":
            _extend(runs, "insert", new_tokens[j : j + count])
            j += count
        else:
            _extend_equal(runs, old_tokens[i : i + count], new_tokens[j : j + count])
            i, j = i + count, j + count
    if suffix:
        _extend(runs, "equal", [old[len(old) - suffix :]])
    return [Segment(op, "".join(tokens)) for op, tokens in runs]


def _unchanged_ends(old: str, new: str) -> tuple[int, int]:
    """The lengths of the beginning and the end that two texts share, cut where a run of
    whitespace starts or ends so that no token is split: only the rest needs tokenizing,
    which in a long paragraph with one changed word is little."""
    differ = diff_match_patch()
    prefix = _whitespace_before(old, differ.diff_commonPrefix(old, new))
    suffix = differ.diff_commonSuffix(old[prefix:], new[prefix:])
    return prefix, len(old) - _whitespace_after(old, len(old) - suffix)


def _whitespace_before(text: str, limit: int) -> int:
    """Where the last run of spaces or line breaks starting before limit starts (or 0)."""
    at = max(text.rfind(" ", 0, limit), text.rfind("\n", 0, limit))
    while at > 0 and text[at - 1].isspace():
        at -= 1
    return max(at, 0)


def _whitespace_after(text: str, start: int) -> int:
    """Where the first run of spaces or line breaks from start on ends (or the text's end)."""
    found = [at for at in (text.find(" ", start), text.find("\n", start)) if at >= 0]
    at = min(found, default=len(text))
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def _extend_equal(runs: list[tuple[Op, list[str]]], olds: list[str], news: list[str]) -> None:
    """Tokens aligned as equal, where whitespace may still differ."""
    if olds == news:
        _extend(runs, "equal", olds)
        return
    for old, new in zip(olds, news, strict=True):
        if old == new:
            _extend(runs, "equal", [old])
        else:
            _extend(runs, "delete", [old])
            _extend(runs, "insert", [new])


def _extend(runs: list[tuple[Op, list[str]]], op: Op, tokens: list[str]) -> None:
    if runs and runs[-1][0] == op:
        runs[-1][1].extend(tokens)
    else:
        runs.append((op, list(tokens)))


def check_text_size(*texts: str) -> None:
    """Refuse, with a message a person understands, a text longer than MAX_TEXT_CHARS."""
    for text in texts:
        if len(text) > MAX_TEXT_CHARS:
            raise TextTooLarge(
                f"The text has {len(text):,} characters; Accord compares texts of up to "
                f"{MAX_TEXT_CHARS:,}."
            )


# --- Diffing agreement texts ----------------------------------------------------------

# Replaced paragraphs pair up when at least this share of their words is common.
_PAIRING_SIMILARITY = 0.25
# Beyond this many candidate pairs in one replaced stretch, no pairing is attempted.
_MAX_PAIRING_WORK = 2_500
# Anchoring stretches within stretches stops at this depth; dmp aligns the rest.
_MAX_ANCHOR_DEPTH = 8


def diff_texts(
    old: str, new: str, *, mode: Mode = "rendered", timeout: float = DIFF_TIMEOUT_SECONDS
) -> TextDiff:
    """Diff two agreement texts paragraph by paragraph, then word by word.

    Raises TextTooLarge past MAX_TEXT_CHARS. When the diff cannot be finished within
    timeout seconds, changed paragraphs are shown whole and the result carries a note.
    """
    if mode not in ("rendered", "source"):
        raise ValueError(f"Unknown diff mode {mode!r}: use 'rendered' or 'source'.")
    check_text_size(old, new)
    deadline = time.time() + timeout
    rendered: dict[str, str] = {}
    old_keys, old_shown = _comparable_paragraphs(old, mode, rendered)
    new_keys, new_shown = _comparable_paragraphs(new, mode, rendered)
    try:
        pairs = _align(old_keys, new_keys, deadline)
    except DiffTooComplex:
        pairs = _unpaired(range(len(old_keys)), range(len(new_keys)))
        return _whole_paragraphs(_pair_texts(pairs, old_shown, new_shown), mode)
    texts = _pair_texts(pairs, old_shown, new_shown)
    try:
        return TextDiff(tuple(_paragraph_diff(o, n, deadline) for o, n in texts), mode, None)
    except DiffTooComplex:
        return _whole_paragraphs(texts, mode)


_Pair = tuple[int | None, int | None]
_TextPair = tuple[str | None, str | None]


def _pair_texts(pairs: list[_Pair], old: list[str], new: list[str]) -> list[_TextPair]:
    return [(None if i is None else old[i], None if j is None else new[j]) for i, j in pairs]


def _align(old_keys: list[str], new_keys: list[str], deadline: float) -> list[_Pair]:
    """Pair old and new paragraphs: equal ones by the paragraph diff, replaced ones by
    similarity; an unpaired paragraph was deleted (new index None) or inserted."""
    pairs: list[_Pair] = []
    i = j = 0
    removed: list[int] = []
    added: list[int] = []
    for op, count in _paragraph_ops(old_keys, new_keys, deadline):
        if op == "delete":
            removed.extend(range(i, i + count))
            i += count
        elif op == "insert":
            added.extend(range(j, j + count))
            j += count
        else:
            if removed or added:
                pairs.extend(_pair_replaced(removed, added, old_keys, new_keys))
                removed, added = [], []
            pairs.extend((i + k, j + k) for k in range(count))
            i, j = i + count, j + count
    pairs.extend(_pair_replaced(removed, added, old_keys, new_keys))
    return pairs


def _paragraph_ops(
    old_keys: list[str], new_keys: list[str], deadline: float, depth: int = 0
) -> list[tuple[Op, int]]:
    """The paragraph diff as (op, number of paragraphs). As in patience diff, paragraphs
    found exactly once in each text anchor it, the stretches between are aligned the same
    way, and dmp aligns what has no anchors: the cost follows the size of the changes,
    not of the agreement."""
    anchors = _anchors(old_keys, new_keys) if old_keys and new_keys else []
    if not anchors or depth == _MAX_ANCHOR_DEPTH:
        return _stretch_ops(old_keys, new_keys, deadline)
    ops: list[tuple[Op, int]] = []
    i = j = 0
    for a, b in anchors:
        if a > i or b > j:
            ops += _paragraph_ops(old_keys[i:a], new_keys[j:b], deadline, depth + 1)
        if ops and ops[-1][0] == "equal":
            ops[-1] = ("equal", ops[-1][1] + 1)
        else:
            ops.append(("equal", 1))
        i, j = a + 1, b + 1
    return ops + _paragraph_ops(old_keys[i:], new_keys[j:], deadline, depth + 1)


def _stretch_ops(old_keys: list[str], new_keys: list[str], deadline: float) -> list[tuple[Op, int]]:
    if not old_keys and not new_keys:
        return []
    return diff_tokens(old_keys, new_keys, deadline=deadline)


def _anchors(old_keys: list[str], new_keys: list[str]) -> list[tuple[int, int]]:
    """Positions (old, new) of paragraphs found exactly once in each text, as many as can
    be matched in order."""
    old_counts, new_counts = Counter(old_keys), Counter(new_keys)
    new_at = {key: j for j, key in enumerate(new_keys) if new_counts[key] == 1}
    unique = [
        (i, new_at[key]) for i, key in enumerate(old_keys) if old_counts[key] == 1 and key in new_at
    ]
    return _longest_increasing(unique)


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of pairs whose second items increase (patience sorting)."""
    tails: list[int] = []  # tails[k]: the least second item that ends a run of length k+1
    ends: list[int] = []  # ends[k]: the index in pairs of that item
    previous = [-1] * len(pairs)
    for n, (_, second) in enumerate(pairs):
        k = bisect.bisect_left(tails, second)
        if k == len(tails):
            tails.append(second)
            ends.append(n)
        else:
            tails[k], ends[k] = second, n
        previous[n] = ends[k - 1] if k else -1
    run: list[tuple[int, int]] = []
    n = ends[-1] if ends else -1
    while n >= 0:
        run.append(pairs[n])
        n = previous[n]
    return run[::-1]


def _unpaired(removed: Sequence[int], added: Sequence[int]) -> list[_Pair]:
    return [(i, None) for i in removed] + [(None, j) for j in added]


def _pair_replaced(
    removed: list[int], added: list[int], old_keys: list[str], new_keys: list[str]
) -> list[_Pair]:
    """Pair the paragraphs of a replaced stretch with their most similar replacements,
    keeping their order, so a reworded paragraph shows as a change rather than as a
    deletion and an unrelated insertion."""
    if len(removed) == 1 and len(added) == 1:
        return [(removed[0], added[0])]
    if not removed or not added or len(removed) * len(added) > _MAX_PAIRING_WORK:
        return _unpaired(removed, added)
    old_words = [_word_bag(old_keys[i]) for i in removed]
    new_words = [_word_bag(new_keys[j]) for j in added]
    # best[a][b]: the greatest total similarity of a pairing of removed[a:] with added[b:];
    # choice[a][b]: its first step.
    best = [[0.0] * (len(added) + 1) for _ in range(len(removed) + 1)]
    choice = [[_SKIP_OLD] * len(added) for _ in range(len(removed))]
    for a in reversed(range(len(removed))):
        for b in reversed(range(len(added))):
            similarity = _similarity(old_words[a], new_words[b])
            options = [(best[a + 1][b], _SKIP_OLD), (best[a][b + 1], _SKIP_NEW)]
            if similarity >= _PAIRING_SIMILARITY:
                options.append((best[a + 1][b + 1] + similarity, _PAIR))
            best[a][b], choice[a][b] = max(options)
    return _read_pairing(choice, removed, added)


_SKIP_OLD, _SKIP_NEW, _PAIR = 0, 1, 2


def _read_pairing(choice: list[list[int]], removed: list[int], added: list[int]) -> list[_Pair]:
    """Follow the pairing choices; unpaired deletions are listed before insertions."""
    pairs: list[_Pair] = []
    pending: list[int] = []
    a = b = 0
    while a < len(removed) and b < len(added):
        if choice[a][b] == _PAIR:
            pairs += [*_unpaired([], pending), (removed[a], added[b])]
            pending = []
            a, b = a + 1, b + 1
        elif choice[a][b] == _SKIP_NEW:
            pending.append(added[b])
            b += 1
        else:
            pairs.append((removed[a], None))
            a += 1
    return pairs + _unpaired(removed[a:], pending + added[b:])


def _word_bag(text: str) -> Counter[str]:
    return Counter(token.casefold() for token in tokenize(text) if token[:1].isalnum())


def _similarity(one: Counter[str], two: Counter[str]) -> float:
    """The Dice coefficient of two bags of words: 1.0 for the same words, 0.0 for none."""
    total = one.total() + two.total()
    return 2 * (one & two).total() / total if total else 1.0


def _paragraph_diff(old: str | None, new: str | None, deadline: float) -> ParagraphDiff:
    if old is None or new is None or old == new:
        return _whole_paragraph_diff(old, new)
    return ParagraphDiff("change", old, new, tuple(_word_segments(old, new, deadline)))


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
