"""Rate limits hold across processes when REDIS_URL names a shared Redis.

Each gunicorn worker is its own process; with per-process counters an attacker gets the
full allowance once per worker. These tests count sign-in attempts in two separate
processes, each with its own app, and expect one shared count. They need the Redis named
by TEST_REDIS_URL (default redis://127.0.0.1:6379/15): skipped without it, mandatory in CI.
Keys carry a prefix unique to this test run and are deleted afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from agreements.storage.sessions import get_engine
from tests.conftest import REPO_ROOT, CsrfClient, make_test_app, require_or_skip

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# Flask-Limiter keeps the first key prefix it is given for the life of a process, so one
# prefix serves the whole run; the other process is handed the same one.
KEY_PREFIX = os.environ.get("TEST_RATELIMIT_KEY_PREFIX") or f"accord-test-{uuid.uuid4().hex}"
ADDRESS = "198.51.100.7"


def sign_in_statuses(database_url: str, attempts: int) -> list[int]:
    """Statuses of `attempts` failed sign-ins from ADDRESS, through a new app on Redis."""
    app = make_test_app(
        database_url, RATELIMIT_ENABLED=True, REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=KEY_PREFIX
    )
    app.test_client_class = CsrfClient
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    try:
        return [
            client.post("/sign-in", data={"email": "a@example.org", "password": "x"}).status_code
            for _ in range(attempts)
        ]
    finally:
        get_engine(app).dispose()


def _statuses_in_another_process(database_url: str, attempts: int) -> list[int]:
    script = (
        "import json, sys; from tests.http import test_shared_rate_limits as t; "
        "print(json.dumps(t.sign_in_statuses(sys.argv[1], int(sys.argv[2]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, database_url, str(attempts)],
        cwd=REPO_ROOT,
        env={**os.environ, "TEST_REDIS_URL": REDIS_URL, "TEST_RATELIMIT_KEY_PREFIX": KEY_PREFIX},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def shared_redis() -> Iterator[None]:
    """The test Redis, emptied of this run's keys afterwards."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        available = bool(connection.ping())
    except redis.RedisError:
        available = False
    require_or_skip(available, f"no Redis at {REDIS_URL} (set TEST_REDIS_URL)")
    yield
    for key in connection.scan_iter(f"*{KEY_PREFIX}*"):
        connection.delete(key)
    connection.close()


def test_two_app_processes_share_one_sign_in_count(shared_redis: None, sqlite_url: str) -> None:
    assert _statuses_in_another_process(sqlite_url, 6) == [401] * 6
    assert sign_in_statuses(sqlite_url, 5) == [401] * 4 + [429]


def test_redis_url_makes_redis_the_limit_store(shared_redis: None, sqlite_url: str) -> None:
    app = make_test_app(sqlite_url, REDIS_URL=REDIS_URL)
    try:
        assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    finally:
        get_engine(app).dispose()
