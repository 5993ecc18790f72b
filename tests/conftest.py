"""Fixtures shared by every layer of the suite.

The real amendment history lives beside the repository in ../shared/corpus; a user's clone
does not have it, so tests that read it skip with a reason, except in CI (CI=true), where
its absence is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO_ROOT.parent / "shared" / "corpus"
IN_CI = os.environ.get("CI", "").lower() == "true"

# Hypothesis: in CI every failure prints the blob that replays it (`@reproduce_failure`), as
# CI keeps no example database between runs; tests that set max_examples keep their own.
# HYPOTHESIS_PROFILE=thorough runs many more examples locally, e.g. after changing the diff.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("thorough", deadline=None, print_blob=True, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if IN_CI else "dev"))


def require_or_skip(available: bool, reason: str) -> None:
    """Skip a test whose resource is missing, or fail it when CI demands the resource."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"mandatory in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The Contributor Covenant history (v1.0 ... v2.0 and translations of v1.4)."""
    covenant = CORPUS_DIR / "contributor-covenant"
    require_or_skip(covenant.is_dir(), f"the shared corpus is absent ({covenant})")
    return covenant


# --- databases ---------------------------------------------------------------------------

import shutil  # noqa: E402

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from itsdangerous import URLSafeTimedSerializer  # noqa: E402
from sqlalchemy import inspect, make_url, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from agreements import create_app  # noqa: E402
from agreements.storage.engines import make_engine, read_only  # noqa: E402
from agreements.storage.migrate import upgrade  # noqa: E402
from agreements.storage.sessions import connect, get_engine  # noqa: E402
from agreements.web.history import BADGE_CACHE_KEY  # noqa: E402

from .factories import Factory  # noqa: E402

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-checks"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated once; each test gets a copy (fast, and truly fresh)."""
    path = tmp_path_factory.mktemp("template") / "accord.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """The URL of a fresh, migrated SQLite database for one test."""
    path = tmp_path / "accord.sqlite"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with the demo community seeded once per worker; tests copy it."""
    from agreements.demo import seed_demo

    path = tmp_path_factory.mktemp("demo") / "accord.sqlite"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine, expire_on_commit=False) as session:
        seed_demo(session)
    engine.dispose()
    return path


@pytest.fixture
def demo_sqlite_url(demo_template: Path, tmp_path: Path) -> str:
    """The URL of a fresh copy of the seeded demo, for one test."""
    path = tmp_path / "accord.sqlite"
    shutil.copyfile(demo_template, path)
    return f"sqlite:///{path}"


def worker_database_url(worker_id: str) -> str:
    """Each pytest-xdist worker gets its own PostgreSQL database beside TEST_DATABASE_URL's."""
    if worker_id == "master":
        return TEST_DATABASE_URL
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_{worker_id}"
    admin = make_engine(TEST_DATABASE_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database_url(worker_id: str) -> str:
    """This worker's PostgreSQL URL (mandatory in CI)."""
    require_or_skip(bool(TEST_DATABASE_URL), "TEST_DATABASE_URL is not set (PostgreSQL tests)")
    return worker_database_url(worker_id)


@pytest.fixture(scope="session")
def postgres_engine(postgres_database_url: str):
    """The PostgreSQL test database, migrated once per run."""
    engine = make_engine(postgres_database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


def empty_all_tables(engine) -> None:
    """Empty every table and restart every id sequence, so each test starts from nothing.

    DELETE with triggers switched off for the transaction (session_replication_role, which
    also bypasses the append-only guards, as intended here) costs a few milliseconds on the
    small tables a test leaves; TRUNCATE costs half a second on every test, as it replaces
    each table's files. A role that may not switch triggers off falls back to TRUNCATE.
    """
    with engine.connect() as connection:
        superuser = connection.execute(text("SHOW is_superuser")).scalar() == "on"
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    with engine.begin() as connection:
        if not superuser:
            quoted = ", ".join(f'"{table}"' for table in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            return
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            connection.execute(text(f'DELETE FROM "{table}"'))
        sequences = connection.execute(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        ).scalars()
        for sequence in sequences.all():
            connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))


@pytest.fixture
def postgres_url(postgres_engine, postgres_database_url: str) -> str:
    """The URL of the (emptied) PostgreSQL test database."""
    empty_all_tables(postgres_engine)
    return postgres_database_url


@pytest.fixture(params=["sqlite", "postgres"])
def any_db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database URL on each backend: service tests run on both."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def any_db(any_db_url: str):
    """A session on a fresh database, on SQLite and on PostgreSQL."""
    engine = make_engine(any_db_url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def any_make(any_db: Session) -> Factory:
    """The data factory on the `any_db` session."""
    return Factory(any_db)


# --- the app and its clients -------------------------------------------------------------


class CsrfClient(FlaskClient):
    """A test client that sends a valid CSRF token with every state-changing request."""

    def open(self, *args, **kwargs):  # type: ignore[override]
        method = str(kwargs.get("method", "GET")).upper()
        if method not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        """The signed form of the session's raw token, as flask-wtf's generate_csrf makes it."""
        import hashlib

        with self.session_transaction() as flask_session:
            raw = flask_session.get("csrf_token")
            if raw is None:
                raw = hashlib.sha1(os.urandom(64)).hexdigest()
                flask_session["csrf_token"] = raw
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)


def make_test_app(database_url: str, **overrides):
    """An app configured for tests on `database_url`."""
    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "RATELIMIT_ENABLED": False,
        **overrides,
    }
    return create_app(config)


