"""Searching in Chromium: from the header box to marked results, then a second search
swapped in by htmx; the page passes axe and fits a phone."""

from __future__ import annotations

import pytest

from agreements.demo import PEOPLE

from .conftest import sign_in
from .test_accessibility import capture, overflow_on_a_phone, serious_violations

pytestmark = pytest.mark.browser


def test_search_from_the_header_then_again_on_the_page(browser, live_server, screenshot):
    context = browser.new_context(bypass_csp=True)  # axe is injected (see test_accessibility)
    page = context.new_page()
    try:
        sign_in(page, live_server, PEOPLE[0][0])
        assert overflow_on_a_phone(page) == 0  # the header, with its search box, fits
        capture(page, screenshot, "header-search-box")
        page.set_viewport_size({"width": 1280, "height": 800})
        page.get_by_role("searchbox", name="Search agreements, proposals and comments").fill(
            "consent"
        )
        page.get_by_role("search").get_by_role("button", name="Search").click()
        page.wait_for_url("**/search?q=consent")
        assert page.locator(".search-hit").count() > 0
        assert page.locator(".search-snippet mark").first.inner_text().lower() == "consent"
        assert serious_violations(page) == []
        assert overflow_on_a_phone(page) == 0
        capture(page, screenshot, "page-search")

        page.set_viewport_size({"width": 1280, "height": 800})
        box = page.get_by_label("Words to look for in agreements, their history, proposals")
        box.fill('"objection*')
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/search?q=*objection*")
        page.locator(".search-snippet mark").first.wait_for()
        assert page.locator("h1").inner_text() == "Search"  # swapped, not reloaded elsewhere
    finally:
        context.close()
