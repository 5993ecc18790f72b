"""Turning submitted form fields into the keyword arguments of a use case.

Views never interpret raw strings themselves: a field that is missing, not a number, not
a date or not one of the offered choices becomes InvalidInput naming the field, which the
page shows next to the form (status 422), and nothing is changed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from werkzeug.datastructures import FileStorage, MultiDict

from ..errors import InvalidInput, TooLarge
from ..limits import MAX_AGREEMENT_CHARS, MAX_ID
from ..wording import Number, _

DIFF_VIEWS = ("rendered", "inline", "side", "source")
MARKDOWN_SUFFIXES = (".md", ".markdown")


def text(form: MultiDict[str, str], name: str) -> str:
    """A text field as typed ("" when absent); the services check length and emptiness."""
    return form.get(name, "")


def optional_text(form: MultiDict[str, str], name: str) -> str | None:
    """A text field that may be left empty (None then)."""
    value = form.get(name, "")
    return value if value.strip() else None


def whole_number(value: str, name: str, label: str) -> int:
    """A whole number from 0 to MAX_ID, as every id, count and version number is.

    The one check for numbers typed into forms and query strings: anything else (negative,
    more digits than a row id can have, not digits at all) is InvalidInput naming the
    field, so it never reaches the database, where it would overflow the column.
    """
    text = value.strip()
    if text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID)):
        number = int(text)
        if number <= MAX_ID:
            return number
    raise InvalidInput(
        _("%(label)s must be a whole number from 0 to %(max)s.", label=label, max=Number(MAX_ID)),
        name,
    )


def optional_int(form: MultiDict[str, str], name: str, label: str) -> int | None:
    """A whole number, or None when the field is empty (or absent)."""
    value = form.get(name, "")
    return whole_number(value, name, label) if value.strip() else None


def int_list(form: MultiDict[str, str], name: str, label: str) -> list[int]:
    """Every value of a repeated field (checkboxes) as whole numbers."""
    return [whole_number(value, name, label) for value in form.getlist(name)]


def optional_deadline(form: MultiDict[str, str], name: str = "deadline") -> datetime | None:
    """A date-time picked in the browser (datetime-local, read as UTC), or None."""
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise InvalidInput(
            _("The deadline must be a date and time, e.g. 2026-05-01 17:00."), name
        ) from error
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def optional_date(form: MultiDict[str, str], name: str, label: str) -> date | None:
    """A day picked in the browser (a date field, YYYY-MM-DD), or None when left empty."""
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise InvalidInput(
            _("%(label)s must be a date, e.g. 2027-05-01.", label=label), name
        ) from error


def checkbox(form: MultiDict[str, str], name: str) -> bool:
    """A ticked box (browsers send nothing at all for an unticked one)."""
    return form.get(name) in ("yes", "on", "true")


def require_confirmation(form: MultiDict[str, str]) -> None:
    """Destructive actions need the confirmation box ticked (the no-JavaScript confirm)."""
    if form.get("confirm") != "yes":
        raise InvalidInput(_("Please tick the box to confirm."), "confirm")


def diff_view(value: str | None) -> str:
    """The diff layout asked for in the address ("rendered", as it reads, by default;
    unknown values too)."""
    return value if value in DIFF_VIEWS else "rendered"


def version_number(value: str | None, label: str) -> int | None:
    """A version number from the address (compare?from=&to=), or None when absent."""
    if value is None or value == "":
        return None
    return whole_number(value, label, _("The version number '%(name)s'", name=label))


def markdown_files(files: MultiDict[str, FileStorage], name: str) -> list[str]:
    """The texts of uploaded Markdown files, in file-name order (oldest version first).

    Refuses, naming the file, anything that is not a UTF-8 `.md` file of at most the
    agreement size; the whole request is also capped (MAX_CONTENT_LENGTH, answered 413).
    """
    uploads = sorted(
        (upload for upload in files.getlist(name) if upload.filename),
        key=lambda upload: upload.filename or "",
    )
    if not uploads:
        raise InvalidInput(_("Please choose a Markdown file (.md) to import."), name)
    return [_markdown_text(upload, name) for upload in uploads]


def _markdown_text(upload: FileStorage, name: str) -> str:
    filename = upload.filename or ""
    if not filename.lower().endswith(MARKDOWN_SUFFIXES):
        raise InvalidInput(
            _(
                "%(filename)s is not a Markdown file. Choose a file whose name ends in .md.",
                filename=filename,
            ),
            name,
        )
    too_long = TooLarge(
        _(
            "%(filename)s is too long: an agreement can have at most %(max)s characters. "
            "Shorten it, or split it into two agreements.",
            filename=filename,
            max=Number(MAX_AGREEMENT_CHARS),
        )
    )
    data = upload.read(4 * MAX_AGREEMENT_CHARS + 1)  # UTF-8 takes at most 4 bytes a character
    if len(data) > 4 * MAX_AGREEMENT_CHARS:
        raise too_long
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            _(
                "%(filename)s is not UTF-8 text. Save it as UTF-8 in your editor and try again.",
                filename=filename,
            ),
            name,
        ) from error
    if len(text) > MAX_AGREEMENT_CHARS:
        raise too_long
    return text
