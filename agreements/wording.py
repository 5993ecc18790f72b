"""Words a person reads, written in English where they arise and said in the reader's language
where they are shown.

The core (services, the protocol engine's refusals, notices) knows no request and no reader,
so it cannot translate. It marks each text with `_` (or `n_` for a count) instead: the result
is a `Wording`, a `str` holding the English text (so logs, the audit trail and English pages
read it as before) that also remembers its message id and parameters. The web layer, the API
and the mail renderer say it again in the reader's language (`agreements.web.locale.say`):
templates do so for every `{{ value }}` that is a Wording, flashes and problem details do so
explicitly. `pybabel extract` finds the marks (see babel.cfg and the Makefile's keywords).

Parameters use Python's `%(name)s` style, as Flask-Babel's own `_()` does in templates, so a
translator sees one placeholder style everywhere. A parameter that is itself a Wording is said
in the reader's language too, and so is a value a text names: a `Number` ("1,234", "1.234"),
a `Moment` (a date and time, in the reader's time zone) or a `Day` (a date). Each reads as
English where it is made and remembers its value, so the saying side can write it for the
reader's locale.

May import: nothing from the project. Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

Translate = Callable[[str], str]
TranslatePlural = Callable[[str, str, int], str]
Localise = Callable[[Any], Any]


def _as_is(value: Any) -> Any:
    return value


class Number(str):
    """A number named in a text: reads "1,234" and remembers `value`, to be written with the
    reader's digit grouping."""

    value: int

    def __new__(cls, value: int) -> Number:
        number = super().__new__(cls, f"{value:,}")
        number.value = value
        return number


class Moment(str):
    """A moment named in a text: reads "04 December 2026, 10:00 UTC" and remembers `at`,
    to be written in the reader's locale and time zone."""

    at: datetime

    def __new__(cls, at: datetime) -> Moment:
        aware = at if at.tzinfo else at.replace(tzinfo=UTC)
        moment = super().__new__(cls, f"{aware.astimezone(UTC):%d %B %Y, %H:%M} UTC")
        moment.at = aware
        return moment


class Day(str):
    """A calendar day named in a text (a review date): reads "04 December 2026" and
    remembers `on`, to be written in the reader's locale."""

    on: date

    def __new__(cls, on: date) -> Day:
        day = super().__new__(cls, f"{on:%d %B %Y}")
        day.on = on
        return day


class Wording(str):
    """An English text that can be said again in another language (see the module docstring)."""

    msgid: str
    plural: str | None
    amount: int | None  # the count that chooses the plural form (not `count`: str has one)
    params: Mapping[str, Any]

    def __new__(
        cls,
        msgid: str,
        params: Mapping[str, Any] | None = None,
        *,
        plural: str | None = None,
        count: int | None = None,
    ) -> Wording:
        english = plural if plural is not None and count != 1 else msgid
        values = dict(params or {})
        text = english % values if values else english
        wording = super().__new__(cls, text)
        wording.msgid, wording.plural, wording.amount, wording.params = msgid, plural, count, values
        return wording

    def __copy__(self) -> Wording:
        return self  # immutable, as str is

    def __deepcopy__(self, memo: dict[int, Any]) -> Wording:
        return self

    def say(
        self, gettext: Translate, ngettext: TranslatePlural, localise: Localise = _as_is
    ) -> str:
        """This text in the language whose `gettext`/`ngettext` are given, each value it
        names (a Number, Moment or Day) written by `localise`."""
        if self.plural is not None and self.amount is not None:
            template = ngettext(self.msgid, self.plural, self.amount)
        else:
            template = gettext(self.msgid)
        if not self.params:
            return template
        values = {
            name: value.say(gettext, ngettext, localise)
            if isinstance(value, Wording)
            else localise(value)
            for name, value in self.params.items()
        }
        return template % values


def _(msgid: str, /, **params: Any) -> Wording:
    """Mark an English text for translation; `%(name)s` in it takes the named parameter."""
    return Wording(msgid, params)


def n_(singular: str, plural: str, count: int, /, **params: Any) -> Wording:
    """Mark a text that depends on a count ("1 objection" / "%(num)s objections");
    `num` is the count, as in Flask-Babel's `ngettext`, written with the reader's digit
    grouping."""
    return Wording(singular, {"num": Number(count), **params}, plural=plural, count=count)


def N_(msgid: str, /) -> str:
    """Mark a constant for extraction only (protocol labels, choices): it stays a plain string
    and is translated where it is shown, with `gettext(value)`."""
    return msgid
