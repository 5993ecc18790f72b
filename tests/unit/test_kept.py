"""Comparisons kept by their texts' hashes (agreements/text/kept.py) answer as if computed
again, except that a diff cut short by its time limit is computed again on the next view."""

from __future__ import annotations

import uuid

import pytest

from agreements.text import diff
from agreements.text.kept import kept_diff

OLD = "# Agreement\n\nWe speak with respect.\n\nWe share what we learn.\n"
NEW = "# Agreement\n\nWe speak with care.\n\nWe share what we learn.\n"


def test_a_kept_diff_is_the_diff_of_its_texts() -> None:
    assert kept_diff(OLD, NEW) == diff.diff_texts(OLD, NEW)
    assert kept_diff(OLD, NEW, mode="source") == diff.diff_texts(OLD, NEW, mode="source")


def test_a_diff_cut_short_by_a_busy_moment_is_tried_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One long paragraph with many small edits: the word diff must bisect, which takes time.
    # Its first word is new on each run: the process keeps answers across test runs (the
    # mutation tool runs the suite more than once in one process).
    first = uuid.uuid4().hex
    old = " ".join([first, *(f"w{i}" for i in range(400))])
    new = " ".join([first, *(f"w{i}" if i % 9 else f"x{i}" for i in range(400))])
    monkeypatch.setattr(diff, "DIFF_TIMEOUT_SECONDS", 0.0)
    assert kept_diff(old, new).note is not None
    monkeypatch.setattr(diff, "DIFF_TIMEOUT_SECONDS", 600.0)
    assert kept_diff(old, new).note is None
