"""Results computed from texts, kept in this process under the texts' hashes.

Comparing texts (a diff, which paragraphs a proposal touches, where two proposals overlap)
costs more than drawing the page that shows the answer, and pages are drawn far more often
than texts change. Such an answer depends on nothing but the texts, so it is kept under their
sha256 (and the ids of versions, which never change once adopted): a changed text has
another hash, so nothing kept is ever stale, in this process or any other. Each process
keeps its own; when one holds `size` answers it starts again, which bounds its memory.

A diff cut short by its time limit (DIFF_TIMEOUT_SECONDS, 2 s) may have been cut short by
a busy machine, so it is not kept: the next view tries again. Alignments give up only after
ALIGN_TIMEOUT_SECONDS (10 s), on texts that would take as long again, so their fallback
answers (every paragraph touched) are kept like any other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Generic, TypeVar

from .diff import Mode, TextDiff, diff_texts

V = TypeVar("V")


class KeptByContent(Generic[V]):
    """Answers by a key made of text hashes (see the module docstring)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: dict[Hashable, V] = {}

    def get(
        self, key: Hashable, compute: Callable[[], V], keep: Callable[[V], bool] | None = None
    ) -> V:
        """The answer kept under `key`, computed the first time it is asked (and kept, unless
        `keep` says this answer may not be)."""
        try:
            return self._answers[key]
        except KeyError:
            pass
        answer = compute()
        if keep is None or keep(answer):
            if len(self._answers) >= self.size:
                self._answers.clear()
            self._answers[key] = answer
        return answer


_diffs: KeptByContent[TextDiff] = KeptByContent(size=256)


def kept_diff(old: str, new: str, *, mode: Mode = "rendered") -> TextDiff:
    """`diff_texts(old, new, mode=mode)`, kept by the texts' hashes: pages diff the same
    versions and revisions on every view (a diff cut short by its time limit, which says
    so in its note, is not kept, and has no `kept_as`)."""
    key = (_sha256(old), _sha256(new), mode)
    return _diffs.get(key, lambda: _kept_as(diff_texts(old, new, mode=mode), key), keep=_complete)


def _kept_as(diff: TextDiff, key: Hashable) -> TextDiff:
    return replace(diff, kept_as=key) if _complete(diff) else diff


def _complete(diff: TextDiff) -> bool:
    return diff.note is None


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
