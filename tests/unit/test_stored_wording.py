"""Marked texts kept for later: what is read back says the same, moments in the reader's zone,
and an older row's plain English (even one that looks like JSON) comes back as it was."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agreements.stored_wording import Moment, keep, kept
from agreements.wording import Wording, _, n_

DEADLINE = datetime(2026, 12, 24, 17, 30, tzinfo=UTC)


def test_a_kept_text_reads_back_as_what_it_meant() -> None:
    title = _("“%(title)s”", title="Share more")
    parts = [
        _("%(title)s is open until %(deadline)s.", title=title, deadline=Moment(DEADLINE)),
        n_("%(num)s objection", "%(num)s objections", 3),
        "@@ -1 +1 @@\n-old\n+new\n",
    ]
    back = kept(keep(parts))
    assert back == ["“Share more” is open until 24 December 2026, 17:30 UTC.", "3 objections",
                    parts[2]]  # fmt: skip
    assert isinstance(back[0], Wording) and back[0].msgid == parts[0].msgid
    assert back[0].params["title"].msgid == "“%(title)s”"  # said in the reader's language too
    assert (back[1].plural, back[1].amount) == ("%(num)s objections", 3)


def test_a_moment_is_written_by_the_reader_s_formatter() -> None:
    stored = keep([_("Until %(deadline)s.", deadline=Moment(DEADLINE))])
    assert kept(stored, lambda moment: f"{moment:%H:%M}!") == ["Until 17:30!."]


@pytest.mark.parametrize(
    "older", ["Ann proposed “X”.", "{bob} objected: {no}", '{"not": "ours"}', "{"]
)
def test_an_older_rows_english_comes_back_as_it_was(older: str) -> None:
    assert kept(older) == [older]
