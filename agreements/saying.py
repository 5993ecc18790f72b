"""Saying a marked text (`agreements.wording`) in the language of the request or mail at hand.

The one place that asks Flask-Babel for the current translations: pages (through the Jinja
`finalize` hook, so every `{{ value }}` that is a Wording is said in the reader's language),
flashes, the API's problem details and mails all go through `say`. Outside an application
context a Wording stays English. `when` writes a moment for the reader (pages, and mails in
their recipient's zone), and `say` writes each number, day and moment a text names for the
reader's locale; `say_kept` says a text kept for later (`stored_wording`), such as a
notification, in the language at hand.

May import: wording, stored_wording, languages, Babel, Flask-Babel.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import DateTimePattern, format_date, match_skeleton, parse_pattern
from babel.numbers import format_decimal
from flask import g, has_app_context
from flask_babel import get_locale, get_timezone, get_translations

from .languages import DEFAULT_LANGUAGE
from .stored_wording import kept
from .wording import Day, Moment, Number, Wording


def say(text: Any, zone: str | None = None) -> Any:
    """`text` in the current language when it is a Wording, the numbers, days and moments it
    names written for the current locale (moments in the reader's time zone, or `zone` for
    a mail's recipient); anything else unchanged."""
    if not isinstance(text, Wording) or not has_app_context():
        return text
    catalogue = translations()
    return text.say(catalogue.ugettext, catalogue.ungettext, lambda value: _localised(value, zone))


BABEL_CONTEXT = "_flask_babel"  # where Flask-Babel keeps its per-request state in `g`


def translations() -> Any:
    """The catalogue of the language in force, looked up once per request (or forced locale):
    kept in the slot Flask-Babel reserves for it in its context (`babel_translations`), which
    its `force_locale` (a mail in its recipient's language) empties and restores and its
    `refresh` clears, so a text is never said from another language's catalogue."""
    context = g.get(BABEL_CONTEXT)
    if context is None:
        return get_translations()  # the first call makes Flask-Babel's context
    found = getattr(context, "babel_translations", None)
    if found is None:
        found = context.babel_translations = get_translations()
    return found


def _localised(value: Any, zone: str | None) -> Any:
    if isinstance(value, Moment):
        return when(value.at, zone)
    if isinstance(value, Day):
        return format_date(value.on, "long", locale=_locale())
    if isinstance(value, Number):
        return format_decimal(value.value, locale=_locale())
    return value


def _locale() -> Locale:
    return get_locale() or Locale.parse(DEFAULT_LANGUAGE)


def when(moment: datetime | None, zone: str | None = None) -> str:
    """A moment as the reader reads it: their locale's date and time, in their time zone
    (the request's, or `zone` for a mail's recipient), with the zone's abbreviation shown
    (so a shared link never hides which time it means)."""
    if moment is None:
        return ""
    return _said_moment(moment, _zone(zone) if zone else get_timezone(), str(_locale()))


@functools.lru_cache(maxsize=4096)
def _said_moment(moment: datetime, zone: Any, locale_name: str) -> str:
    """`when`, kept per process: a page says the same moments on every view (the versions'
    adoption, a round's deadline), and saying one costs Babel about 25 µs."""
    locale = Locale.parse(locale_name)
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
    day = _pattern(locale_name, "yMMMd").apply(local, locale)
    time = _pattern(locale_name, "Hm").apply(local, locale)
    return f"{_date_time_joiner(locale_name).format(time, day)} {local.tzname()}"


def clock(moment: datetime) -> str:
    """The hour and minute of a moment in the reader's time zone ("14:05"), as a history
    shows each event under its day's heading (digits and layout are the same in every
    language Accord speaks)."""
    return _local(moment, None).strftime("%H:%M")


def _local(moment: datetime, zone: str | None) -> datetime:
    tzinfo = _zone(zone) if zone else get_timezone()
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tzinfo)


@functools.cache
def _pattern(locale: str, skeleton: str) -> DateTimePattern:
    """The locale's pattern for a skeleton, matched and parsed once per process: Babel's
    format_skeleton matches it on every call, which was most of what a history page spent
    saying its events' times."""
    skeletons = Locale.parse(locale).datetime_skeletons
    if skeleton not in skeletons:
        skeleton = match_skeleton(skeleton, skeletons) or skeleton
    return parse_pattern(skeletons[skeleton])


@functools.cache
def _date_time_joiner(locale: str) -> str:
    """How the locale joins a time ({0}) and a date ({1}), in its medium length."""
    return str(Locale.parse(locale).datetime_formats["medium"]).replace("'", "")


def _zone(name: str) -> Any:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def say_kept(stored: str, zone: str | None = None) -> str:
    """A kept text (a notification's, `stored_wording.keep`) in the current language, its
    moments in the reader's time zone (or `zone`); an older row's English as it is."""
    return "\n\n".join(say(part, zone) for part in kept(stored))
