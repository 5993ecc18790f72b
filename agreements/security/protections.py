"""Request-level protections every page and route gets without asking.

- CSRF: flask-wtf's CSRFProtect on every POST/PUT/PATCH/DELETE. Forms send the hidden
  `csrf_token` field, htmx sends the `X-CSRFToken` header (read from the csrf-token meta
  tag). The Bearer-token JSON API exempts its blueprint (`csrf.exempt(bp)`): it uses no
  cookies, so a forged cross-site request carries no credentials.
- Headers: a Content-Security-Policy that allows only our own scripts and styles (no
  inline script, no eval, no inline style), no framing, no MIME sniffing, no referrer to
  other sites (reset and invitation links carry tokens), HSTS in production, and
  `Vary: HX-Request` on HTML, whose body depends on whether htmx asked. Signed-in pages
  are `Cache-Control: no-store` so shared caches never keep private discussion.
- Rate limits (Flask-Limiter) on sign-in and password reset, keyed by client address, and
  both also keyed by the account named, so guessing one account's password, or flooding
  its inbox with reset links, from many addresses is slowed as well (a reset over its
  account limit answers like any other, so it tells nobody whether the account exists).
  Counters are per process (memory://) unless REDIS_URL (or RATELIMIT_STORAGE_URI) names
  a Redis that all workers share; with several workers it must, or each worker grants the
  full allowance.
- The request body is capped by MAX_CONTENT_LENGTH (werkzeug answers 413, shown by the
  web error pages).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from limits import parse_many

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"

# Attempts per client address; generous for people, tight for password guessing.
SIGN_IN_LIMIT = "10 per minute;50 per hour"
# Attempts on one account from anywhere: an attacker spread over many addresses.
ACCOUNT_SIGN_IN_LIMIT = "10 per minute;30 per hour"
RESET_LIMIT = "5 per minute;20 per hour"
# Reset links for one account, asked from anywhere: more would flood its owner's inbox. Over
# it, the page answers exactly as if a link was sent (none is), so the limit never tells
# whether an address has an account.
ACCOUNT_RESET_LIMIT = "3 per 15 minutes;10 per day"

csrf = CSRFProtect()
limiter = Limiter(get_remote_address)


def signing_in_account() -> str:
    """The rate-limit key of the account a sign-in attempt names (its email, as typed
    but without case or surrounding spaces, which authentication ignores too)."""
    return "account:" + request.form.get("email", "").strip().lower()


def is_within_account_reset_limit(email: str) -> bool:
    """Count a reset request for the account `email` names; False once it is over
    ACCOUNT_RESET_LIMIT (in the limiter's storage, so shared by workers like the others)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    key = current_app.config.get("RATELIMIT_KEY_PREFIX", "") + "reset-account"
    account = email.strip().lower()
    hits = [limiter.limiter.hit(item, key, account) for item in parse_many(ACCOUNT_RESET_LIMIT)]
    return all(hits)


def add_security_headers(response: Response) -> Response:
    """Set the protective headers on every response (see the module docstring)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.vary.add("HX-Request")
        if current_user and current_user.is_authenticated and not response.cache_control:
            response.headers["Cache-Control"] = "no-store"
    return response


def add_hsts(response: Response) -> Response:
    """Production only (behind TLS): browsers must never use plain HTTP for this host."""
    response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    """Switch on CSRF protection, the security headers and the rate limiter."""
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(add_security_headers)
    if app.config.get("ENV") == "production":
        app.after_request(add_hsts)
