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

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_skeleton
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
    locale = _locale()
    tzinfo = _zone(zone) if zone else get_timezone()
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tzinfo)
    day = format_skeleton("yMMMd", local, tzinfo=tzinfo, locale=locale)
    time = format_skeleton("Hm", local, tzinfo=tzinfo, locale=locale)
    joined = str(locale.datetime_formats["medium"]).replace("'", "").format(time, day)
    return f"{joined} {local.tzname()}"


def _zone(name: str) -> Any:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def say_kept(stored: str, zone: str | None = None) -> str:
    """A kept text (a notification's, `stored_wording.keep`) in the current language, its
    moments in the reader's time zone (or `zone`); an older row's English as it is."""
    return "\n\n".join(say(part, zone) for part in kept(stored))
