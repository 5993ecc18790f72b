"""Marked texts kept in the database, to be said when someone reads them, in their language.

A notification is written when its event happens, before anyone reads it, and is then read
in the app or mailed to people who speak different languages. So it is kept as what was
meant, not as one language's words: `keep` turns its parts (each a `Wording`, or a plain
text such as a diff) into a JSON document, and `kept` turns that document back into the
parts, ready to be said (`agreements.saying.say_kept`). Rows written before texts were kept
this way hold plain English; `kept` gives that text back as it is.

A moment inside a text (a round's deadline) is a `Moment`: English in UTC where it is
written, and in the reader's time zone and locale where it is said.

May import: wording. Pure: no Flask, no database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from .wording import Wording

KEY = "said"


class Moment(str):
    """A moment named in a text: reads "04 December 2026, 10:00 UTC" and remembers `at`,
    so that it can be said again in the reader's time zone."""

    at: datetime

    def __new__(cls, at: datetime) -> Moment:
        aware = at if at.tzinfo else at.replace(tzinfo=UTC)
        moment = super().__new__(cls, f"{aware.astimezone(UTC):%d %B %Y, %H:%M} UTC")
        moment.at = aware
        return moment


def _value(value: Any) -> Any:
    if isinstance(value, Wording):
        return {"wording": _wording(value)}
    if isinstance(value, Moment):
        return {"moment": value.at.isoformat()}
    return value


def _wording(wording: Wording) -> dict[str, Any]:
    kept: dict[str, Any] = {"msgid": wording.msgid}
    if wording.plural is not None:
        kept["plural"], kept["count"] = wording.plural, wording.amount
    if wording.params:
        kept["params"] = {name: _value(value) for name, value in wording.params.items()}
    return kept


def keep(parts: Iterable[str]) -> str:
    """The JSON document that keeps these parts (Wordings, or plain texts kept as they are)."""
    encoded = [{"wording": _wording(part)} if isinstance(part, Wording) else part for part in parts]
    return json.dumps({KEY: encoded}, ensure_ascii=False)


MomentText = Callable[[datetime], str]


def _english(moment: datetime) -> str:
    return str(Moment(moment))


def _unkept_value(value: Any, moment: MomentText) -> Any:
    if isinstance(value, dict) and "wording" in value:
        return _unkept_wording(value["wording"], moment)
    if isinstance(value, dict) and "moment" in value:
        return moment(datetime.fromisoformat(value["moment"]))
    return value


def _unkept_wording(kept: dict[str, Any], moment: MomentText) -> Wording:
    params = {name: _unkept_value(value, moment) for name, value in kept.get("params", {}).items()}
    return Wording(kept["msgid"], params, plural=kept.get("plural"), count=kept.get("count"))


def kept(stored: str, moment: MomentText = _english) -> list[str]:
    """The parts `keep` wrote (each moment written by `moment`, English in UTC unless
    given); a text stored otherwise (an older row's English) as its only part."""
    try:
        document = json.loads(stored) if stored.startswith("{") else None
    except ValueError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get(KEY), list):
        return [stored]
    return [
        _unkept_wording(part["wording"], moment) if isinstance(part, dict) else str(part)
        for part in document[KEY]
    ]
