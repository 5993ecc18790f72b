"""A pseudo-locale: every translated string comes back wrapped in ⟦…⟧, so what is not wrapped
on a rendered page is interface text nobody marked for translation.

`pseudo_locale(monkeypatch)` makes every gettext call of the app (templates and Python)
answer ⟦msgid⟧. `untranslated_text(html, within=...)` lists the visible text of a page (and
the attributes people read: aria-label, title, placeholder, alt) that is not wrapped, outside
user content: elements inside the region that state their own `lang` (an agreement's text, a
language's name in itself) or carry `data-user-content`, names that no language translates
(`translate="no"`, as in <span translate="no">SQLite</span>), and machine words in <code>,
<kbd> or <samp> (an action name, a hash).

tests/http/test_pseudo_locale_pages.py checks the whole <body> of every page of
tests/http/test_route_matrix.py's ROUTE_ACCESS this way, as each role that may see it, and
also lets pass what people wrote in its scene (names, titles) and the moments Babel formats;
tests/http/test_languages.py checks the harness itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import flask_babel
import pytest
from babel.support import NullTranslations

OPEN, CLOSE = "⟦", "⟧"
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip
HIDDEN_TAGS = frozenset({"script", "style", "template", "head"})
# Machine words shown as they are (an action name, a hash, a path): not interface text.
TECHNICAL_TAGS = frozenset({"code", "kbd", "samp"})
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
_WORDS = re.compile(r"[^\W\d_]", re.UNICODE)  # a letter: text left that a person would read


class PseudoTranslations(NullTranslations):
    """Translations that wrap each message, whatever its language."""

    def gettext(self, message: str) -> str:  # type: ignore[override]
        return f"{OPEN}{message}{CLOSE}"

    def ngettext(self, singular: str, plural: str, n: int) -> str:  # type: ignore[override]
        return self.gettext(singular if n == 1 else plural)

    def pgettext(self, context: str, message: str) -> str:  # type: ignore[override]
        return self.gettext(message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:  # type: ignore[override]
        return self.ngettext(singular, plural, n)

    ugettext = gettext
    ungettext = ngettext
    upgettext = pgettext
    unpgettext = npgettext


def use_translations(
    monkeypatch: pytest.MonkeyPatch, pick: Callable[[Callable[[], Any]], Any]
) -> None:
    """Until the test ends, every catalogue the app looks up (through Flask-Babel's domain,
    whichever module asks) is `pick(real)`, where `real()` is the catalogue it would get."""
    real = flask_babel.Domain.get_translations
    monkeypatch.setattr(
        flask_babel.Domain, "get_translations", lambda domain: pick(lambda: real(domain))
    )


def pseudo_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every gettext call of the app answer ⟦msgid⟧ until the test ends."""
    translations = PseudoTranslations()
    use_translations(monkeypatch, lambda _real: translations)


class _VisibleText(HTMLParser):
    def __init__(self, within: str) -> None:
        super().__init__(convert_charrefs=True)
        self.within = within
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, inside region, skipped)
        self.found: list[str] = []
        self.open = 0  # messages begun in the text read so far and not yet ended

    def _matches(self, tag: str, attrs: dict[str, str | None]) -> bool:
        if self.within.startswith("#"):
            return attrs.get("id") == self.within[1:]
        if self.within.startswith("."):
            return self.within[1:] in (attrs.get("class") or "").split()
        return tag == self.within

    def _state(self) -> tuple[bool, bool]:
        return (self.stack[-1][1], self.stack[-1][2]) if self.stack else (False, False)

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        inside, skipped = self._state()
        inside = inside or self._matches(tag, attrs)
        # Only inside the region: <html lang> states the page's language, not user content.
        user_content = inside and (
            "lang" in attrs or "data-user-content" in attrs or attrs.get("translate") == "no"
        )
        skipped = skipped or tag in HIDDEN_TAGS or tag in TECHNICAL_TAGS or user_content
        if inside and not skipped:
            for name in READ_ATTRIBUTES:
                self._check(attrs.get(name) or "")
        if tag not in VOID_TAGS:
            self.stack.append((tag, inside, skipped))

    def handle_startendtag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attr_list)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        inside, skipped = self._state()
        if inside:
            left, self.open = _outside_messages(data, self.open)
            if not skipped:
                self._record(left)

    def _check(self, text: str) -> None:
        self._record(_outside_messages(text, 0)[0])

    def _record(self, left: str) -> None:
        left = " ".join(left.split())
        if _WORDS.search(left):
            self.found.append(left)


def _outside_messages(text: str, opened: int) -> tuple[str, int]:
    """The parts of `text` outside ⟦…⟧, given how many messages were begun before it and not
    ended (a message holding markup, such as a link, spans several text nodes), and how many
    are still open after it."""
    kept: list[str] = []
    for char in text:
        if char == OPEN:
            opened += 1
        elif char == CLOSE and opened:
            opened -= 1
        kept.append(char if not opened and char != CLOSE else " ")
    return "".join(kept), opened


def untranslated_text(html: str | bytes, *, within: str = "body") -> list[str]:
    """The visible text inside `within` (a tag name, "#id" or ".class") that was not
    translated, outside user content; [] when every string there went through gettext."""
    parser = _VisibleText(within)
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    parser.close()
    return parser.found
