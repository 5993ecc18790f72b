"""Setting Accord up from nothing, in a real browser, each role on its own pages.

On an instance whose only account is an administrator: the administrator creates a
community with a new facilitator; the facilitator signs in, imports the agreement from a
Markdown file and invites a member from the members page; the invitation link (sent by the
outbox's worker and, as no mail server is set up, kept on the administrator's mail page)
lets the member create an account and join. On a phone, the member proposes an amendment.
The facilitator then switches the community to lazy consensus on the settings page, which
leaves that proposal on the consent protocol it started with, and runs the decision:
comments, objection round, consent round. The member finds the stance form within the first
screenful at 390 px and consents; the facilitator adopts with an outcome statement, and the
agreement shows version 2.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agreements.delivery import worker
from agreements.demo import DEMO_PASSWORD as PASSWORD  # the password sign_in types
from tests.conftest import make_test_app
from tests.factories import AGREEMENT_TEXT

from .conftest import ADMIN_ONLY_EMAIL, sign_in

pytestmark = pytest.mark.browser

FACILITATOR = "amara@setup.example"
MEMBER = "noor@setup.example"
INVITATION_LINK = re.compile(r"https?://\S+/invitations/\S+")
PHONE = {"width": 390, "height": 844}
NEW_PARAGRAPH = "We answer every message within a week."


def test_an_empty_instance_is_set_up_in_the_browser(
    browser, live_empty_server, sqlite_url, tmp_path, screenshot
):
    """Admin → facilitator → member, every step through the pages (JavaScript on)."""
    base = live_empty_server
    contexts = []

    def person(email: str | None = None, viewport: dict[str, int] | None = None):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # data-confirm dialogs
        if email:
            sign_in(page, base, email)
        return page

    try:
        admin = person(ADMIN_ONLY_EMAIL)
        admin.get_by_role("link", name="Administration").click()
        expect(admin.get_by_text("Verified", exact=True)).to_be_visible()
        admin.get_by_label("Name", exact=True).fill("Peer Support Cohort")
        admin.get_by_label("Short address").fill("peer-support")
        admin.get_by_label("A new account, created now").check()
        admin.get_by_label("Their email address").fill(FACILITATOR)
        admin.get_by_label("Their name (for a new account)").fill("Amara")
        admin.get_by_label("A first password", exact=False).first.fill(PASSWORD)
        admin.get_by_role("button", name="Create the community").click()
        expect(admin.locator(".flash-success")).to_contain_text("Peer Support Cohort is created")
        screenshot(admin, "setup-admin")

        facilitator = person(FACILITATOR)
        facilitator.get_by_role("link", name="Peer Support Cohort").click()
        facilitator.get_by_role("link", name="Add an agreement").first.click()
        agreement_file = tmp_path / "charter.md"
        agreement_file.write_text(AGREEMENT_TEXT, encoding="utf-8")
        facilitator.locator("#import-title-field").fill("Cohort Agreement")
        facilitator.get_by_label("Markdown file (or files, oldest first)").set_input_files(
            str(agreement_file)
        )
        facilitator.get_by_role("button", name="Import the agreement").click()
        expect(facilitator.get_by_role("heading", name="Cohort Agreement")).to_be_visible()
        expect(facilitator.get_by_text("We share what we learn.")).to_be_visible()

        facilitator.goto(f"{base}/c/peer-support")
        facilitator.get_by_role("link", name="Members and invitations").click()
        facilitator.get_by_label("Their email address").fill(MEMBER)
        facilitator.get_by_role("button", name="Send the invitation").click()
        expect(facilitator.locator(".flash-success")).to_contain_text(
            f"Invitation sent to {MEMBER}"
        )
        screenshot(facilitator, "setup-members")

        with make_test_app(sqlite_url, PUBLIC_URL=base).app_context():
            worker.run_pass()  # the outbox's worker sends the invitation (here: keeps it)
        admin.goto(f"{base}/admin/mail")  # without a mail server, mails wait here
        links = INVITATION_LINK.findall(admin.locator("main").inner_text())
        assert links, "the invitation is not on the administrator's mail page"
        member = person(viewport=PHONE)
        member.goto(links[-1])
        member.get_by_label("Your name").fill("Noor")
        member.get_by_label("Password").fill(PASSWORD)
        member.get_by_role("button", name="Join Peer Support Cohort").click()
        expect(member.get_by_role("heading", name="Peer Support Cohort", level=1)).to_be_visible()
        expect(member.get_by_role("link", name="Noor")).to_be_visible()  # signed in as Noor
        expect(member.get_by_role("link", name="Cohort Agreement")).to_be_visible()
        expect(member.get_by_role("link", name="Settings")).to_have_count(0)
        expect(member.get_by_role("link", name="Members and invitations")).to_have_count(0)

        member.get_by_role("link", name="Cohort Agreement").click()
        member.get_by_role("link", name="Propose an amendment").click()
        member.get_by_label("Title").fill("Answer within a week")
        member.get_by_label("Why this change?").fill("People wait too long for an answer.")
        editor = member.locator("#text")
        editor.fill(f"{editor.input_value()}\n{NEW_PARAGRAPH}\n")
        member.get_by_role("button", name="Submit the proposal").click()
        expect(member.get_by_role("heading", level=1, name="Answer within a week")).to_be_visible()
        proposal_url = member.url

        facilitator.goto(f"{base}/c/peer-support")
        facilitator.get_by_role("link", name="Settings").click()
        facilitator.get_by_label("Lazy consensus").check()
        facilitator.get_by_role("button", name="Save the settings").click()
        expect(facilitator.locator(".flash-success")).to_contain_text("The settings are saved")
        facilitator.reload()
        expect(facilitator.get_by_label("Lazy consensus")).to_be_checked()
        screenshot(facilitator, "setup-settings")

        facilitator.goto(proposal_url)  # still decided by consent, as it started
        for step, notice in (
            ("Open comments", "Comments are open."),
            ("Open the objection round", "The objection round is open."),
            ("Open the consent round", "The consent round is open."),
        ):
            facilitator.get_by_role("button", name=step, exact=True).click()
            expect(facilitator.locator(".flash-success")).to_contain_text(notice)

        member.goto(proposal_url)
        stance_form = member.locator("#my-stance")
        expect(stance_form).to_be_visible()
        top = stance_form.bounding_box()["y"]
        assert top < PHONE["height"], f"the stance form starts at {top}px, below the first screen"
        member.locator("#position-consent").check()
        member.get_by_role("button", name="Record my stance").click()
        expect(member.locator(".flash-success")).to_contain_text("Your stance is recorded.")

        facilitator.reload()
        facilitator.locator("#outcome_statement").fill("Adopted with the consent of the cohort.")
        facilitator.get_by_role("button", name="Adopt this proposal as version 2").click()
        expect(facilitator.locator(".status-panel .badge")).to_have_text("Adopted")
        facilitator.get_by_role("link", name="See the adopted version").click()
        expect(facilitator.locator("ol.history")).to_contain_text("Version 2")
        expect(facilitator.locator(".agreement-text")).to_contain_text(NEW_PARAGRAPH)
    finally:
        for context in contexts:
            context.close()
