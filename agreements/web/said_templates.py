"""Templates compiled once per catalogue, with their fixed texts already said.

A page says one to several hundred fixed interface texts (`_("Propose a change")`), and
each was a call at render time: a lookup of the request's catalogue, a dictionary read and
a Markup wrapper, a tenth of a page's cost. A fixed text reads the same on every page in
one language, so it can be said once, when the template is compiled. Each catalogue
(each interface language, and the pseudo-locale of the tests) gets an overlay of the app's
Jinja environment whose compiler turns `_("a fixed text")` into that text in the
catalogue's language, marked safe exactly as `template_gettext.gettext` marks it. Texts
with values to fill in (`_("… %(name)s", name=…)`) and `ngettext` are still said at render.

Which overlay renders a page is decided when the page's template is looked up: the base
environment (`SaidEnvironment`) hands every lookup inside an application context to the
overlay of the catalogue at hand (`saying.translations`, so a mail forced into its
recipient's language gets theirs). Overlays are keyed by the catalogue's content, not the
object, so the apps of one process (the test suite makes many) share compiled code through
the bytecode cache (template_cache.py), which keys it by the same content key.
"""

from __future__ import annotations

import contextlib
import hashlib
import weakref
from collections.abc import Iterable, Iterator, MutableMapping
from typing import Any

from flask import has_app_context
from flask.templating import Environment
from jinja2 import Template
from jinja2.ext import Extension
from jinja2.lexer import (
    TOKEN_DOT,
    TOKEN_LPAREN,
    TOKEN_NAME,
    TOKEN_PIPE,
    TOKEN_RPAREN,
    TOKEN_STRING,
    Token,
    TokenStream,
)

from ..saying import translations

CACHED_TEMPLATES = 400  # compiled templates each overlay keeps (Jinja's default)
_SAYING = frozenset({"_", "gettext"})
# Catalogues seen by this process, by object: their content key, computed once each.
_KEYS: MutableMapping[Any, str] = weakref.WeakKeyDictionary()


def catalogue_key(catalogue: Any) -> str:
    """What a catalogue says, as a short key: its class and a hash of its messages. Two
    catalogue objects with the same key say every text the same way."""
    try:
        return _KEYS[catalogue]
    except (KeyError, TypeError):
        pass
    messages = getattr(catalogue, "_catalog", {})
    digest = hashlib.sha256(repr(sorted(messages.items(), key=repr)).encode()).hexdigest()
    key = f"{type(catalogue).__module__}.{type(catalogue).__qualname__}:{digest[:16]}"
    with contextlib.suppress(TypeError):  # one not weakly referable is keyed on every use
        _KEYS[catalogue] = key
    return key


class FixedTexts(Extension):
    """Says `_("a fixed text")` at compile time, in the overlay's catalogue."""

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        catalogue = self.environment.catalogue  # type: ignore[attr-defined]
        return _said(list(stream), catalogue)


def _said(tokens: list[Token], catalogue: Any) -> Iterator[Token]:
    index = 0
    while index < len(tokens):
        text = _fixed_text(tokens, index, catalogue)
        if text is None:
            yield tokens[index]
            index += 1
            continue
        line = tokens[index].lineno
        yield Token(line, TOKEN_STRING, text)
        yield Token(line, TOKEN_PIPE, "|")
        yield Token(line, TOKEN_NAME, "safe")
        index += 4


def _fixed_text(tokens: list[Token], index: int, catalogue: Any) -> str | None:
    """The said text when `tokens[index:index + 4]` read `_("…")` (a call, not an
    attribute), formatted as `template_gettext` formats a text with no values; else None."""
    call = tokens[index : index + 4]
    if [token.type for token in call] != [TOKEN_NAME, TOKEN_LPAREN, TOKEN_STRING, TOKEN_RPAREN]:
        return None
    if call[0].value not in _SAYING or (index and tokens[index - 1].type == TOKEN_DOT):
        return None
    text: str = catalogue.ugettext(call[2].value)
    if "%" not in text:
        return text
    try:
        return text % {}
    except (KeyError, TypeError, ValueError):  # said at render, failing as it always did
        return None


class SaidEnvironment(Environment):
    """The app's Jinja environment: it hands each template lookup to the overlay of the
    catalogue at hand, which compiles fixed texts already said (module docstring)."""

    catalogue: Any = None  # set on overlays only
    catalogue_key: str = ""

    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        self._overlays: dict[str, SaidEnvironment] = {}

    def get_template(self, name: Any, parent: Any = None, globals: Any = None) -> Template:
        """The template, from the overlay of the catalogue at hand when there is one."""
        if self.catalogue is None and has_app_context():
            return self._overlay(translations()).get_template(name, parent, globals)
        return super().get_template(name, parent, globals)

    def _overlay(self, catalogue: Any) -> SaidEnvironment:
        key = catalogue_key(catalogue)
        found = self._overlays.get(key)
        if found is None:
            found = self.overlay(extensions=[FixedTexts], cache_size=CACHED_TEMPLATES)
            found.catalogue, found.catalogue_key = catalogue, key
            self._overlays[key] = found
        return found
