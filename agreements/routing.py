"""Numbers in addresses: every `<int:...>` in a URL rule is bounded to what a row id can be.

Werkzeug's integer converter takes any number of digits, so `/p/9223372036854775808` reached
the database and overflowed its column (a 500; on PostgreSQL also an aborted transaction),
and a few thousand digits made `int()` itself fail. The app factory installs this converter
as `int` before any blueprint adds its rules, so every rule in web/, auth/ and api/, and any
added later, refuses such a number without a per-route check: the rule does not match, and
the address answers 404 like any id that does not exist.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map, ValidationError

from .limits import MAX_ID

MAX_DIGITS = len(str(MAX_ID))


class BoundedInteger(IntegerConverter):
    """Werkzeug's `int`, at most MAX_ID unless a rule says otherwise (`int(max=...)`)."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)

    def to_python(self, value: str) -> int:
        """The number, or no match when it has more digits than any id can have."""
        if len(value.lstrip("-")) > MAX_DIGITS:
            raise ValidationError()
        return super().to_python(value)  # type: ignore[no-any-return]


def init_app(app: Flask) -> None:
    """Install the bounded converter; call before any blueprint is registered."""
    app.url_map.converters["int"] = BoundedInteger
