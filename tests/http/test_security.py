"""Request-level protections: CSRF, security headers, cookie flags, body cap, rate limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from agreements.security.passwords import password_matches
from agreements.security.protections import CONTENT_SECURITY_POLICY
from agreements.storage.sessions import get_engine
from tests.conftest import CsrfClient, make_test_app
from tests.factories import PASSWORD, Factory

NEW_PASSWORD = "a brand new passphrase"
CHANGE = {
    "current_password": PASSWORD,
    "new_password": NEW_PASSWORD,
    "confirm_password": NEW_PASSWORD,
}


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["form", "htmx"])
def test_state_change_without_csrf_token_is_refused(
    client_without_csrf: FlaskClient, db: Session, make: Factory, login, headers: dict[str, str]
) -> None:
    user = make.user()
    login(client_without_csrf, user)
    response = client_without_csrf.post("/account", data=CHANGE, headers=headers)
    assert response.status_code != 303
    assert response.status_code == 400 or response.headers.get("X-Accord-Status") == "400"
    db.refresh(user)
    assert password_matches(user.password_hash, PASSWORD)


def test_htmx_request_with_the_csrf_header_is_accepted(
    client: FlaskClient, db: Session, make: Factory, login
) -> None:
    user = make.user()
    login(client, user)
    response = client.post("/account", data=CHANGE, headers={"HX-Request": "true"})
    assert response.status_code == 303
    db.refresh(user)
    assert password_matches(user.password_hash, NEW_PASSWORD)


def test_forged_csrf_token_is_refused(client_without_csrf: FlaskClient, make: Factory) -> None:
    user = make.user()
    response = client_without_csrf.post(
        "/sign-in",
        data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"},
        headers={"X-CSRFToken": "forged"},
    )
    assert response.status_code == 400


def test_pages_carry_the_security_headers(client: FlaskClient) -> None:
    response = client.get("/sign-in")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.headers.get("Vary", "")
    assert "Strict-Transport-Security" not in response.headers  # development: plain HTTP


def test_signed_in_pages_are_not_cached(client: FlaskClient, make: Factory, login) -> None:
    login(client, make.user())
    assert client.get("/account").headers["Cache-Control"] == "no-store"


@pytest.fixture
def production_client(sqlite_url: str):
    """The app as configured for production (HTTPS behind a proxy)."""
    app = make_test_app(sqlite_url, ENV="production")
    app.test_client_class = CsrfClient
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    yield client
    get_engine(app).dispose()


def test_production_session_cookie_is_host_only_secure_httponly_lax_and_bounded(
    production_client: FlaskClient, make_for_url
) -> None:
    user = make_for_url(production_client.application).user()
    response = production_client.post(
        "/sign-in",
        data={"email": user.email, "password": PASSWORD},
        headers={"Referer": "https://localhost/sign-in"},  # checked over HTTPS
    )
    assert response.status_code == 303
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("__Host-"))
    assert cookie.startswith("__Host-accord=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/", "Expires="):
        assert flag in cookie
    assert "Domain=" not in cookie
    assert "max-age=" in production_client.get("/sign-in").headers["Strict-Transport-Security"]


@pytest.fixture
def make_for_url():
    """A data factory on another app's database."""
    sessions: list[Session] = []

    def factory(app) -> Factory:
        session = Session(get_engine(app), expire_on_commit=False)
        sessions.append(session)
        return Factory(session)

    yield factory
    for session in sessions:
        session.close()


def test_oversized_request_body_gets_413(client: FlaskClient) -> None:
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    response = client.post("/sign-in", data={"email": "x" * (limit + 1), "password": "x"})
    assert response.status_code == 413


def test_sign_in_is_rate_limited(sqlite_url: str, tmp_path: Path) -> None:
    app = make_test_app(sqlite_url, RATELIMIT_ENABLED=True)
    app.test_client_class = CsrfClient
    client = app.test_client()
    try:
        statuses = [
            client.post(
                "/sign-in", data={"email": "a@example.org", "password": "guess"}
            ).status_code
            for _ in range(11)
        ]
        assert statuses[:10] == [401] * 10
        assert statuses[10] == 429
        assert client.get("/sign-in").status_code == 200  # reading the page is not limited
    finally:
        get_engine(app).dispose()


def test_sign_in_is_limited_per_account_across_addresses(sqlite_url: str) -> None:
    """An attacker who spreads guesses over many addresses is still slowed on one account,
    while other accounts stay open."""
    app = make_test_app(sqlite_url, RATELIMIT_ENABLED=True)
    app.test_client_class = CsrfClient
    client = app.test_client()

    def attempt(email: str, address: str) -> int:
        client.environ_base["REMOTE_ADDR"] = address
        return client.post("/sign-in", data={"email": email, "password": "guess"}).status_code

    try:
        statuses = [attempt("A@example.org ", f"10.0.0.{n}") for n in range(1, 12)]
        assert statuses == [401] * 10 + [429]
        assert attempt("a@example.org", "10.0.1.1") == 429  # the same account, as typed
        assert attempt("b@example.org", "10.0.1.2") == 401
    finally:
        get_engine(app).dispose()


def test_reset_requests_for_one_account_are_limited_without_telling(sqlite_url: str) -> None:
    """From many addresses, one account gets at most 3 links in 15 minutes; the requests
    over the limit are answered exactly like the others, as for an unknown address."""
    from sqlmodel import func, select

    from agreements.models import AuditEvent
    from agreements.security.protections import ACCOUNT_RESET_LIMIT

    assert ACCOUNT_RESET_LIMIT.startswith("3 per 15 minutes")
    app = make_test_app(sqlite_url, RATELIMIT_ENABLED=True)
    app.test_client_class = CsrfClient
    client = app.test_client()
    with Session(get_engine(app)) as db:
        email = Factory(db).user().email
        db.commit()

    def ask(address: str, who: str = email) -> tuple[int, str | None, str]:
        client.environ_base["REMOTE_ADDR"] = address
        response = client.post("/forgot-password", data={"email": who})
        page = client.get(response.location).get_data(as_text=True)
        return response.status_code, response.location, page

    def links_sent() -> int:
        with Session(get_engine(app)) as db:
            action = AuditEvent.action == "account.password_reset_requested"
            return db.exec(select(func.count()).select_from(AuditEvent).where(action)).one()

    try:
        answers = [ask(f"10.0.0.{n}") for n in range(1, 6)]
        assert len(set(answers)) == 1 and answers[0][0] == 303
        assert links_sent() == 3
        assert ask("10.0.1.1", "nobody@example.org") == answers[0]
    finally:
        get_engine(app).dispose()


def test_password_reset_requests_are_rate_limited(sqlite_url: str) -> None:
    app = make_test_app(sqlite_url, RATELIMIT_ENABLED=True)
    app.test_client_class = CsrfClient
    client = app.test_client()
    try:
        statuses = [
            client.post("/forgot-password", data={"email": "a@example.org"}).status_code
            for _ in range(6)
        ]
        assert statuses == [303] * 5 + [429]
    finally:
        get_engine(app).dispose()
