"""Turning submitted form fields into the keyword arguments of a use case.

Views never interpret raw strings themselves: a field that is missing, not a number, not
a date or not one of the offered choices becomes InvalidInput naming the field, which the
page shows next to the form (status 422), and nothing is changed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from werkzeug.datastructures import MultiDict

from ..errors import InvalidInput

DIFF_VIEWS = ("inline", "side", "source")


def text(form: MultiDict[str, str], name: str) -> str:
    """A text field as typed ("" when absent); the services check length and emptiness."""
    return form.get(name, "")


def optional_text(form: MultiDict[str, str], name: str) -> str | None:
    """A text field that may be left empty (None then)."""
    value = form.get(name, "")
    return value if value.strip() else None


def optional_int(form: MultiDict[str, str], name: str, label: str) -> int | None:
    """A whole number, or None when the field is empty."""
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError as error:
        raise InvalidInput(f"{label} must be a whole number.", name) from error


def int_list(form: MultiDict[str, str], name: str, label: str) -> list[int]:
    """Every value of a repeated field (checkboxes) as whole numbers."""
    try:
        return [int(value) for value in form.getlist(name)]
    except ValueError as error:
        raise InvalidInput(f"{label} must be chosen from the list.", name) from error


def optional_deadline(form: MultiDict[str, str], name: str = "deadline") -> datetime | None:
    """A date-time picked in the browser (datetime-local, read as UTC), or None."""
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise InvalidInput(
            "The deadline must be a date and time, e.g. 2026-05-01 17:00.", name
        ) from error
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def require_confirmation(form: MultiDict[str, str]) -> None:
    """Destructive actions need the confirmation box ticked (the no-JavaScript confirm)."""
    if form.get("confirm") != "yes":
        raise InvalidInput("Please tick the box to confirm.", "confirm")


def diff_view(value: str | None) -> str:
    """The diff layout asked for in the address (inline by default; unknown values too)."""
    return value if value in DIFF_VIEWS else "inline"


def version_number(value: str | None, label: str) -> int | None:
    """A version number from the address (compare?from=&to=), or None when absent."""
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise InvalidInput(f"{label} must be a version number.", label)
    return int(value)
