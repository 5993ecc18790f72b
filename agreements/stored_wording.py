"""Marked texts kept in the database, to be said when someone reads them, in their language.

A notification is written when its event happens, before anyone reads it, and is then read
in the app or mailed to people who speak different languages. So it is kept as what was
meant, not as one language's words: `keep` turns its parts (each a `Wording`, or a plain
text such as a diff) into a JSON document, and `kept` turns that document back into the
parts, ready to be said (`agreements.saying.say_kept`). Rows written before texts were kept
this way hold plain English; `kept` gives that text back as it is.

A value inside a text (a round's deadline, a count) is kept as what it is (a `Moment`,
`Day` or `Number` of agreements.wording), so it is written in the reader's time zone and
locale where it is said.

May import: wording. Pure: no Flask, no database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from .wording import Day, Moment, Number, Wording

KEY = "said"

# How each value a text names is kept: a JSON object with one key, the value's kind, that
# holds what `write` gives; `read` makes the value again.
_KINDS: dict[str, tuple[type, Callable[[Any], Any], Callable[[Any], Any]]] = {
    "moment": (Moment, lambda m: m.at.isoformat(), lambda iso: Moment(datetime.fromisoformat(iso))),
    "day": (Day, lambda day: day.on.isoformat(), lambda iso: Day(date.fromisoformat(iso))),
    "number": (Number, lambda number: number.value, Number),
}  # fmt: skip


def _value(value: Any) -> Any:
    if isinstance(value, Wording):
        return {"wording": _wording(value)}
    for kind, (cls, write, _read) in _KINDS.items():
        if isinstance(value, cls):
            return {kind: write(value)}
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


def _unkept_value(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, kept_value),) = value.items()
        if kind == "wording":
            return _unkept_wording(kept_value)
        if kind in _KINDS:
            return _KINDS[kind][2](kept_value)
    return value


def _unkept_wording(kept: dict[str, Any]) -> Wording:
    params = {name: _unkept_value(value) for name, value in kept.get("params", {}).items()}
    return Wording(kept["msgid"], params, plural=kept.get("plural"), count=kept.get("count"))


def kept(stored: str) -> list[str]:
    """The parts `keep` wrote, each value they name (a Moment, Day or Number) as it was
    given; a text stored otherwise (an older row's English) as its only part."""
    try:
        document = json.loads(stored) if stored.startswith("{") else None
    except ValueError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get(KEY), list):
        return [stored]
    return [
        _unkept_wording(part["wording"]) if isinstance(part, dict) else str(part)
        for part in document[KEY]
    ]
