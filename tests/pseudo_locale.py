"""A pseudo-locale: every translated string comes back wrapped in ⟦…⟧, so what is not wrapped
on a rendered page is interface text nobody marked for translation.

`pseudo_locale(monkeypatch)` makes every gettext call of the app (templates and Python)
answer ⟦msgid⟧. `untranslated_text(html, within=...)` lists the visible text of a page (and
the attributes people read: aria-label, title, placeholder, alt) that is not wrapped, outside
user content: elements that state their own `lang` (an agreement's text, a language's name
in itself) or carry `data-user-content`.

For now the test in tests/http/test_languages.py checks the regions whose strings are
marked (the footer switcher, the skip link). Once every string is marked, check the whole
<body> of every page of tests/http/test_route_matrix.py's ROUTE_ACCESS (within="body").
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import flask_babel
import pytest
from babel.support import NullTranslations

OPEN, CLOSE = "⟦", "⟧"
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip
HIDDEN_TAGS = frozenset({"script", "style", "template", "head"})
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
_WRAPPED = re.compile(f"{OPEN}[^{CLOSE}]*{CLOSE}")
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


def pseudo_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every gettext call of the app answer ⟦msgid⟧ until the test ends."""
    translations = PseudoTranslations()
    monkeypatch.setattr(flask_babel, "get_translations", lambda: translations)


class _VisibleText(HTMLParser):
    def __init__(self, within: str) -> None:
        super().__init__(convert_charrefs=True)
        self.within = within
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, inside region, skipped)
        self.found: list[str] = []

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
        skipped = skipped or tag in HIDDEN_TAGS or "lang" in attrs or "data-user-content" in attrs
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
        if inside and not skipped:
            self._check(data)

    def _check(self, text: str) -> None:
        left = " ".join(_WRAPPED.sub(" ", text).split())
        if _WORDS.search(left):
            self.found.append(left)


def untranslated_text(html: str | bytes, *, within: str = "body") -> list[str]:
    """The visible text inside `within` (a tag name, "#id" or ".class") that was not
    translated, outside user content; [] when every string there went through gettext."""
    parser = _VisibleText(within)
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    parser.close()
    return parser.found
