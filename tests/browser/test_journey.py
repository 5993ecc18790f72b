"""A whole decision in a real browser, with JavaScript (htmx) and again without it.

A member proposes an amendment to the demo agreement, others comment and object, the
proposer revises integrating the objection, the objector confirms it resolved, everyone
consents, the facilitator adopts, and the new version shows in the history with its diff.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agreements.demo import PEOPLE

from .conftest import sign_in

pytestmark = pytest.mark.browser

FACILITATOR, PROPOSER, OBJECTOR = PEOPLE[0][0], PEOPLE[1][0], PEOPLE[2][0]
AGREEMENT = "/c/climate-litigators/a/community-agreement"
FIRST_TEXT = "## Buddies\nEvery new member gets a buddy."
REVISED_TEXT = "## Buddies\nEvery new member is offered a buddy for their first three months."


class Journey:
    """One browser context per person, all with JavaScript on or all with it off."""

    def __init__(self, browser, base_url: str, *, javascript: bool, screenshot) -> None:
        self.browser, self.base_url, self.javascript = browser, base_url, javascript
        self.screenshot = screenshot
        self.pages: dict[str, object] = {}
        self.proposal_url = ""

    def as_(self, email: str):
        """The signed-in page of this person (signing in on first use)."""
        if email not in self.pages:
            context = self.browser.new_context(java_script_enabled=self.javascript)
            page = context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())  # data-confirm dialogs
            sign_in(page, self.base_url, email)
            self.pages[email] = page
        return self.pages[email]

    def open_proposal(self, email: str):
        """The person's page, on the proposal."""
        page = self.as_(email)
        page.goto(self.proposal_url)
        return page

    def control(
        self, page, summary: str, button: str, fields: dict[str, str] | None = None
    ) -> None:
        """Open a folded control (the next step is already open), fill it, press its button."""
        folded = page.locator("summary", has_text=summary)
        if folded.count():
            folded.first.click()
        for selector, value in (fields or {}).items():
            page.locator(selector).fill(value)
        form = page.locator("form", has=page.get_by_role("button", name=button, exact=True))
        confirm = form.locator("input[name=confirm]")
        if not self.javascript and confirm.count():
            confirm.check()  # without JavaScript the checkbox is the confirmation
        page.get_by_role("button", name=button, exact=True).click()

    def expect_notice(self, page, text: str) -> None:
        """The outcome of the last action is shown (flash after redirect, or htmx notice)."""
        expect(page.locator(".flash-success").first).to_contain_text(text)

    def snapshot(self, page, what: str) -> None:
        """A screenshot of this step, taken once: pages look the same without JavaScript."""
        if self.javascript:
            self.screenshot(page, what)

    def close(self) -> None:
        """Close every person's browser context."""
        for page in self.pages.values():
            page.context.close()


def propose(journey: Journey) -> None:
    """Inès proposes an amendment, checking the preview shows the change first."""
    page = journey.as_(PROPOSER)
    page.goto(journey.base_url + AGREEMENT)
    journey.snapshot(page, "agreement")
    page.get_by_role("link", name="Propose an amendment").click()
    page.get_by_label("Title").fill("Offer every new member a buddy")
    page.get_by_label("Why this change?").fill("New members feel lost at first.")
    editor = page.locator("#text")
    editor.fill(editor.input_value() + "\n" + FIRST_TEXT + "\n")
    if journey.javascript:
        editor.press("End")  # typing fires the debounced live preview
    else:
        page.get_by_role("button", name="Preview the changes").click()
    expect(page.locator("#preview .diff-inline ins.diff-ins").last).to_contain_text("buddy")
    journey.snapshot(page, "propose")
    page.get_by_role("button", name="Submit the proposal").click()
    expect(
        page.get_by_role("heading", level=1, name="Offer every new member a buddy")
    ).to_be_visible()
    journey.proposal_url = page.url


def discuss_and_object(journey: Journey) -> None:
    """Comments open, Jonas comments, the objection round opens, Jonas objects."""
    page = journey.open_proposal(FACILITATOR)
    journey.control(page, "Open comments", "Open comments")
    journey.expect_notice(page, "Comments are open.")
    page = journey.open_proposal(OBJECTOR)
    page.locator("summary", has_text="Write a comment").click()
    page.locator("#comment-body-new").fill("Who finds the buddies?")
    page.get_by_role("button", name="Post the comment").click()
    journey.expect_notice(page, "Your comment is posted.")
    page = journey.open_proposal(FACILITATOR)
    journey.control(page, "Open the objection round", "Open the objection round")
    journey.expect_notice(page, "The objection round is open.")
    page = journey.open_proposal(OBJECTOR)
    journey.control(
        page,
        "Raise an objection",
        "Raise the objection",
        {"#objection-reason": "'Gets a buddy' promises what we cannot always deliver."},
    )
    journey.expect_notice(page, "Your objection is raised.")


