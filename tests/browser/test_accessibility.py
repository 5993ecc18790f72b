"""axe-core on every main page: no serious or critical accessibility violation.

axe is vendored from the npm registry (tests/browser/vendor/axe.min.js, MPL-2.0) and
injected by the test. The page's Content-Security-Policy (script-src 'self') rightly
blocks injected scripts, so only this audit's browser context bypasses CSP.

A second pass audits the same pages as a browser without JavaScript builds them (see
`html_without_javascript`), where the "Yes, ..." confirmation boxes show and htmx does
nothing.

The same walk checks that no page scrolls sideways on a small phone and saves a
full-page screenshot of every page at a desktop and a phone width
(test-artifacts/screenshots/page-NAME-1280.png and -390.png), so a reviewer sees every
page as people will without starting the app.
"""

from __future__ import annotations

import pytest

from agreements.demo import ADMIN, PEOPLE

from .conftest import AXE_SCRIPT, sign_in

pytestmark = pytest.mark.browser

AGREEMENT = "/c/climate-litigators/a/community-agreement"
MAIN_PAGES = {
    "home": "/",
    "community": "/c/climate-litigators",
    "members": "/c/climate-litigators/members",
    "settings": "/c/climate-litigators/settings",
    "new-agreement": "/c/climate-litigators/agreements/new",
    "agreement": AGREEMENT,
    "version": f"{AGREEMENT}/v/1",
    "compare-side": f"{AGREEMENT}/compare?from=2&to=3&view=side",
    "propose": f"{AGREEMENT}/propose",
    "proposal-comment": "/p/2",
    "proposal-objection": "/p/3",
    "proposal-consent": "/p/4",
    "decided-proposal": "/p/1",
    "history": "/c/climate-litigators/history",
    "decision-record": f"{AGREEMENT}/v/3/record",
    "not-found": "/p/999",
    "needs-you": "/needs-you",
    "compare": f"{AGREEMENT}/compare?from=2&to=3",
    "search": "/search?q=buddy",
    "notifications": "/notifications",
    "notification-settings": "/c/climate-litigators/notifications",
    "account": "/account",
}
SCREENSHOT_WIDTHS = (1280, 390)
NARROWEST_PHONE = 360


def overflow_on_a_phone(page) -> int:
    """How many pixels the page scrolls sideways at NARROWEST_PHONE wide (0 when it fits)."""
    page.set_viewport_size({"width": NARROWEST_PHONE, "height": 740})
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def capture(page, screenshot, name: str) -> None:
    """Full-page screenshots of the current page at each of SCREENSHOT_WIDTHS."""
    for width in SCREENSHOT_WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        screenshot(page, f"{name}-{width}")


def serious_violations(page) -> list[str]:
    """Run axe on the page; describe each serious or critical violation."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    # Only violations are read, so axe skips detailing every passing check.
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_every_main_page_passes_axe(browser, live_server, screenshot):
    """Signed in as the facilitator (who sees the most controls), with details opened;
    then signed out. Each page also fits a 360px phone (tables scroll in their own box)."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, PEOPLE[0][0])
    problems: dict[str, list[str]] = {}

    def check(name: str, path: str) -> None:
        page.set_viewport_size({"width": SCREENSHOT_WIDTHS[0], "height": 800})
        response = page.goto(live_server + path)
        if name != "not-found" and not response.ok:
            problems[name] = [f"{path} answered {response.status}"]
            return
        page.eval_on_selector_all("details", "nodes => nodes.forEach(n => n.open = true)")
        found = serious_violations(page)
        if (overflow := overflow_on_a_phone(page)) > 0:
            found.append(f"scrolls sideways by {overflow}px at {NARROWEST_PHONE}px")
        if found:
            problems[name] = found
        capture(page, screenshot, f"page-{name}")

    try:
        for name, path in MAIN_PAGES.items():
            check(name, path)
        context.clear_cookies()
        check("sign-in", "/sign-in")
        check("home-signed-out", "/")
    finally:
        context.close()
    assert not problems, problems


def html_without_javascript(page) -> str:
    """The current page's document as a browser with JavaScript off built it, made ready to
    be audited in another page.

    axe cannot run in a context with JavaScript off: the script tag it is added with does
    not execute there, and neither timers nor promise callbacks run, while axe.run is
    asynchronous. Playwright's synchronous evaluate still works, so the document is taken
    from there: <noscript> content (parsed as elements when scripting is off) is unwrapped
    so it stays visible once scripting is on, every <script> is dropped so nothing
    (htmx, accord.js) runs on it, and <details> are opened as in the pass with JavaScript.
    """
    return page.evaluate(
        """() => {
            document.querySelectorAll('noscript').forEach(n => n.replaceWith(...n.childNodes));
            document.querySelectorAll('script').forEach(s => s.remove());
            document.querySelectorAll('details').forEach(d => { d.open = true; });
            return '<!DOCTYPE html>' + document.documentElement.outerHTML;
        }"""
    )


def test_every_main_page_passes_axe_without_javascript(browser, live_server):
    """The main pages, signed in as the facilitator, as served to a browser with JavaScript
    off: one pass, audited in a scripting page that runs nothing but axe. The auditor gets
    that document at the page's own address (so the stylesheet loads as usual)."""
    without_js = browser.new_context(java_script_enabled=False)
    auditor = browser.new_context(bypass_csp=True)
    document = {"html": ""}

    def answer(route) -> None:
        if route.request.resource_type == "document":
            route.fulfill(body=document["html"], content_type="text/html; charset=utf-8")
        else:
            route.continue_()

    auditor.route("**/*", answer)
    try:
        page, audit = without_js.new_page(), auditor.new_page()
        sign_in(page, live_server, PEOPLE[0][0])
        problems: dict[str, list[str]] = {}
        for name, path in MAIN_PAGES.items():
            response = page.goto(live_server + path)
            if name != "not-found" and not response.ok:
                problems[name] = [f"{path} answered {response.status}"]
                continue
            document["html"] = html_without_javascript(page)
            audit.goto(page.url)
            assert audit.title() == page.title()  # the auditor has this very document
            if found := serious_violations(audit):
                problems[name] = found
    finally:
        without_js.close()
        auditor.close()
    assert not problems, problems


ADMIN_PAGES = {"admin": "/admin", "admin-mail": "/admin/mail"}


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_pass_axe(browser, live_server, screenshot, name):
    """The instance administrator's pages, signed in as the demo's administrator."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, ADMIN[0])
    try:
        assert page.goto(live_server + ADMIN_PAGES[name]).ok
        assert not serious_violations(page)
        assert overflow_on_a_phone(page) <= 0
        capture(page, screenshot, f"page-{name}")
    finally:
        context.close()
