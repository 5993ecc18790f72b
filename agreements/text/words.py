"""The word-by-word changes inside one paragraph, as runs of (op, text).

Readers judge an amendment by its words, so words are aligned by what they say first, and
only then do differences in the spaces between them show: re-wrapping a line changes no
word. Most changed paragraphs differ in a few words, so the ends they share are set
aside before tokenizing, which keeps long paragraphs cheap.
"""

from __future__ import annotations

from diff_match_patch import diff_match_patch

from agreements.text.sequences import Op, diff_tokens
from agreements.text.units import tokenize

_DMP = diff_match_patch()  # for its common prefix and suffix, which keep no state


def align_words(old: str, new: str, deadline: float) -> list[tuple[Op, str]]:
    """The changes from old to new as runs of (op, text) that join back to both.
    Raises DiffTooComplex when the deadline (a time.time() value) passes first."""
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
    return [(op, "".join(tokens)) for op, tokens in runs]


def _unchanged_ends(old: str, new: str) -> tuple[int, int]:
    """The lengths of the beginning and the end that two texts share, cut where a run of
    whitespace starts or ends so that no token is split: only the rest needs tokenizing,
    which in a long paragraph with one changed word is little."""
    prefix = _whitespace_before(old, _DMP.diff_commonPrefix(old, new))
    suffix = _DMP.diff_commonSuffix(old[prefix:], new[prefix:])
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
