"""The interface language and time zone of each request, and how pages show dates and texts.

Flask-Babel asks `select_language` once per request: the person's own setting, then the
choice a visitor made with the footer switcher (kept in the session), then the browser's
`Accept-Language`, then the default language of the community the page belongs to, then
English. `select_time_zone` is the person's setting (UTC for visitors).

Template helpers registered here: `when` (agreements.saying: a moment in the reader's
locale and time zone, the zone shown), `clock` (its hour and minute), `until` (the same
moment as relative time, "in 2 days"), `reader_zone()` (the reader's time zone),
`lang_attrs` (the `lang` and `dir` attributes of a text written in a given language),
`say` (a Wording from Python in the reader's language, for a value given to `_()` in a
template, where `finalize` does not reach), and `page_language()` / `page_direction()`
for `<html lang dir>`.

Catalogues live in agreements/translations/<lang>/LC_MESSAGES/messages.po. The compiled
.mo files are not kept in the repository: `make catalogues` builds them, and the app
compiles any that is missing or older than its .po when it starts (milliseconds), so a fresh
clone works however it is started.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from babel import Locale
from babel.dates import format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, flash, has_request_context, redirect, request, session
from flask_babel import Babel, get_locale, get_timezone
from markupsafe import Markup
from werkzeug.wrappers import Response

from ..auth import current_actor
from ..auth.views import safe_next
from ..errors import InvalidInput
from ..languages import (
    DEFAULT_LANGUAGE,
    DEFAULT_TIME_ZONE,
    INTERFACE_LANGUAGES,
    check_interface_language,
    direction,
    time_zones,
)
from ..saying import clock, say, when
from ..services import queries
from ..storage.sessions import get_session
from .blueprint import bp

log = logging.getLogger(__name__)
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
SESSION_KEY = "language"
# The API speaks English unless the client's Accept-Language asks for another language.
API_PREFIX = "/api/"


def select_language() -> str:
    """The interface language of this request (see the module docstring for the order);
    English outside a request (the mail worker forces each recipient's language)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    stated = request.accept_languages.best_match(INTERFACE_LANGUAGES)
    if request.path.startswith(API_PREFIX):
        return stated or DEFAULT_LANGUAGE
    person = current_actor()
    if person is not None and person.language in INTERFACE_LANGUAGES:
        return person.language
    chosen = session.get(SESSION_KEY)
    if chosen in INTERFACE_LANGUAGES:
        return str(chosen)
    if stated:
        return stated
    slug = (request.view_args or {}).get("slug")
    if isinstance(slug, str):
        language = queries.community_language(get_session(), person, slug)
        if language in INTERFACE_LANGUAGES:
            return str(language)
    return DEFAULT_LANGUAGE


def select_time_zone() -> str:
    """The signed-in person's time zone; UTC for visitors and outside a request."""
    person = current_actor() if has_request_context() else None
    return person.time_zone if person is not None else DEFAULT_TIME_ZONE


def until(moment: datetime | None) -> str:
    """How far a moment is from now in words ("in 2 days", "3 hours ago"), for deadlines."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    locale = get_locale() or Locale.parse(DEFAULT_LANGUAGE)
    return format_timedelta(aware - datetime.now(UTC), add_direction=True, locale=locale)


def lang_attrs(tag: str | None) -> Markup:
    """` lang="…" dir="…"` for an element holding text written in the language `tag`,
    whatever the interface language (one place for every agreement text, diff and record);
    ` dir="auto"` when the language is not known, so the browser finds the direction."""
    if not tag:
        return Markup(' dir="auto"')
    return Markup(' lang="{}" dir="{}"').format(tag, direction(tag))


def page_language() -> str:
    """The BCP 47 tag of the interface language, for `<html lang>`."""
    locale = get_locale()
    return str(locale).replace("_", "-") if locale else DEFAULT_LANGUAGE


def page_direction() -> str:
    """The writing direction of the interface language, for `<html dir>`."""
    return direction(page_language())


def vary_by_language(response: Response) -> Response:
    """Pages depend on `Accept-Language`: say so, so that no cache serves one language's
    page to a reader of another."""
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
    return response


def compile_catalogues(directory: Path = TRANSLATIONS) -> None:
    """Compile each .po whose .mo is missing or older, so gettext finds every catalogue.

    Each .mo is written beside its .po under a temporary name and renamed, so processes
    starting together never read half a file. Where the folder is read-only (an installed
    package), the build step (`make catalogues`) must have compiled them: a warning says so
    and the interface stays English.
    """
    for po in directory.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parts[-3])
        partial = mo.with_suffix(f".{os.getpid()}.tmp")
        try:
            with partial.open("wb") as target:
                write_mo(target, catalogue)
            partial.replace(mo)
        except OSError as error:
            log.warning("Cannot compile %s (%s); run `make catalogues`.", po, error)


@bp.post("/language")
def choose_language() -> Response:
    """A visitor chooses the interface language in the footer; it is kept in their session.

    Signed-in people choose theirs on their account page (it follows them everywhere).
    """
    try:
        language = check_interface_language(request.form.get("language"))
    except InvalidInput as error:
        flash(say(error.message), "error")
        language = None
    if language is None:
        session.pop(SESSION_KEY, None)
    else:
        session[SESSION_KEY] = language
    return redirect(safe_next(request.form.get("next")), 303)


def init_app(app: Flask) -> None:
    """Start Flask-Babel with the selectors above and register the template helpers."""
    compile_catalogues()
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", DEFAULT_TIME_ZONE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_language, timezone_selector=select_time_zone)
    app.after_request(vary_by_language)
    app.jinja_env.finalize = say
    app.add_template_filter(when, "when")
    app.add_template_filter(clock, "clock")
    app.add_template_filter(until, "until")
    app.add_template_filter(lang_attrs, "lang_attrs")
    app.add_template_filter(say, "say")
    app.add_template_global(page_language, "page_language")
    app.add_template_global(get_timezone, "reader_zone")
    app.add_template_global(page_direction, "page_direction")
    app.add_template_global(INTERFACE_LANGUAGES, "interface_languages")
    app.add_template_global(time_zones, "time_zones")
