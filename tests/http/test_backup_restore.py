"""Backing up and restoring a whole instance with `flask backup` and `flask restore`.

The promise to an operator: a backup taken while people are writing holds every event
committed before it started, a restore puts all of it back and proves it with the audit
chain, and nothing is overwritten by mistake.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlmodel import Session, select

from agreements import audit
from agreements.models import AuditEvent, User
from agreements.storage.engines import make_engine
from agreements.storage.sessions import get_engine
from tests.conftest import make_test_app


def committed_hashes(url: str) -> list[str]:
    """The hashes of the events in the database at `url`, in chain order."""
    engine = make_engine(url)
    with Session(engine) as session:
        hashes = list(session.exec(select(AuditEvent.hash).order_by(AuditEvent.seq)))
    engine.dispose()
    return hashes


def write_events(url: str, stop: threading.Event, committed: list[str]) -> None:
    """Append events one transaction at a time until told to stop; keep each committed hash."""
    engine = make_engine(url, busy_timeout_ms=60_000)
    with Session(engine) as session:
        n = 0
        while not stop.is_set():
            event = audit.record(session, None, "test.written", audit.Subject("test", n), {"n": n})
            session.commit()
            committed.append(event.hash)
            n += 1
    engine.dispose()


def test_a_backup_taken_during_writes_restores_every_committed_event(app, tmp_path):
    url = app.config["DATABASE_URL"]
    stop, committed = threading.Event(), []
    writer = threading.Thread(target=write_events, args=(url, stop, committed))
    writer.start()
    try:
        while len(committed) < 200:
            threading.Event().wait(0.01)
        before_backup = list(committed)
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup.sqlite")])
        while len(committed) < len(before_backup) + 50:  # the writer kept going meanwhile
            threading.Event().wait(0.01)
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output

    fresh = make_test_app(f"sqlite:///{tmp_path / 'restored.sqlite'}")
    restored = fresh.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup.sqlite")])
    get_engine(fresh).dispose()

    assert restored.exit_code == 0, restored.output
    assert "audit chain verifies" in restored.output
    in_restore = committed_hashes(fresh.config["DATABASE_URL"])
    assert in_restore[: len(before_backup)] == before_backup
    assert set(in_restore) <= set(committed)


def test_restore_refuses_to_overwrite_data_without_force(app, make, db, tmp_path):
    backup_file = tmp_path / "backup.sqlite"
    make.user(name="Before")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(backup_file)]).exit_code == 0
    make.user(name="After")

    refused = runner.invoke(args=["restore", str(backup_file)])
    assert refused.exit_code != 0 and "--force" in refused.output
    db.rollback()
    assert {u.display_name for u in db.exec(select(User))} >= {"Before", "After"}

    forced = runner.invoke(args=["restore", "--force", str(backup_file)])
    assert forced.exit_code == 0, forced.output
    db.rollback()
    names = {u.display_name for u in db.exec(select(User))}
    assert "Before" in names and "After" not in names


def test_restoring_a_tampered_backup_fails_verification(app, make, tmp_path):
    make.user()
    backup_file = tmp_path / "backup.sqlite"
    assert app.test_cli_runner().invoke(args=["backup", str(backup_file)]).exit_code == 0
    with sqlite3.connect(backup_file) as tamper:
        tamper.execute("DROP TRIGGER audit_event_no_update")
        tamper.execute("UPDATE audit_event SET actor_name = 'somebody else' WHERE seq = 1")

    fresh = make_test_app(f"sqlite:///{tmp_path / 'restored.sqlite'}")
    result = fresh.test_cli_runner().invoke(args=["restore", str(backup_file)])
    get_engine(fresh).dispose()
    assert result.exit_code != 0 and "does NOT verify" in result.output


def test_restore_refuses_a_file_that_is_not_a_backup(app, make, db, tmp_path):
    make.user(name="Kept")
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello", encoding="utf-8")
    runner = app.test_cli_runner()
    for path in (not_a_backup, tmp_path / "missing.sqlite"):
        result = runner.invoke(args=["restore", "--force", str(path)])
        assert result.exit_code != 0 and "backup" in result.output
    db.rollback()
    assert db.exec(select(User).where(User.display_name == "Kept")).first() is not None


def test_backup_on_postgresql_points_to_pg_dump(postgres_url: str, tmp_path: Path):
    application = make_test_app(postgres_url)
    result = application.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.sqlite")])
    get_engine(application).dispose()
    assert result.exit_code != 0 and "pg_dump" in result.output
    assert not (tmp_path / "b.sqlite").exists()
