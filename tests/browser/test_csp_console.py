"""No Content-Security-Policy violation on the main pages, nor after any htmx swap.

The CSP has no 'unsafe-inline': an inline style attribute in a swapped partial, a style
that a script sets, or an inline handler is refused by the browser and logged, and the
page then looks or works differently from what was tested. This walk loads the main pages
with JavaScript on, performs the swaps people do most (changing a diff's layout, showing
provenance, posting a comment) and fails on any violation the
browser reports, naming the page and the directive.
"""

from __future__ import annotations

import pytest

from .conftest import sign_in

pytestmark = pytest.mark.browser

AGREEMENT = "/c/climate-litigators/a/community-agreement"
PAGES = (
    "/",
    "/c/climate-litigators",
    AGREEMENT,
    f"{AGREEMENT}/compare?from=1&to=3&view=side",
    "/p/3",
    "/p/4",
    "/c/climate-litigators/history",
)
# Registered before any page script runs, by the browser itself (not an inline script).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content-Security-Policy violation: ${event.violatedDirective}`
    + ` (${event.blockedURI || "inline"}) at ${event.sourceFile}:${event.lineNumber}`);
});
"""


def is_csp_report(text: str) -> bool:
    return "Content Security Policy" in text or "Content-Security-Policy" in text


def test_pages_and_swaps_cause_no_csp_violation(page, live_server):
    problems: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            is_csp_report(message.text) and problems.append(f"{page.url}: {message.text}")
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))

    page.goto(f"{live_server}/")  # the signed-out home
    sign_in(page, live_server, "lucia@demo.accord")
    for path in PAGES:
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("networkidle")

    page.goto(f"{live_server}/p/2")
    diff = page.locator("#proposal-diff")
    for layout in ("Side by side", "Word by word", "Markdown source", "As it reads"):
        with page.expect_response(lambda response: "/diff" in response.url):
            diff.get_by_role("link", name=layout).click()
        page.wait_for_load_state("networkidle")
    page.locator("summary", has_text="Write a comment").click()
    page.locator("#comment-body-new").fill("Could the buddy also help with the first hearing?")
    page.get_by_role("button", name="Post the comment").click()
    page.get_by_text("Could the buddy also help with the first hearing?").first.wait_for()
    page.wait_for_load_state("networkidle")

    page.goto(f"{live_server}{AGREEMENT}")
    page.locator("#provenance-toggle").click()
    page.wait_for_load_state("networkidle")

    assert problems == [], "\n".join(problems)
