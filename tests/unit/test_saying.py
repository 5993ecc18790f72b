"""Numbers, days and moments inside a marked text are written for the reader: their digit
grouping, their calendar words, their time zone with its name shown (agreements/saying.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_skeleton
from flask import Flask
from flask_babel import Babel

from agreements.languages import INTERFACE_LANGUAGES
from agreements.saying import clock, say, when
from agreements.web.locale import TRANSLATIONS
from agreements.wording import Day, Moment, Number, _

DEADLINE = datetime(2026, 12, 24, 17, 30, tzinfo=UTC)
TEXT = _("%(n)s, %(day)s, %(deadline)s", n=Number(1234567), day=Day(date(2027, 3, 1)),
         deadline=Moment(DEADLINE))  # fmt: skip


def said_by(language: str, zone: str, text: str = TEXT, mail_zone: str | None = None) -> str:
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=lambda: language, timezone_selector=lambda: zone)
    with app.test_request_context():
        return say(text, mail_zone)


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [("en", "UTC", "1,234,567, March 1, 2027, Dec 24, 2026, 17:30 UTC"),
     ("de", "Europe/Berlin", "1.234.567, 1. März 2027, 24. Dez. 2026, 18:30 CET"),
     ("fr", "Europe/Paris", "1\u202f234\u202f567, 1 mars 2027, 24 déc. 2026, 18:30 CET"),
     ("pl", "Europe/Warsaw", "1\u00a0234\u00a0567, 1 marca 2027, 24 gru 2026, 18:30 CET")],
)  # fmt: skip
def test_values_in_a_text_are_written_for_the_reader(language, zone, expected):
    assert said_by(language, zone) == expected


def test_a_mail_gives_its_moments_in_the_recipient_s_zone_not_the_request_s():
    said = said_by("en", "UTC", _("Until %(deadline)s.", deadline=Moment(DEADLINE)), "Asia/Tokyo")
    assert said == "Until Dec 25, 2026, 02:30 JST."


def test_outside_an_application_a_text_stays_english():
    assert say(TEXT) == "1,234,567, 01 March 2027, 24 December 2026, 17:30 UTC"


def in_request(language: str, zone: str, write: Callable[[], str]) -> str:
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: language, timezone_selector=lambda: zone)
    with app.test_request_context():
        return write()


@pytest.mark.parametrize("language", INTERFACE_LANGUAGES)
@pytest.mark.parametrize("zone", ["UTC", "Europe/Lisbon", "America/New_York", "Asia/Kolkata"])
def test_a_moment_reads_as_babel_writes_it_in_every_language(language, zone):
    # `when` keeps each locale's patterns once per process; what it writes must stay what
    # Babel's own skeleton formatting writes, in each language and zone, across midnight
    # and a change of daylight saving time.
    tzinfo, locale = ZoneInfo(zone), Locale.parse(language)
    for moment in (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), DEADLINE):
        local = moment.astimezone(tzinfo)
        time = format_skeleton("Hm", local, tzinfo=tzinfo, locale=locale)
        day = format_skeleton("yMMMd", local, tzinfo=tzinfo, locale=locale)
        joined = str(locale.datetime_formats["medium"]).replace("'", "").format(time, day)
        expected = f"{joined} {local.tzname()}"
        assert in_request(language, zone, lambda m=moment: when(m)) == expected


def test_an_event_s_clock_time_is_in_the_reader_s_zone():
    moment = datetime(2026, 12, 24, 23, 5, tzinfo=UTC)
    assert in_request("de", "Europe/Berlin", lambda: clock(moment)) == "00:05"
    assert in_request("en", "America/New_York", lambda: clock(moment)) == "18:05"
    assert in_request("ar", "UTC", lambda: clock(moment.replace(tzinfo=None))) == "23:05"
