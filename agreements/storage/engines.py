"""Database engines configured for Accord's transaction rules (no Flask here).

SQLite is the default (a file under instance/): WAL so readers never wait for writers,
synchronous=NORMAL, foreign keys and a busy timeout on. Writing transactions begin with
BEGIN IMMEDIATE: under pysqlite's plain BEGIN, a transaction that reads and then writes
fails at once with "database is locked" whatever the busy timeout. Following SQLAlchemy's
pysqlite recipe, the driver's own transaction handling is switched off and we emit BEGIN
ourselves; read-only requests (GET/HEAD) use a deferred BEGIN so they never queue. A writer
waiting for the lock tries again every half millisecond (`_begin_immediate`).

PostgreSQL is the same code with DATABASE_URL; there the services lock the rows a rule
reads before it writes (SELECT ... FOR UPDATE) and the audit chain head (an advisory lock).
"""

from __future__ import annotations

import os
import sqlite3
import time
from typing import Any
from weakref import WeakSet

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

BEGIN_OPTION = "accord_begin"
WRITE_LOCK_POLL_S = 0.0005


def make_engine(url: str, *, busy_timeout_ms: int = 5000) -> Engine:
    """Create an engine configured for Accord's transaction rules on either database."""
    engine = _engine(url, busy_timeout_ms)
    _engines.add(engine)
    return engine


# A process forked after the app is loaded (gunicorn's preload_app) opens its own database
# connections: it forgets the pooled ones it inherited, leaving them to the parent.
_engines: WeakSet[Engine] = WeakSet()


def _forget_inherited_connections() -> None:
    for engine in list(_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


def _engine(url: str, busy_timeout_ms: int) -> Engine:
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if url in ("sqlite://", "sqlite:///:memory:"):
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)
    _configure_sqlite(engine, busy_timeout_ms)
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(BEGIN_OPTION, "IMMEDIATE")
        if mode == "IMMEDIATE":
            _begin_immediate(connection, busy_timeout_ms)
        else:
            connection.exec_driver_sql(f"BEGIN {mode}")


def _begin_immediate(connection: Any, busy_timeout_ms: int) -> None:
    """BEGIN IMMEDIATE, trying again every WRITE_LOCK_POLL_S while another writer holds the lock.

    SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25 ms... between its tries, so a
    writer that finds the lock taken by a use case of a few milliseconds sleeps well past its
    release, and under steady load may lose it again and again to the same other process
    (one gunicorn worker writing while the other sleeps). Trying every half millisecond takes
    the lock within half a millisecond of its release. The wait is as long as before; the last
    try goes through SQLAlchemy, so running out of time is the same "database is locked".
    """
    raw = connection.connection.dbapi_connection
    deadline = time.monotonic() + busy_timeout_ms / 1000
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error):
                    break
            time.sleep(WRITE_LOCK_POLL_S)
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")


def is_sqlite(session: Session) -> bool:
    """Whether the session talks to SQLite (which serialises writers with BEGIN IMMEDIATE)."""
    bind = session.get_bind()
    return bind.dialect.name == "sqlite"


def read_only(engine: Engine) -> Engine:
    """The same engine, beginning transactions DEFERRED (for requests that only read)."""
    return engine.execution_options(**{BEGIN_OPTION: "DEFERRED"})
