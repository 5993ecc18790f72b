"""Setting Accord up from nothing, in a real browser, each role on its own pages.

On an instance whose only account is an administrator: the administrator creates a
community with a new facilitator; the facilitator signs in, imports the agreement from a
Markdown file, switches the protocol to lazy consensus on the settings page and invites a
member from the members page; the invitation link (logged, as no mail server is set up)
lets the member create an account and join.
"""

from __future__ import annotations

import logging
import re

import pytest
from playwright.sync_api import expect

from agreements.demo import DEMO_PASSWORD as PASSWORD  # the password sign_in types
from tests.factories import AGREEMENT_TEXT

from .conftest import ADMIN_ONLY_EMAIL, sign_in

pytestmark = pytest.mark.browser

FACILITATOR = "amara@setup.example"
MEMBER = "noor@setup.example"
INVITATION_LINK = re.compile(r"https?://\S+/invitations/\S+")


def test_an_empty_instance_is_set_up_in_the_browser(
    browser, live_empty_server, tmp_path, caplog, screenshot
):
    """Admin → facilitator → member, every step through the pages (JavaScript on)."""
    base = live_empty_server
    caplog.set_level(logging.WARNING)
    contexts = []

    def person(email: str | None = None):
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
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
        facilitator.get_by_role("link", name="Settings").click()
        facilitator.get_by_label("Lazy consensus").check()
        facilitator.get_by_role("button", name="Save the settings").click()
        expect(facilitator.locator(".flash-success")).to_contain_text("The settings are saved")
        facilitator.reload()
        expect(facilitator.get_by_label("Lazy consensus")).to_be_checked()
        screenshot(facilitator, "setup-settings")

        facilitator.goto(f"{base}/c/peer-support")
        facilitator.get_by_role("link", name="Members and invitations").click()
        facilitator.get_by_label("Their email address").fill(MEMBER)
        facilitator.get_by_role("button", name="Send the invitation").click()
        expect(facilitator.locator(".flash-success")).to_contain_text(
            f"Invitation sent to {MEMBER}"
        )
        screenshot(facilitator, "setup-members")

        links = [
            m.group(0) for r in caplog.records for m in INVITATION_LINK.finditer(r.getMessage())
        ]
        assert links, "the invitation was not logged"
        member = person()
        member.goto(links[-1])
        member.get_by_label("Your name").fill("Noor")
        member.get_by_label("Password").fill(PASSWORD)
        member.get_by_role("button", name="Join Peer Support Cohort").click()
        expect(member.get_by_role("heading", name="Peer Support Cohort", level=1)).to_be_visible()
        expect(member.get_by_role("link", name="Noor")).to_be_visible()  # signed in as Noor
        expect(member.get_by_role("link", name="Cohort Agreement")).to_be_visible()
        expect(member.get_by_role("link", name="Settings")).to_have_count(0)
        expect(member.get_by_role("link", name="Members and invitations")).to_have_count(0)
    finally:
        for context in contexts:
            context.close()
