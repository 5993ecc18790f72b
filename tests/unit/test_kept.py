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


def test_a_kept_diff_names_its_key_and_one_cut_short_has_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pages keep a diff's rendering under `kept_as`: it must differ wherever the diff does,
    and a diff cut short must have none, so that its rendering is not kept either."""
    assert kept_diff(OLD, NEW).kept_as is not None
    keys = {kept_diff(OLD, NEW).kept_as, kept_diff(OLD, NEW, mode="source").kept_as}
    keys.add(kept_diff(NEW, OLD).kept_as)
    assert len(keys) == 3
    monkeypatch.setattr(diff, "DIFF_TIMEOUT_SECONDS", 0.0)
    first = uuid.uuid4().hex
    old = " ".join([first, *(f"w{i}" for i in range(400))])
    new = " ".join([first, *(f"w{i}" if i % 9 else f"x{i}" for i in range(400))])
    assert kept_diff(old, new).kept_as is None


def test_a_kept_diffs_views_render_as_an_unkept_diffs(app) -> None:
    """Each view of a kept diff, kept rendered under its arguments, is the HTML the same
    view of the same diff draws afresh (side by side names its columns, so each caption
    is its own rendering)."""
    kept, fresh = kept_diff(OLD, NEW), diff.diff_texts(OLD, NEW)
    views = app.jinja_env.get_template("partials/_diff.html").module
    with app.test_request_context("/"):
        for _ in range(2):  # drawn, then kept
            for caption in ("Amendment 3", "Amendment 4"):
                table = str(views.side_by_side(kept, caption=caption))
                assert table == str(views.side_by_side(fresh, caption=caption))
                assert f"<caption>{caption} (" in table
            for view in (views.rendered, views.inline):
                assert str(view(kept, lang="de")) == str(view(fresh, lang="de"))
                assert str(view(kept, context=0)) == str(view(fresh, context=0))
