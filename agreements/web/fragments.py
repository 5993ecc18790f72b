"""Parts of a page kept rendered in this process, under a key naming all they show.

The agreement's text is most of the agreement page, and the same for every reader of one
version in one language: the large community's 60 paragraphs cost a page more than the
rest of it together. `kept_fragment(render, *key)` renders such a part once and keeps the
HTML under the key the template gives (which must name everything the part shows, as
`sections.Reading.shown` does for the text) together with what every part depends on: the
catalogue it was said from, the interface language, the reader's time zone (for the moments
it names) and the script root of its links. A changed text has another hash and a changed
marker another key, so nothing kept is stale, in this process or any other; like
`text/kept.py`, a process starts again when it holds `KEPT` parts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import Flask, request
from flask_babel import get_locale, get_timezone
from markupsafe import Markup

from ..saying import translations
from ..text.kept import KeptByContent
from .said_templates import catalogue_key

KEPT = 512
_kept: KeptByContent[Markup] = KeptByContent(size=KEPT)


def kept_fragment(render: Callable[[], Markup], *key: Hashable) -> Markup:
    """`render()`, rendered once per process for this key (see the module docstring)."""
    said = (
        catalogue_key(translations()),
        str(get_locale()),
        str(get_timezone()),
        request.script_root,
    )
    return _kept.get((*said, *key), render)


def init_app(app: Flask) -> None:
    """Give templates `kept_fragment`."""
    app.add_template_global(kept_fragment, "kept_fragment")
