"""Slugs for every script: the readable, URL-safe names of agreements and communities.

A slug keeps the letters and digits of any script, so an Arabic, Greek or Japanese title
gets an address people can read ("ميثاق-المجتمع", "χάρτης-της-κοινότητας") instead of a
placeholder. Text is NFKC-normalised (full-width and compatibility forms become their
plain letters) and lowercased; every run of anything else (spaces, punctuation, symbols)
becomes one hyphen; invisible format characters (bidi controls, zero-width joiners) are
dropped, so two slugs that look the same are the same. Browsers show such an address
decoded; Werkzeug percent-decodes it back to the slug before routing.

`SLUG_PATTERN` describes the same shape as a regular expression that Python, ECMAScript
(JSON Schema, OpenAPI) and Rust (pydantic) all read alike: no ASCII except lowercase
letters, digits and inner hyphens, and no Latin-1 control or punctuation character.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from .units import word_runs

MAX_SLUG_CHARS = 64
_EDGE = r"[^\x00-\x2f\x3a-\x60\x7b-\xbf]"
_INNER = r"[^\x00-\x2c\x2e-\x2f\x3a-\x60\x7b-\xbf]"
SLUG_PATTERN = rf"^{_EDGE}(?:{_INNER}{{0,{MAX_SLUG_CHARS - 2}}}{_EDGE})?$"


def slugify(text: str, *, limit: int = MAX_SLUG_CHARS) -> str:
    """The slug of `text`, at most `limit` characters, or "" when it has no letter or digit.

    A slug cut to length ends at a word boundary when one is near, never on a hyphen.
    """
    # Lowercasing can undo a normal form (and NFKC can yield capitals), so normalise twice.
    normalised = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).lower())
    words = word_runs(normalised, drop_format_characters=True)
    slug = "-".join(words)
    if len(slug) <= limit:
        return slug
    cut = slug[:limit]
    boundary = cut.rfind("-")
    return cut[:boundary] if boundary >= limit // 2 else cut.rstrip("-")


def is_slug(value: str) -> bool:
    """Whether `value` is already a slug: its own slug, and not empty."""
    return bool(value) and slugify(value) == value


def unique_slug(base: str, is_taken: Callable[[str], bool]) -> str:
    """`base`, or `base-2`, `base-3`... the first that `is_taken(slug)` says is free.

    The suffix stays within MAX_SLUG_CHARS by shortening the base, never the number.
    """
    slug, n = base, 1
    while is_taken(slug):
        n += 1
        suffix = f"-{n}"
        slug = base[: MAX_SLUG_CHARS - len(suffix)].rstrip("-") + suffix
    return slug
