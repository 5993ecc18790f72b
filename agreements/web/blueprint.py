"""The web blueprint every page module adds its routes to, and the htmx extension.

Its own module so that page modules and the package's `init_app` (which imports them to
register their routes) do not import each other.
"""

from __future__ import annotations

from flask import Blueprint
from htmx_flask import Htmx

from ..text.rendered_diff import rendered_changes

bp = Blueprint("web", __name__)
htmx = Htmx()
# The "as it reads" diff (templates/partials/_diff.html) renders its paragraphs through it.
bp.add_app_template_filter(rendered_changes, "rendered_changes")
