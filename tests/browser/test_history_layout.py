"""The history reads compactly on a phone, and a filter swaps only the list under htmx.

A full page of events (PER_PAGE) must fit in a few screens at 390 px wide (template whitespace once
turned into blank lines there), with the hashes one click away behind "Technical details".
"""

from __future__ import annotations

import re

import pytest

from agreements.audit.events import PER_PAGE
from agreements.demo import ADMIN

from .conftest import sign_in

pytestmark = pytest.mark.browser

HISTORY = "/c/climate-litigators/history"
PHONE = {"width": 390, "height": 844}
TALLEST_AVERAGE_EVENT_PX = 140  # a sentence of two or three lines, a short quote, one line of links


def test_a_full_page_of_events_is_compact_on_a_phone_and_filters_in_place(
    page, live_server
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, ADMIN[0])
    page.goto(f"{live_server}{HISTORY}")
    events = page.locator(".event")
    assert events.count() == PER_PAGE  # the demo's community has more events than a page
    heights = [events.nth(n).bounding_box()["height"] for n in range(PER_PAGE)]
    assert sum(heights) / PER_PAGE < TALLEST_AVERAGE_EVENT_PX, heights
    first = events.first
    assert not re.search(r"[0-9a-f]{64}", first.inner_text())  # hashes hidden until asked
    first.get_by_text("Technical details").click()
    assert re.search(r"[0-9a-f]{64}", first.inner_text())

    page.get_by_label("What happened").select_option(label="Stances given")
    with page.expect_response(lambda response: "action=stance.registered" in response.url):
        page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"action=stance\.registered"))  # a filtered view is a link
    assert page.locator("#history-events").count() == 1
    sentences = page.locator(".event-sentence").all_inner_texts()
    assert sentences and all(
        re.search(r"consented|stood aside|objected", sentence) for sentence in sentences
    )