def integrate(journey: Journey) -> None:
    """Inès revises citing the objection; Jonas confirms it is resolved."""
    page = journey.open_proposal(PROPOSER)
    page.locator("summary", has_text="Revise the text").click()
    editor = page.locator("#revise-text")
    editor.fill(editor.input_value().replace(FIRST_TEXT, REVISED_TEXT))
    page.locator("#revise-note").fill("Offered, not promised.")
    page.locator("input[name=integrates]").first.check()
    page.get_by_role("button", name="Post the new revision").click()
    journey.expect_notice(page, "Your new revision is posted.")
    page = journey.open_proposal(OBJECTOR)
    expect(page.locator("article.objection .badge")).to_have_text("Being integrated")
    journey.control(page, "Confirm it is resolved", "Confirm it is resolved")
    journey.expect_notice(page, "You confirmed the objection is resolved.")
    journey.snapshot(page, "proposal-objection")


def consent_and_adopt(journey: Journey) -> None:
    """The consent round opens, everyone consents, the facilitator adopts."""
    page = journey.open_proposal(FACILITATOR)
    journey.control(page, "Open the consent round", "Open the consent round")
    journey.expect_notice(page, "The consent round is open.")
    for email, _name, _role, _org in PEOPLE:
        page = journey.open_proposal(email)
        page.locator("#position-consent").check()
        page.get_by_role("button", name="Record my stance").click()
        journey.expect_notice(page, "Your stance is recorded.")
    page = journey.open_proposal(FACILITATOR)
    expect(page.locator(".count-consent .count-number")).to_have_text(str(len(PEOPLE)))
    journey.snapshot(page, "proposal-consent")
    journey.control(
        page,
        "Adopt this proposal as version 4",
        "Adopt this proposal as version 4",
        {"#outcome_statement": "Adopted by consent of all after one objection was integrated."},
    )
    journey.expect_notice(page, "Adopted")
    expect(page.locator(".status-panel .badge")).to_have_text("Adopted")
    expect(page.locator("#my-stance")).to_have_count(0)  # nothing left to answer


def check_history(journey: Journey) -> None:
    """Version 4 is in the history, and its diff shows the integrated wording."""
    page = journey.as_(FACILITATOR)
    page.goto(journey.base_url + AGREEMENT)
    history = page.locator("ol.history")
    expect(history).to_contain_text("Version 4")
    expect(history).to_contain_text("Offer every new member a buddy")
    expect(page.locator(".agreement-text")).to_contain_text(
        "offered a buddy for their first three months"
    )
    history.locator("li").first.get_by_role("link", name="what changed").click()
    expect(page).to_have_url(re.compile(r"compare\?from=3&to=4"))
    expect(page.locator(".diff-inline ins.diff-ins").last).to_contain_text("three months")
    journey.snapshot(page, "compare")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_whole_decision(browser, live_server, screenshot, javascript):
    """Propose, discuss, object, integrate, consent, adopt, and find it in the history."""
    journey = Journey(browser, live_server, javascript=javascript, screenshot=screenshot)
    try:
        propose(journey)
        discuss_and_object(journey)
        integrate(journey)
        consent_and_adopt(journey)
        check_history(journey)
    finally:
        journey.close()


def test_a_member_on_a_phone_finds_the_stance_form_without_scrolling(
    browser, live_server, screenshot
):
    """On a 390 x 844 screen, the stance form of an open consent round starts within the
    first screenful, with the member's current stance already selected."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        sign_in(page, live_server, PEOPLE[4][0])  # Piotr stood aside in the demo's consent round
        page.goto(live_server + "/c/climate-litigators")
        links = page.locator("main a[href^='/p/']")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        for href in hrefs:
            page.goto(live_server + href)
            if page.locator("#my-stance").count():
                break
        form = page.locator("#my-stance")
        expect(form).to_be_visible()
        assert page.evaluate("window.scrollY") == 0
        top = form.bounding_box()["y"]
        assert top < 844, f"the stance form starts at {top}px, below the first screen"
        expect(page.locator("#position-stand_aside")).to_be_checked()
        screenshot(page, "proposal-consent-phone")
    finally:
        context.close()
