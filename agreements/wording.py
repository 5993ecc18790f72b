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
in the reader's language too.

May import: nothing from the project. Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Translate = Callable[[str], str]
TranslatePlural = Callable[[str, str, int], str]


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

    def say(self, gettext: Translate, ngettext: TranslatePlural) -> str:
        """This text in the language whose `gettext`/`ngettext` are given."""
        if self.plural is not None and self.amount is not None:
            template = ngettext(self.msgid, self.plural, self.amount)
        else:
            template = gettext(self.msgid)
        if not self.params:
            return template
        values = {
            name: value.say(gettext, ngettext) if isinstance(value, Wording) else value
            for name, value in self.params.items()
        }
        return template % values


def _(msgid: str, /, **params: Any) -> Wording:
    """Mark an English text for translation; `%(name)s` in it takes the named parameter."""
    return Wording(msgid, params)


def n_(singular: str, plural: str, count: int, /, **params: Any) -> Wording:
    """Mark a text that depends on a count ("1 objection" / "%(num)s objections");
    `num` is the count, as in Flask-Babel's `ngettext`."""
    return Wording(singular, {"num": count, **params}, plural=plural, count=count)


def N_(msgid: str, /) -> str:
    """Mark a constant for extraction only (protocol labels, choices): it stays a plain string
    and is translated where it is shown, with `gettext(value)`."""
    return msgid
