"""Diffs of token sequences (words, lines or paragraphs) as runs of (op, count).

diff-match-patch diffs characters. Mapping each distinct token to one character, as its
linesToChars does for lines, lets its character diff and semantic cleanup run over
words, lines or paragraphs instead. Every diff and every merge in Accord aligns tokens
through diff_tokens, so one place makes sure that dmp never silently gives up: where its
deadline passes it answers "delete everything, insert everything", and this module
raises DiffTooComplex instead.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from itertools import compress, count
from operator import ne
from typing import Literal

from diff_match_patch import diff_match_patch

Op = Literal["equal", "insert", "delete"]
_DMP_OPS: dict[int, Op] = {
    diff_match_patch.DIFF_EQUAL: "equal",
    diff_match_patch.DIFF_INSERT: "insert",
    diff_match_patch.DIFF_DELETE: "delete",
}


class DiffTooComplex(Exception):
    """A diff could not be computed exactly before its deadline."""


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

    @property
    def capacity(self) -> int:
        """How many distinct tokens it can give characters to, at the least."""
        return len(_readable_codes()) if self._words else _CODE_POINTS

    def alike(self, one: str, two: str) -> bool:
        """Whether two tokens stand for the same character: the same token, or two
        whitespace runs in words (see _new_code)."""
        return one == two or (self._words and one.isspace() and two.isspace())

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


_CODE_POINTS = 0x110000 - 0x801  # all but U+0000 and the surrogates


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
    plain = _plain_diff(old, new, codec)
    if plain is not None:
        return plain
    old_chars, new_chars = codec.encode(old), codec.encode(new)
    differ = _Differ()
    diffs = differ.diff_main(old_chars, new_chars, False, deadline)
    if words:
        differ.diff_cleanupSemantic(diffs)
    return [(_DMP_OPS[op], len(chars)) for op, chars in diffs]


def _plain_diff(
    old: Sequence[str], new: Sequence[str], codec: _TokenCodec
) -> list[tuple[Op, int]] | None:
    """The diff of two sequences of which one is empty or that differ in one token at most
    (a replaced word, a reworded paragraph): it is plain, and is what dmp answers, with or
    without semantic cleanup, so dmp need not run. None for other sequences, and for any
    with more tokens than the codec is sure to give characters to (dmp would raise)."""
    if len(old) + len(new) > codec.capacity:
        return None
    if not old or not new:
        ends: tuple[tuple[Op, int], ...] = (("delete", len(old)), ("insert", len(new)))
        return [(op, n) for op, n in ends if n]
    if len(old) != len(new):
        return None
    at = next(compress(count(), map(ne, old, new)), len(old))  # where they first differ
    if old[at + 1 :] != new[at + 1 :]:
        return None
    if at == len(old) or codec.alike(old[at], new[at]):
        return [("equal", len(old))]
    ops: tuple[tuple[Op, int], ...] = (
        ("equal", at),
        ("delete", 1),
        ("insert", 1),
        ("equal", len(old) - at - 1),
    )
    return [(op, n) for op, n in ops if n]
