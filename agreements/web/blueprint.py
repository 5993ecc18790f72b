"""The web blueprint every page module adds its routes to, and the htmx extension.

Its own module so that page modules and the package's `init_app` (which imports them to
register their routes) do not import each other.
"""

from __future__ import annotations

from flask import Blueprint
from htmx_flask import Htmx

bp = Blueprint("web", __name__)
htmx = Htmx()
