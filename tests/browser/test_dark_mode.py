"""Dark mode: people whose system asks for a dark colour scheme get one, and it stays readable.

The stylesheet switches its colour tokens under prefers-color-scheme: dark. This walks the
busiest pages with that preference emulated, checks the page really is dark (so the test
fails if the dark block disappears), and runs the same axe audit as the light pages
(contrast included). Screenshots go to test-artifacts/screenshots/dark-NAME.png.
"""

from __future__ import annotations

import pytest

from agreements.demo import PEOPLE

from .conftest import sign_in
from .test_accessibility import MAIN_PAGES, serious_violations

pytestmark = pytest.mark.browser

DARK_PAGES = ("proposal-consent", "history")

BODY_LUMINANCE = """() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""


def test_main_pages_in_dark_mode_are_dark_and_pass_axe(browser, live_server, screenshot):
    """A facilitator with a dark system theme: dark background, no serious axe violation."""
    context = browser.new_context(bypass_csp=True, color_scheme="dark")
    page = context.new_page()
    sign_in(page, live_server, PEOPLE[0][0])
    problems: dict[str, list[str]] = {}
    try:
        for name in DARK_PAGES:
            page.goto(live_server + MAIN_PAGES[name])
            page.eval_on_selector_all("details", "nodes => nodes.forEach(n => n.open = true)")
            screenshot(page, f"dark-{name}")
            found = serious_violations(page)
            if (luminance := page.evaluate(BODY_LUMINANCE)) > 0.2:
                found.append(f"the background is light (luminance {luminance:.2f})")
            if found:
                problems[name] = found
    finally:
        context.close()
    assert not problems, problems
