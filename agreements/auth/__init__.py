"""Signing in and out, and who the current person is.

- sessions: the signed-in account and its session stamp (what every page asks).
- views: the sign-in, account, password-reset and invitation pages.

May import: services, storage, security, models. Web and API import `current_actor` from
here; auth imports neither.
"""

from __future__ import annotations

from flask import Flask

from .sessions import current_actor, end_session, login_manager, refresh_stamp, start_session

__all__ = ["current_actor", "end_session", "init_app", "refresh_stamp", "start_session"]


def init_app(app: Flask) -> None:
    """Register the login manager and the sign-in, account and invitation pages."""
    from .views import bp

    login_manager.init_app(app)
    app.register_blueprint(bp)
