"""Parts of a page kept rendered in this process, under a key naming all they show.

The agreement's text is most of the agreement page, and the same for every reader of one
version in one language: the large community's 60 paragraphs cost a page more than the
rest of it together. `kept_fragment(render, *key)` renders such a part once and keeps the
HTML under the key the template gives (which must name everything the part shows, as
`sections.Reading.shown` does for the text) together with what every part depends on: the
catalogue it was said from, the interface language, the reader's time zone (for the moments
it names) and the script root of its links. A changed text has another hash and a changed
marker another key, so nothing kept is stale, in this process or any other; like
`text/kept.py`, a process starts again when it holds `KEPT` parts, and a part longer than
`KEPT_LARGEST` is drawn every time, which bounds what a process keeps.

A kept part may hold forms (a discussion has a reply form under each comment), but never a
reader's tokens: while a part is rendered to be kept, `csrf_token()` and `form_token()`
write placeholders, and each time the part is shown they are filled in for this reader,
a fresh one-time form token for each form (security/form_tokens.py). The placeholders
carry a random mark drawn when the process starts, so no text a person writes can make
one.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable

from flask import Flask, g, request
from flask_babel import get_locale, get_timezone
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ..saying import translations
from ..security.form_tokens import new_form_token
from ..text.kept import KeptByContent
from .said_templates import catalogue_key

KEPT = 512
# A larger part (all 200 threads of a long discussion, asked for now and then) is drawn
# every time: a process keeps at most KEPT parts of at most this many characters.
KEPT_LARGEST = 256 * 1024
_kept: KeptByContent[Markup] = KeptByContent(size=KEPT)

_MARK = secrets.token_hex(16)
_TOKENS: dict[str, Callable[[], str]] = {"csrf": generate_csrf, "form": new_form_token}
_PLACEHOLDER = re.compile(f"{_MARK}:({'|'.join(_TOKENS)})")
_KEEPING = "accord_rendering_kept_fragment"


def kept_fragment(render: Callable[[], Markup], *key: Hashable) -> Markup:
    """`render()`, rendered once per process for this key (see the module docstring)."""
    said = (
        catalogue_key(translations()),
        str(get_locale()),
        str(get_timezone()),
        request.script_root,
    )
    kept = _kept.get((*said, *key), lambda: _rendered_to_keep(render), keep=_small)
    if _MARK not in kept or g.get(_KEEPING, False):  # a part inside a part: filled with it
        return kept
    csrf = generate_csrf()  # the reader's one token: looked up once, not once per form
    return Markup(_PLACEHOLDER.sub(lambda token: _filled(token.group(1), csrf), kept))


def _filled(name: str, csrf: str) -> str:
    """A placeholder's value: the reader's CSRF token, or a fresh one-time form token."""
    return csrf if name == "csrf" else _TOKENS[name]()


def _small(html: Markup) -> bool:
    return len(html) <= KEPT_LARGEST


def _rendered_to_keep(render: Callable[[], Markup]) -> Markup:
    outer = g.get(_KEEPING, False)
    setattr(g, _KEEPING, True)
    try:
        return render()
    finally:
        setattr(g, _KEEPING, outer)


def _token(name: str) -> Callable[[], str]:
    """The template global for a token: the reader's own, or a placeholder in a kept part."""

    def token() -> str:
        return f"{_MARK}:{name}" if g.get(_KEEPING, False) else _TOKENS[name]()

    return token


def init_app(app: Flask) -> None:
    """Give templates `kept_fragment`, and the tokens that kept parts fill in (Flask-WTF
    also puts its `csrf_token` in every template's context: this one is put there after)."""
    tokens = {"csrf_token": _token("csrf"), "form_token": _token("form")}
    app.add_template_global(kept_fragment, "kept_fragment")
    app.jinja_env.globals.update(tokens)
    app.context_processor(lambda: tokens)
