"""The database itself keeps the invariants: constraints, triggers, pragmas, migrations."""

from __future__ import annotations

import os
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session, SQLModel, select

from agreements.models import Stance, Version
from agreements.storage import migrate
from agreements.storage.engines import make_engine
from agreements.storage.search_index import include_name
from tests.conftest import worker_database_url
from tests.factories import Factory


def assert_schema_is_the_models(connection: Connection) -> None:
    """The migrated schema is exactly what the models declare."""
    context = MigrationContext.configure(connection, opts={"include_name": include_name})
    diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_migrations_build_exactly_the_models(any_db):
    """A model change without a migration fails here."""
    assert_schema_is_the_models(any_db.connection())


@pytest.fixture(params=["sqlite", "postgres"])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path, worker_id: str) -> str:
    """An empty database of its own (on PostgreSQL beside the shared test database)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'accord.sqlite'}"
    request.getfixturevalue("postgres_database_url")  # skips without TEST_DATABASE_URL
    url = worker_database_url(f"migrations_{worker_id}")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def test_every_migration_downgrades_with_data_and_upgrades_again(unmigrated_url):
    """Down one step at a time to an empty database, up again, and the schema is the models."""
    engine = make_engine(unmigrated_url)
    script = ScriptDirectory.from_config(migrate.alembic_config(engine))
    revisions = [s.revision for s in script.walk_revisions()]  # newest first
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        make = Factory(session)
        world = make.community(members=2)
        make.proposal(world, stage="adopted")  # version and proposal point at each other
    for revision in revisions:
        assert migrate.current_revision(engine) == revision
        migrate.downgrade(engine)
    assert migrate.current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    for revision in reversed(revisions):
        migrate.upgrade(engine, revision)
    with engine.connect() as connection:
        assert_schema_is_the_models(connection)
    engine.dispose()


@pytest.mark.parametrize("statement", ["UPDATE version SET text = 'forged'", "DELETE FROM version"])
def test_adopted_versions_are_immutable(any_db, any_make, statement):
    any_make.community()
    with pytest.raises(DBAPIError, match="immutable"):
        any_db.execute(text(statement))
    any_db.rollback()
    assert any_db.exec(select(Version)).one().text.startswith("# Our agreement")


def test_version_numbers_are_unique_per_agreement(any_db, any_make):
    world = any_make.community()
    first = any_db.exec(select(Version)).one()
    any_db.add(Version(agreement_id=world.agreement.id, number=1, text="x", text_sha256="0"))
    with pytest.raises(IntegrityError):
        any_db.flush()
    any_db.rollback()
    assert first.number == 1


def test_one_current_stance_per_participant_per_round(any_db, any_make):
    world = any_make.community()
    proposal = any_make.proposal(world, stage="consent")
    from agreements import services

    stance = services.register_stance(
        any_db, world.members[0], proposal_id=proposal.id, position="consent"
    )
    any_db.add(
        Stance(
            round_id=stance.round_id,
            participant_id=stance.participant_id,
            revision_id=stance.revision_id,
            text_sha256=stance.text_sha256,
            position="object",
        )
    )
    with pytest.raises(IntegrityError):
        any_db.flush()
    any_db.rollback()


def test_sqlite_pragmas(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite'}")
    with engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 1,
        "foreign_keys": 1,
        "busy_timeout": 5000,
    }


def test_a_forked_worker_opens_its_own_connections(tmp_path):
    """gunicorn forks its workers after loading the app (preload_app): a worker must not
    use a connection the master opened, and the master's stays open and usable."""
    engine = make_engine(f"sqlite:///{tmp_path / 'f.sqlite'}")
    with engine.connect() as connection:
        inherited = connection.connection.dbapi_connection
    assert engine.pool.checkedin() == 1
    child = os.fork()
    if child == 0:  # the worker: a fresh pool, and a new connection that works
        with engine.connect() as connection:
            fresh = connection.connection.dbapi_connection is not inherited
            answers = connection.exec_driver_sql("SELECT 1").scalar() == 1
        os._exit(0 if fresh and answers else 1)
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with engine.connect() as connection:
        assert connection.connection.dbapi_connection is inherited
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1


def test_writers_that_read_first_wait_instead_of_failing(tmp_path):
    """BEGIN IMMEDIATE: 10 read-then-write transactions at once all succeed.

    The busy timeout is generous so that a loaded machine slows the test, never fails it:
    what is tested is that no writer fails at once, which a plain BEGIN does."""
    engine = make_engine(f"sqlite:///{tmp_path / 'c.sqlite'}", busy_timeout_ms=60_000)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE counter (n INTEGER)")
        connection.exec_driver_sql("INSERT INTO counter VALUES (0)")
    errors: list[Exception] = []

    def increment() -> None:
        try:
            with Session(engine) as session:
                n = session.execute(text("SELECT n FROM counter")).scalar_one()
                session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
                session.commit()
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=increment) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT n FROM counter").scalar() == 10
    assert errors == []


def test_a_writer_waits_for_the_lock_only_as_long_as_the_busy_timeout(tmp_path):
    """Waiting for the write lock in short steps keeps the busy timeout: past it, the
    writer is told the database is locked, and every other statement still waits as long."""
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    holder, waiter = make_engine(url), make_engine(url, busy_timeout_ms=50)
    with holder.begin() as held:
        held.exec_driver_sql("CREATE TABLE t (n INTEGER)")
        with pytest.raises(OperationalError, match="database is locked"), waiter.begin():
            pass
    with waiter.begin() as connection:
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 50
