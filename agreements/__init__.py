"""Accord: a community drafts its shared agreement and decides every change by consent.

`create_app` is the application factory; wsgi.py calls it, tests call it with a
configuration dict.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from .config import ROOT, Config, apply_environment, check_config
from .web.said_templates import SaidEnvironment


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application: configuration, database, security, views, commands."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # Before anything builds app.jinja_env: templates compiled per catalogue.
    app.jinja_environment = SaidEnvironment
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    apply_environment(app.config, app.instance_path)
    check_config(app.config)

    from . import api, auth, cli, routing, web
    from .security import protections
    from .storage import sessions
    from .web import history

    routing.init_app(app)  # before any blueprint: their <int:...> rules use it
    sessions.init_app(app)
    api.init_app(app)  # before security: API routing errors answer JSON, not a CSRF page
    protections.init_app(app)
    auth.init_app(app)
    web.init_app(app)
    history.init_app(app)
    cli.init_app(app)
    return app