_reusable_apps: dict[tuple[tuple[str, object], ...], Flask] = {}


def reusable_test_app(database_url: str, **overrides) -> Flask:
    """This worker's app for `overrides`, pointed at `database_url` (built on first use).

    Building an app compiles its URL rules, which costs more than most tests, so tests share
    one; each still gets its own database and engine, the default client class and an empty
    audit badge cache. Tests that keep an app beyond their own run use `make_test_app`.
    """
    key = tuple(sorted(overrides.items()))
    application = _reusable_apps.get(key)
    if application is None:
        application = _reusable_apps[key] = make_test_app(database_url, **overrides)
    else:
        application.config["DATABASE_URL"] = database_url
        connect(application)
    application.extensions.pop(BADGE_CACHE_KEY, None)
    application.test_client_class = None
    return application


@pytest.fixture
def app(sqlite_url: str):
    """The application on a fresh, migrated SQLite file."""
    application = reusable_test_app(sqlite_url)
    yield application
    get_engine(application).dispose()


@pytest.fixture
def db(app) -> Session:
    """A session on the app's database.

    Its transactions begin DEFERRED, so a test reading between requests never holds the
    write lock the app's requests need; call `db.rollback()` (or commit) before reading
    again to see what a request wrote.
    """
    with Session(read_only(get_engine(app)), expire_on_commit=False) as session:
        yield session


@pytest.fixture
def make(db: Session) -> Factory:
    """The data factory on the app's database."""
    return Factory(db)


@pytest.fixture
def client(app) -> CsrfClient:
    """A browser-like client that passes CSRF checks."""
    app.test_client_class = CsrfClient
    return app.test_client()


@pytest.fixture
def client_without_csrf(app) -> FlaskClient:
    """A client that sends no CSRF token (to prove forged requests are refused)."""
    app.test_client_class = FlaskClient
    return app.test_client()


@pytest.fixture
def login():
    """Sign a test client in as a user, the way flask-login keeps it in the session."""

    def sign_in(test_client: FlaskClient, user) -> None:
        with test_client.session_transaction() as flask_session:
            flask_session["_user_id"] = str(user.id)
            flask_session["_fresh"] = True

    return sign_in


@pytest.fixture(autouse=True)
def unhurried_diffs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Diff and merge time budgets a loaded machine cannot exhaust by accident.

    The budgets exist for pathological texts in production; a test that is about them sets
    its own (timeout=0), and no other test may fail because the machine was busy."""
    from agreements.text import diff, merge

    monkeypatch.setattr(diff, "DIFF_TIMEOUT_SECONDS", 600.0)
    monkeypatch.setattr(merge, "ALIGN_TIMEOUT_SECONDS", 600.0)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Argon2 at test strength: real hashing, cheap parameters (production keeps defaults)."""
    from argon2 import PasswordHasher

    from agreements.security import passwords

    production = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = production
