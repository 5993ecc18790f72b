"""Configuration: safe defaults in development, refusal of unsafe ones in production."""

from __future__ import annotations

import pytest

from agreements import create_app
from agreements.config import DEV_SECRET


def test_production_refuses_the_default_secret(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(
            {
                "ENV": "production",
                "SECRET_KEY": DEV_SECRET,
                "DATABASE_URL": f"sqlite:///{tmp_path}/a.db",
            }
        )


def test_production_cookies_are_secure_and_prefixed(tmp_path):
    app = create_app(
        {"ENV": "production", "SECRET_KEY": "s" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/a.db"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-accord"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() <= 24 * 3600


def test_default_database_is_an_sqlite_file_in_instance(monkeypatch):
    app = create_app({"DATABASE_URL": ""})
    assert app.config["DATABASE_URL"].startswith("sqlite:///")
    assert app.config["DATABASE_URL"].endswith("instance/accord.sqlite")
