"""Documented maximum sizes of what people write, checked by the services.

An agreement of 300,000 characters is roughly 150 printed pages; a comment or reason of
20,000 characters is several pages. Oversized input is refused with 413 (texts) or
422 (short fields), and the web server caps the request body (MAX_CONTENT_LENGTH).
"""

from __future__ import annotations

import re

from .errors import InvalidInput, TooLarge
from .wording import Number, _

MAX_AGREEMENT_CHARS = 300_000
MAX_DISCUSSION_CHARS = 20_000
MAX_TITLE_CHARS = 200
MAX_NAME_CHARS = 120
# Ids and version numbers are INTEGER columns, 32 bits on PostgreSQL: a larger number in an
# address or a field names nothing, and must never reach the database (it would overflow).
MAX_ID = 2**31 - 1

# How each checked field is named in a refusal ("Title is required."): the `field` argument
# is an identifier (the API reports it as is), its label is read in the reader's language.
FIELD_LABELS = {
    "comment": _("Comment"),
    "concern": _("Concern"),
    "delivery": _("Delivery"),
    "description": _("Description"),
    "email": _("Email"),
    "kind": _("Kind"),
    "name": _("Name"),
    "note": _("Note"),
    "organisation": _("Organisation"),
    "outcome statement": _("Outcome statement"),
    "passage": _("Passage"),
    "position": _("Position"),
    "protocol": _("Protocol"),
    "quorum rule": _("Quorum rule"),
    "rationale": _("Rationale"),
    "reason": _("Reason"),
    "role": _("Role"),
    "slug": _("Slug"),
    "text": _("Text"),
    "title": _("Title"),
}
_NUMBERED_TEXT = re.compile(r"text (\d+)")


def field_label(field: str) -> str:
    """The name a person reads for `field` ("Text 2" for the second text of an import)."""
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    numbered = _NUMBERED_TEXT.fullmatch(field)
    if numbered:
        return _("Text %(number)s", number=numbered.group(1))
    return field.capitalize()


def clean_text(value: object, *, field: str, limit: int, required: bool = True) -> str:
    """Normalise line endings, refuse empty (when required) or oversized text."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("%(field)s must be text.", field=field_label(field)), field)
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise InvalidInput(
            _("%(field)s contains a forbidden character.", field=field_label(field)), field
        )
    if required and not text.strip():
        raise InvalidInput(_("%(field)s is required.", field=field_label(field)), field)
    if len(text) > limit:
        raise TooLarge(
            _(
                "%(field)s is too long: %(length)s characters, the maximum is %(limit)s.",
                field=field_label(field),
                length=Number(len(text)),
                limit=Number(limit),
            )
        )
    return text


def clean_line(value: object, *, field: str, limit: int, required: bool = True) -> str:
    """A one-line field (title, name): trimmed, no line breaks, at most `limit` characters."""
    text = clean_text(value, field=field, limit=10 * limit, required=required).strip()
    if "\n" in text:
        raise InvalidInput(_("%(field)s must be a single line.", field=field_label(field)), field)
    if len(text) > limit:
        raise InvalidInput(
            _(
                "%(field)s must be at most %(limit)s characters.",
                field=field_label(field),
                limit=Number(limit),
            ),
            field,
        )
    return text


def choice(value: object, options: tuple[str, ...], *, field: str) -> str:
    """One of a fixed set of values."""
    if value not in options:
        raise InvalidInput(
            _(
                "%(field)s must be one of: %(options)s.",
                field=field_label(field),
                options=", ".join(options),
            ),
            field,
        )
    return str(value)
