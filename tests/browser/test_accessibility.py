"""axe-core on every main page: no serious or critical accessibility violation.

axe is vendored from the npm registry (tests/browser/vendor/axe.min.js, MPL-2.0) and
injected by the test. The page's Content-Security-Policy (script-src 'self') rightly
blocks injected scripts, so only this audit's browser context bypasses CSP.
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
    "not-found": "/p/999",
}


def serious_violations(page) -> list[str]:
    """Run axe on the page; describe each serious or critical violation."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_every_main_page_passes_axe(browser, live_server, screenshot):
    """Signed in as the facilitator (who sees the most controls), with details opened."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, PEOPLE[0][0])
    problems: dict[str, list[str]] = {}
    try:
        for name, path in MAIN_PAGES.items():
            page.goto(live_server + path)
            page.eval_on_selector_all("details", "nodes => nodes.forEach(n => n.open = true)")
            screenshot(page, f"page-{name}")
            found = serious_violations(page)
            if found:
                problems[name] = found
        page.goto(live_server + "/sign-in")
        context.clear_cookies()
        page.goto(live_server + "/sign-in")
        screenshot(page, "page-sign-in")
        if found := serious_violations(page):
            problems["sign-in"] = found
    finally:
        context.close()
    assert not problems, problems


def test_pages_fit_a_phone_screen(browser, live_server, screenshot):
    """At 360px wide nothing scrolls sideways (tables scroll inside their own box)."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in(page, live_server, PEOPLE[0][0])
    try:
        for name in ("agreement", "proposal-consent", "members", "settings"):
            page.goto(live_server + MAIN_PAGES[name])
            screenshot(page, f"phone-{name}")
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 360px"
    finally:
        context.close()


def test_admin_page_passes_axe(browser, live_server, screenshot):
    """The instance administrator's page, signed in as the demo's administrator."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, ADMIN[0])
    try:
        page.goto(live_server + "/admin")
        screenshot(page, "page-admin")
        assert not serious_violations(page)
    finally:
        context.close()
