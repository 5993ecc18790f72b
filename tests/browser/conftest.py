"""Browser fixtures: a live Accord (demo community, or only an administrator), and Chromium.

The server is the real app (CSRF, CSP, sign-in) on a fresh SQLite file seeded with the
demo, served by werkzeug in a thread on a free port. Chromium is /usr/bin/chromium
(no browser download); when it cannot start, the tests skip locally and fail in CI.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session
from werkzeug.serving import make_server

from agreements import services
from agreements.demo import DEMO_PASSWORD
from agreements.storage.sessions import get_engine
from tests.conftest import REPO_ROOT, make_test_app, require_or_skip

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"


@pytest.fixture
def live_server(demo_sqlite_url: str) -> Iterator[str]:
    """A running Accord seeded with the demo community; yields its base URL."""
    yield from serve(make_test_app(demo_sqlite_url))


def serve(app: Flask) -> Iterator[str]:
    """Serve `app` in a thread on a free port until the test ends; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    get_engine(app).dispose()


ADMIN_ONLY_EMAIL = "admin@setup.example"


@pytest.fixture
def live_empty_server(sqlite_url: str) -> Iterator[str]:
    """A running Accord whose only account is an administrator (password DEMO_PASSWORD):
    the instance as an organisation finds it on the first day."""
    app = make_test_app(sqlite_url)
    with Session(get_engine(app), expire_on_commit=False) as session:
        services.create_account(
            session,
            services.system_actor(session),
            email=ADMIN_ONLY_EMAIL,
            display_name="Instance Admin",
            password=DEMO_PASSWORD,
            is_admin=True,
        )
    yield from serve(app)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium driven by Playwright (skips locally, fails in CI, if it cannot start)."""
    try:
        from playwright import sync_api
    except ImportError:  # a missing Playwright fails in CI instead of skipping there
        require_or_skip(False, "Playwright is not installed (make test installs it)")
    require_or_skip(Path(CHROMIUM).exists(), f"{CHROMIUM} is not installed")
    manager = sync_api.sync_playwright().start()
    try:
        browser = manager.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as error:
        manager.stop()
        require_or_skip(False, f"Chromium did not start: {error}")
    yield browser
    browser.close()
    manager.stop()


@pytest.fixture
def page(browser):
    """A page with JavaScript on (htmx active)."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def page_nojs(browser):
    """A page with JavaScript off: every action must work as plain forms."""
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def sign_in(page, base_url: str, email: str) -> None:
    """Sign in through the real sign-in page as a demo account."""
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url, f"could not sign in as {email}"


@pytest.fixture
def screenshot() -> Callable[[object, str], Path]:
    """Save a full-page screenshot as a test artifact (test-artifacts/screenshots/NAME.png)."""

    def save(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
