"""Helpers for API tests: the app on either database, a client that sends no CSRF token,
and Bearer headers per person."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from agreements import services
from agreements.models import User
from agreements.storage.sessions import get_engine
from tests.conftest import reusable_test_app

# `pytestmark = ON_EACH_DATABASE` runs a module's tests on SQLite and on PostgreSQL.
ON_EACH_DATABASE = pytest.mark.parametrize("app", ["sqlite_url", "postgres_url"], indirect=True)


@pytest.fixture
def app(request: pytest.FixtureRequest):
    """The application on a fresh SQLite file, or on the database named by an indirect
    parametrization of `app` (ON_EACH_DATABASE); `db`, `make`, `api` and `bearer` follow it."""
    application = reusable_test_app(
        request.getfixturevalue(getattr(request, "param", "sqlite_url"))
    )
    yield application
    get_engine(application).dispose()


@pytest.fixture
def api(app) -> FlaskClient:
    """A plain client: no cookies signed in, no CSRF header (the API needs neither)."""
    app.test_client_class = FlaskClient
    return app.test_client()


@pytest.fixture
def bearer(db) -> Callable[[User], dict[str, str]]:
    """The Authorization header of a fresh token for `user`, made by the real use case."""

    def headers(user: User) -> dict[str, str]:
        _token, plaintext = services.create_api_token(db, user, name="tests")
        return {"Authorization": f"Bearer {plaintext}"}

    return headers
