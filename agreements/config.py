"""Configuration read from the environment, with safe development defaults.

Production (ACCORD_ENV=production) refuses to start with the development secret, so a
forgotten SECRET_KEY can never sign real sessions.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

# The checkout: templates/, static/, migrations/ and instance/ live beside the packages.
ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-change-me"


class Config:
    """Settings for every environment; values come from environment variables."""

    ENV = os.environ.get("ACCORD_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    DATABASE_URL = os.environ.get("DATABASE_URL", "")
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "5000"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024)))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=int(os.environ.get("SESSION_HOURS", "12")))
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Counters live in this process unless REDIS_URL (or RATELIMIT_STORAGE_URI) names a
    # store every worker shares; see apply_environment.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    RATELIMIT_HEADERS_ENABLED = True
    MAIL_SMTP_HOST = os.environ.get("SMTP_HOST", "")
    MAIL_SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    MAIL_SMTP_USER = os.environ.get("SMTP_USER", "")
    MAIL_SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "accord@localhost")
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "")


def apply_environment(config: dict, instance_path: str) -> None:
    """Fill in what depends on the instance folder and the environment mode."""
    if not config.get("DATABASE_URL"):
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{Path(instance_path) / 'accord.sqlite'}"
    if not config.get("RATELIMIT_STORAGE_URI"):
        # Several workers must share one count, or each grants the full allowance.
        config["RATELIMIT_STORAGE_URI"] = config.get("REDIS_URL") or "memory://"
    if config.get("ENV") == "production":
        config["SESSION_COOKIE_SECURE"] = True
        config["SESSION_COOKIE_NAME"] = "__Host-accord"
        config["REMEMBER_COOKIE_SECURE"] = True
        config["PREFERRED_URL_SCHEME"] = "https"


def check_config(config: dict) -> None:
    """Refuse unsafe settings in production (the default secret above all)."""
    if config.get("ENV") != "production":
        return
    secret = config.get("SECRET_KEY") or ""
    if secret == DEV_SECRET or len(secret) < 32:
        raise RuntimeError(
            "Refusing to start in production: set SECRET_KEY to a random value of at least "
            "32 characters (e.g. python -c 'import secrets; print(secrets.token_hex(32))')."
        )
