"""Documented maximum sizes of what people write, checked by the services.

An agreement of 300,000 characters is roughly 150 printed pages; a comment or reason of
20,000 characters is several pages. Oversized input is refused with 413 (texts) or
422 (short fields), and the web server caps the request body (MAX_CONTENT_LENGTH).
"""

from __future__ import annotations

from .errors import InvalidInput, TooLarge

MAX_AGREEMENT_CHARS = 300_000
MAX_DISCUSSION_CHARS = 20_000
MAX_TITLE_CHARS = 200
MAX_NAME_CHARS = 120
# Ids and version numbers are INTEGER columns, 32 bits on PostgreSQL: a larger number in an
# address or a field names nothing, and must never reach the database (it would overflow).
MAX_ID = 2**31 - 1


def clean_text(value: object, *, field: str, limit: int, required: bool = True) -> str:
    """Normalise line endings, refuse empty (when required) or oversized text."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{field.capitalize()} must be text.", field)
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise InvalidInput(f"{field.capitalize()} contains a forbidden character.", field)
    if required and not text.strip():
        raise InvalidInput(f"{field.capitalize()} is required.", field)
    if len(text) > limit:
        raise TooLarge(
            f"{field.capitalize()} is too long: {len(text):,} characters, the maximum is {limit:,}."
        )
    return text


def clean_line(value: object, *, field: str, limit: int, required: bool = True) -> str:
    """A one-line field (title, name): trimmed, no line breaks, at most `limit` characters."""
    text = clean_text(value, field=field, limit=10 * limit, required=required).strip()
    if "\n" in text:
        raise InvalidInput(f"{field.capitalize()} must be a single line.", field)
    if len(text) > limit:
        raise InvalidInput(f"{field.capitalize()} must be at most {limit} characters.", field)
    return text


def choice(value: object, options: tuple[str, ...], *, field: str) -> str:
    """One of a fixed set of values."""
    if value not in options:
        raise InvalidInput(f"{field.capitalize()} must be one of: {', '.join(options)}.", field)
    return str(value)
