"""The header's unread count follows what other people do, without reloading the page.

The facilitator keeps the community page open; a member raises an objection in another
browser; when the facilitator's window regains focus, htmx fetches the count again and it
has grown by one (the facilitator is told of every objection).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agreements.demo import PEOPLE

from .conftest import sign_in

pytestmark = pytest.mark.browser

FACILITATOR, MEMBER = PEOPLE[0][0], PEOPLE[4][0]
OBJECTION_ROUND = "/p/3"  # the demo proposal whose objection round is open


def unread(page) -> int:
    """The number the header shows (no badge at all means none)."""
    badge = page.locator("#unread-count")
    return int(badge.inner_text().split()[0]) if badge.count() else 0


def test_the_unread_count_grows_when_someone_else_acts(browser, live_server) -> None:
    facilitator = browser.new_context().new_page()
    member = browser.new_context().new_page()
    try:
        sign_in(facilitator, live_server, FACILITATOR)
        facilitator.goto(live_server + "/c/climate-litigators")
        before = unread(facilitator)
        facilitator.evaluate("window.sameDocument = true")  # a reload would forget it

        sign_in(member, live_server, MEMBER)
        member.goto(live_server + OBJECTION_ROUND)
        folded = member.locator("summary", has_text="Raise an objection")
        if folded.count():
            folded.first.click()
        member.locator("#objection-reason").fill("It asks more of small organisations.")
        member.get_by_role("button", name="Raise the objection", exact=True).click()
        expect(member.locator(".flash-success").first).to_contain_text("objection")

        facilitator.evaluate("window.dispatchEvent(new Event('focus'))")
        expect(facilitator.locator("#unread-count")).to_contain_text(str(before + 1))
        assert facilitator.evaluate("window.sameDocument === true"), "the page was reloaded"
    finally:
        facilitator.context.close()
        member.context.close()
