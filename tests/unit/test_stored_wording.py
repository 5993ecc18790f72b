"""Marked texts kept for later: what is read back says the same, the numbers, days and
moments it names come back as values (to be written for the reader), and an older row's
plain English (even one that looks like JSON) comes back as it was."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from agreements.stored_wording import keep, kept
from agreements.wording import Day, Moment, Number, Wording, _, n_

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


def test_the_values_a_text_names_come_back_as_what_they_were() -> None:
    stored = keep(
        [_("%(n)s words until %(deadline)s, review on %(day)s.", n=Number(1234),
           deadline=Moment(DEADLINE), day=Day(date(2027, 3, 1)))]
    )  # fmt: skip
    (back,) = kept(stored)
    assert back == "1,234 words until 24 December 2026, 17:30 UTC, review on 01 March 2027."
    params = back.params  # type: ignore[attr-defined]
    assert isinstance(params["n"], Number) and params["n"].value == 1234
    assert isinstance(params["deadline"], Moment) and params["deadline"].at == DEADLINE
    assert isinstance(params["day"], Day) and params["day"].on == date(2027, 3, 1)


@pytest.mark.parametrize(
    "older", ["Ann proposed “X”.", "{bob} objected: {no}", '{"not": "ours"}', "{"]
)
def test_an_older_rows_english_comes_back_as_it_was(older: str) -> None:
    assert kept(older) == [older]
