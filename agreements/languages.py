"""Languages: which ones the interface speaks, which scripts run right to left, and checks.

Two different things carry a language. The interface speaks one of `INTERFACE_LANGUAGES`
(those with a shipped catalogue). An agreement is written in any language, named by a BCP 47
tag (`fr`, `pt-BR`, `sr-Latn`), and is shown with that `lang` and its writing direction
whatever the interface language is. Both are checked here, in the core, so a form, the API
and the command line refuse the same tags with the same message.

May import: errors, wording (core). Pure: no Flask, no database.
"""

from __future__ import annotations

import functools
import re
from zoneinfo import available_timezones

from .errors import InvalidInput
from .wording import _

DEFAULT_LANGUAGE = "en"
# The languages with a catalogue in agreements/translations/, each named in itself (a
# switcher lists them so that a person finds their own language whatever is shown now).
INTERFACE_LANGUAGES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "it": "Italiano",
    "pl": "Polski",
    "ar": "العربية",
}
# Primary languages whose script is written right to left.
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
MAX_TAG_CHARS = 35
DEFAULT_TIME_ZONE = "UTC"

# RFC 5646's well-formed langtag, without grandfathered and private-use-only tags: a
# language, then optional script, region, variants, extensions and a private-use part.
_BCP47 = re.compile(
    r"""
    [a-z]{2,3}(-[a-z]{3}){0,3}      # language, optional extended subtags
    (-[a-z]{4})?                    # script
    (-([a-z]{2}|[0-9]{3}))?         # region
    (-([a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*       # variants
    (-[0-9a-wy-z](-[a-z0-9]{2,8})+)*           # extensions
    (-x(-[a-z0-9]{1,8})+)?          # private use
    """,
    re.VERBOSE | re.IGNORECASE,
)


def check_language_tag(value: object, *, field: str = "language") -> str:
    """A well-formed BCP 47 tag in its usual case (`pt-BR`, `sr-Latn`), or InvalidInput.

    Only the form is checked (a registry lookup would refuse tags the registry gains later).
    """
    tag = value.strip() if isinstance(value, str) else ""
    if not tag or len(tag) > MAX_TAG_CHARS or not _BCP47.fullmatch(tag):
        raise InvalidInput(
            _(
                "“%(value)s” is not a language tag. Give a BCP 47 tag such as en, fr, de-CH or ar.",
                value=str(value)[:40],
            ),
            field,
        )
    parts = tag.split("-")
    cased = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha() and len(cased) < 3:
            cased.append(part.title())
        elif len(part) == 2 and part.isalpha():
            cased.append(part.upper())
        else:
            cased.append(part.lower())
    return "-".join(cased)


def direction(tag: str | None) -> str:
    """The writing direction of a language tag: "rtl" for Arabic, Hebrew, Persian, Urdu."""
    primary = (tag or DEFAULT_LANGUAGE).split("-")[0].split("_")[0].lower()
    return "rtl" if primary in RTL_LANGUAGES else "ltr"


def check_interface_language(value: object) -> str | None:
    """One of the interface languages, or None for "follow the browser"; else InvalidInput."""
    if value in (None, ""):
        return None
    if value not in INTERFACE_LANGUAGES:
        raise InvalidInput(
            _(
                "Choose one of the languages offered: %(languages)s.",
                languages=", ".join(INTERFACE_LANGUAGES),
            ),
            "language",
        )
    return str(value)


@functools.cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone name this system knows, sorted (read from disk once)."""
    return tuple(sorted(available_timezones() | {DEFAULT_TIME_ZONE}))


def check_time_zone(value: object) -> str:
    """An IANA time zone name known to this system (`Europe/Paris`, `UTC`), or InvalidInput."""
    name = value.strip() if isinstance(value, str) else ""
    if name in time_zones():
        return name
    raise InvalidInput(
        _(
            "“%(value)s” is not a time zone. Give a name such as Europe/Paris or UTC.",
            value=str(value)[:60],
        ),
        "time_zone",
    )
