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

    @property
    def summary(self) -> DiffSummary:
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
    marks = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in _mark_ranges())
    # What continues a grapheme: combining marks, zero-width (non-)joiners, emoji skin
    # tones and tag characters; after a zero-width joiner, the next emoji too.
    extend = f"(?:[{marks}\u200c\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]|\u200d\\S)"
    word_char = f"(?![{_DENSE_SCRIPTS}])\\w{extend}*"
    return re.compile(
        "\\s+"
        "|[\U0001f1e6-\U0001f1ff]{2}"  # a flag: two regional indicators
        f"|[{_DENSE_SCRIPTS}]{extend}*"
        f"|(?:{word_char})+(?:['\u2019](?:{word_char})+)*"  # a word, with don't and its curly twin
        f"|.{extend}*",  # punctuation, a symbol, an emoji
        re.DOTALL,
    )


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

# A line that starts a block of its own even without a blank line before it: a list
# item, a heading, a block quote or a table row.
_BLOCK_START = re.compile(r"[ \t]*(?:[-*+][ \t]|\d{1,9}[.)][ \t]|#{1,6}(?:[ \t]|\r?\n|$)|>|\|)")
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}(?:[ \t]|\r?\n|$)")
_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
_COLLAPSIBLE = re.compile(r"[ \t\r\n\f\v]+")


def split_paragraphs(text: str) -> list[str]:
    """Cut text into paragraphs: blocks separated by blank lines, list items, headings,
    quote lines, table rows and fenced code blocks. Each keeps the blank lines after it
    (and the first the ones before it), so the paragraphs join back to the text exactly."""
    paragraphs: list[str] = []
    current: list[str] = []
    has_content = boundary = False
    fence = ""
    for line in text.splitlines(keepends=True):
        if fence:
            current.append(line)
            if line.strip().startswith(fence):
                fence, boundary = "", True
            continue
        if not line.strip(" \t\r\n"):
            current.append(line)
            boundary = has_content
            continue
        opened = _FENCE.match(line)
        if has_content and (boundary or opened or _BLOCK_START.match(line)):
            paragraphs.append("".join(current))
            current = []
        current.append(line)
        has_content = True
        boundary = bool(_HEADING.match(line))
        fence = opened.group(1) if opened else ""
    if current:
        paragraphs.append("".join(current))
    return paragraphs


def rendered_paragraph(paragraph: str) -> str:
    """What a reader sees of a paragraph: inside it, every run of spaces and line breaks
    is one space (Markdown re-wrapping changes no word). Code blocks keep their lines."""
    if _FENCE.match(paragraph.lstrip("\r\n")):
        return "\n".join(line.rstrip() for line in paragraph.strip("\r\n").splitlines())
    return _COLLAPSIBLE.sub(" ", paragraph).strip(" ")


def _comparable_paragraphs(text: str, mode: Mode) -> tuple[list[str], list[str]]:
    """The paragraphs as aligned (always rendered, so a re-wrapped paragraph still pairs
    with its old self) and as compared and shown (rendered or source, by mode)."""
    sources = split_paragraphs(text)
    keys = [rendered_paragraph(source) for source in sources]
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

    In readable mode a token that is a single space or punctuation character stands for
    itself and other tokens get letters, so dmp's semantic cleanup still sees where
    words end. Otherwise any code point will do, which allows far more distinct tokens.
    """

    def __init__(self, *, readable: bool) -> None:
        self._readable = readable
        self._codes: dict[str, str] = {}
        self._tokens: dict[str, str] = {}
        self._allotted = 0

    def encode(self, tokens: Sequence[str]) -> str:
        codes = self._codes
        return "".join(codes.get(token) or self._new_code(token) for token in tokens)

    def decode(self, chars: str) -> list[str]:
        return [self._tokens[char] for char in chars]

    def _new_code(self, token: str) -> str:
        if self._readable and len(token) == 1 and not token.isalnum():
            code = token
        else:
            code = _nth(self._allotted) if self._readable else _nth_code_point(self._allotted)
            self._allotted += 1
        self._codes[token] = code
        self._tokens[code] = token
        return code


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
    old: Sequence[str], new: Sequence[str], *, deadline: float, semantic: bool = False
) -> list[tuple[Op, list[str]]]:
    """Diff two token sequences (words, lines or paragraphs) with diff-match-patch.

    semantic=True applies dmp's semantic cleanup, which favours a few readable edits over
    many scattered ones. Raises DiffTooComplex when the deadline (a time.time() value)
    passes before the diff is exact.
    """
    codec = _TokenCodec(readable=semantic)
    old_chars, new_chars = codec.encode(old), codec.encode(new)
    differ = _Differ()
    diffs = differ.diff_main(old_chars, new_chars, False, deadline)
    if semantic:
        differ.diff_cleanupSemantic(diffs)
    return [(_DMP_OPS[op], codec.decode(chars)) for op, chars in diffs]


def word_diff(old: str, new: str, *, timeout: float = DIFF_TIMEOUT_SECONDS) -> list[Segment]:
    """The word-level diff of two short texts; the segments join back to both.

    Raises DiffTooComplex when it cannot finish exactly within timeout seconds.
    """
    check_text_size(old, new)
    diffs = diff_tokens(tokenize(old), tokenize(new), deadline=time.time() + timeout, semantic=True)
    return [Segment(op, "".join(tokens)) for op, tokens in diffs]


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
    old_keys, old_shown = _comparable_paragraphs(old, mode)
    new_keys, new_shown = _comparable_paragraphs(new, mode)
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
    for op, keys in diff_tokens(old_keys, new_keys, deadline=deadline):
        if op == "delete":
            removed.extend(range(i, i + len(keys)))
            i += len(keys)
        elif op == "insert":
            added.extend(range(j, j + len(keys)))
            j += len(keys)
        else:
            pairs.extend(_pair_replaced(removed, added, old_keys, new_keys))
            removed, added = [], []
            pairs.extend((i + k, j + k) for k in range(len(keys)))
            i, j = i + len(keys), j + len(keys)
    pairs.extend(_pair_replaced(removed, added, old_keys, new_keys))
    return pairs


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
    diffs = diff_tokens(tokenize(old), tokenize(new), deadline=deadline, semantic=True)
    segments = tuple(Segment(op, "".join(tokens)) for op, tokens in diffs)
    return ParagraphDiff("change", old, new, segments)


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
