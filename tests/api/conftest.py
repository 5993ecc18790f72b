"""Helpers for API tests: a client that sends no CSRF token and Bearer headers per person."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from agreements import services
from agreements.models import User


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
