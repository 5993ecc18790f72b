"""Backing up and restoring a whole SQLite instance while it runs (no Flask here).

Copying a WAL-mode SQLite file with `cp` loses every committed transaction still in the
`-wal` file beside it. SQLite's online backup API (sqlite3.Connection.backup) copies a
consistent snapshot that includes them, page by page, while other connections keep
writing; restoring goes through the same API in the other direction, so the running app's
connections see the restored data on their next transaction instead of a swapped file.

PostgreSQL has its own tools (pg_dump, pg_restore): this module refuses it with a message
that says so, rather than half-doing their job.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import Engine

from ..errors import DomainError, InvalidInput

POSTGRES_ADVICE = (
    "This instance runs on PostgreSQL: back it up with pg_dump -Fc and restore it with "
    "pg_restore into a new database (see docs/operating.md, 'Backups and restore')."
)


def _database_file(engine: Engine) -> str:
    """The SQLite file behind `engine`, or a refusal for any other database."""
    if engine.dialect.name != "sqlite":
        raise DomainError(POSTGRES_ADVICE)
    path = engine.url.database
    if not path or path == ":memory:":
        raise InvalidInput("An in-memory database has nothing to back up or restore.")
    return path


def _copy(source: str, target: str | Path) -> None:
    """Copy database `source` (a URI) over `target` with SQLite's online backup API."""
    with (
        closing(sqlite3.connect(source, uri=True)) as origin,
        closing(sqlite3.connect(target)) as copy,
    ):
        origin.backup(copy)


def backup(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the running database to `target` (replacing it)."""
    source = _database_file(engine)
    target.unlink(missing_ok=True)
    _copy(Path(source).resolve().as_uri(), target)


def _accord_revision(path: Path) -> str:
    """The schema revision of the Accord database in `path`; refuses anything else."""
    if not path.is_file():
        raise InvalidInput(f"There is no backup file at {path}.")
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise InvalidInput(f"{path} is not an Accord backup: {error}.") from error
    if row is None:
        raise InvalidInput(f"{path} is not an Accord backup: it has no schema revision.")
    return str(row[0])


def has_data(engine: Engine) -> bool:
    """Whether any table but Alembic's own holds a row (restoring would overwrite it)."""
    with closing(sqlite3.connect(_database_file(engine))) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
            )
        ]
        return any(
            connection.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() for table in tables
        )


def restore(engine: Engine, source: Path, *, known_revisions: set[str]) -> str:
    """Replace the database's whole content with the backup in `source`; its revision.

    The backup must be an Accord database at a schema revision this version of Accord
    knows (older ones are then upgraded by the caller). Whether overwriting data is
    wanted is the caller's question (see `has_data`).
    """
    target_path = _database_file(engine)
    revision = _accord_revision(source)
    if revision not in known_revisions:
        raise InvalidInput(
            f"The backup is at schema revision {revision}, which this version of Accord "
            "does not know: restore it with the version that made it."
        )
    engine.dispose()  # the app's pooled connections reopen on the restored content
    _copy(f"{source.resolve().as_uri()}?mode=ro", target_path)
    return revision
