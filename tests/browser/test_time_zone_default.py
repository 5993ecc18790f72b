"""The time zone setting starts from the browser's own zone, when JavaScript can tell it.

A person who never chose a zone has UTC; on the account page static/accord.js puts the
browser's zone (Intl.DateTimeFormat().resolvedOptions().timeZone) in the field, so saving
the form keeps it. A zone already chosen is left alone, and without JavaScript UTC stays.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlmodel import Session, select

from agreements import services
from agreements.demo import PEOPLE
from agreements.models import User
from agreements.storage.sessions import get_engine
from tests.conftest import make_test_app

from .conftest import serve, sign_in

pytestmark = pytest.mark.browser

NEWCOMER, SETTLED = PEOPLE[1][0], PEOPLE[2][0]  # UTC as the demo made them; one chooses Lisbon
BROWSER_ZONE = "Asia/Tokyo"


@pytest.fixture
def accord(demo_sqlite_url: str) -> Iterator[tuple[str, Flask]]:
    """The demo, where one person has already chosen Europe/Lisbon; yields (base URL, app)."""
    app = make_test_app(demo_sqlite_url)
    with Session(get_engine(app)) as db:
        settled = db.exec(select(User).where(User.email == SETTLED)).one()
        services.set_preferences(db, settled, language=None, time_zone="Europe/Lisbon")
        db.commit()
    for base_url in serve(app):
        yield base_url, app


def saved_zone(app, email: str) -> str:
    """The zone the database holds for `email` (what every page will use)."""
    with Session(get_engine(app)) as db:
        return db.exec(select(User.time_zone).where(User.email == email)).one()


def zone_field(browser, base_url: str, email: str, **context_options):
    """The account page's time zone field for `email`, in a browser set up as asked."""
    context = browser.new_context(timezone_id=BROWSER_ZONE, **context_options)
    page = context.new_page()
    sign_in(page, base_url, email)
    page.goto(f"{base_url}/account")
    return context, page, page.get_by_label("Time zone of dates and times")


def test_the_browsers_zone_is_offered_and_kept_when_saved(browser, accord) -> None:
    base_url, app = accord
    context, page, field = zone_field(browser, base_url, NEWCOMER)
    try:
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == BROWSER_ZONE
        assert field.input_value() == BROWSER_ZONE
        assert saved_zone(app, NEWCOMER) == "UTC"  # only a suggestion until saved
        page.get_by_role("button", name="Save language and time zone").click()
        page.wait_for_load_state()
        assert saved_zone(app, NEWCOMER) == BROWSER_ZONE
        assert page.get_by_label("Time zone of dates and times").input_value() == BROWSER_ZONE
    finally:
        context.close()


def test_a_chosen_zone_is_left_as_it_is(browser, accord) -> None:
    base_url, _ = accord
    context, _, field = zone_field(browser, base_url, SETTLED)
    try:
        assert field.input_value() == "Europe/Lisbon"
    finally:
        context.close()


def test_without_javascript_utc_stays(browser, accord) -> None:
    base_url, app = accord
    context, page, field = zone_field(browser, base_url, NEWCOMER, java_script_enabled=False)
    try:
        assert field.input_value() == "UTC"
        page.get_by_role("button", name="Save language and time zone").click()
        page.wait_for_load_state()
        assert saved_zone(app, NEWCOMER) == "UTC"
    finally:
        context.close()
