"""The web interface: server-rendered pages that htmx enhances and that work without it.

Modules by page area: pages (home, community, members and invitations), agreements
(agreement, versions, compare, download), proposals (propose, the proposal page and its
partials), actions (every POST on a proposal), setup (a facilitator's new agreements and
settings), admin (the instance administrator's page), search (the search page).
history.py (the audit engineer's) is its own blueprint, registered by the app factory.
responses.py decides page vs partial and shows refusals; forms.py turns form fields into
use-case arguments; errors.py holds the friendly pages; bandwidth.py compresses responses
and serves static files under content-hashed names; locale.py chooses the interface language
and time zone (Flask-Babel) and formats dates and agreement-language attributes.
"""

from __future__ import annotations

from flask import Flask

from ..text.render import render_markdown
from . import addresses, bandwidth, fragments, locale, template_gettext
from .blueprint import bp, htmx
from .template_cache import compiled_templates


def init_app(app: Flask) -> None:
    """Register the pages, the htmx request class, the error pages and template helpers."""
    from . import (  # noqa: F401  (register routes)
        actions,
        admin,
        agreements,
        errors,
        feeds,
        needs_you,
        notifications,
        pages,
        proposals,
        search,
        setup,
        translations,
    )

    htmx.init_app(app)
    addresses.init_app(app)
    fragments.init_app(app)
    bandwidth.init_app(app)
    app.register_blueprint(bp)
    errors.init_app(app)
    locale.init_app(app)
    template_gettext.init_app(app)  # after Flask-Babel's, which it replaces
    app.add_template_filter(render_markdown, "markdown")
    app.jinja_env.bytecode_cache = compiled_templates
