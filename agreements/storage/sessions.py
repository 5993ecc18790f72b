"""The application's engine and the session each request works in.

This is where storage meets Flask: the app factory creates the engine from configuration,
each request opens one session on first use (DEFERRED for requests that only read, so
they never queue behind writers on SQLite) and the session is rolled back and closed when
the request ends, so nothing half-done outlives it.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request
from sqlalchemy import Engine
from sqlmodel import Session

from .engines import make_engine, read_only

ENGINE_KEY = "accord.engine"


def get_engine(app: Flask | None = None) -> Engine:
    """The application's engine."""
    return (app or current_app).extensions[ENGINE_KEY]


def get_session() -> Session:
    """The request's session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        engine = get_engine()
        if request and request.method in ("GET", "HEAD", "OPTIONS"):
            engine = read_only(engine)
        g.db_session = Session(engine, expire_on_commit=False)
    return g.db_session


def reads_from_here(session: Session) -> None:
    """The request's writes are done: what the session holds is read anew, and its next
    transactions begin DEFERRED, as a GET's do, so re-drawing a page after a POST never
    holds SQLite's write lock (BEGIN IMMEDIATE) while it renders. A session still inside a
    transaction keeps it, and its engine."""
    session.expire_all()
    if not session.in_transaction():
        session.bind = read_only(get_engine())


def rollback_session() -> None:
    """End the request's transaction before an error page is drawn.

    On PostgreSQL a failed statement aborts the transaction, and every later query in it
    fails too (InFailedSqlTransaction); the error page reads the signed-in person and
    must not fail in turn. Objects stay usable: they reload in a fresh transaction.
    """
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def close_session(_exc: BaseException | None = None) -> None:
    """Roll back anything uncommitted and return the connection to the pool (closing a
    session rolls its transaction back; it lets go of the objects it read without first
    expiring each one, as a rollback would)."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def connect(app: Flask) -> Engine:
    """Give the app a new engine on the database its configuration names.

    The app factory calls it once; the test suite calls it again to point one app at each
    test's own database instead of building an app per test.
    """
    engine = make_engine(
        app.config["DATABASE_URL"], busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"]
    )
    app.extensions[ENGINE_KEY] = engine
    return engine


def init_app(app: Flask) -> None:
    """Create the engine from configuration and close the session after each request."""
    connect(app)
    app.teardown_appcontext(close_session)
