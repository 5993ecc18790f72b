"""The stylesheet speaks of start and end, never of left and right, so that an Arabic page
(<html dir="rtl">) and an Arabic text inside an English page mirror without a second set of
rules. The browser test tests/browser/test_right_to_left.py measures the result; this one
stops a physical property from creeping back in."""

from __future__ import annotations

import re

from tests.conftest import REPO_ROOT

STYLESHEET = REPO_ROOT / "static" / "accord.css"
PHYSICAL = re.compile(
    r"(?<![-\w])(?:"
    r"(?:margin|padding|border|inset|scroll-margin|scroll-padding)-(?:left|right|top|bottom)"
    r"(?:-\w+)*|left|right|top|bottom)\s*:"
    r"|(?:text-align|float|clear)\s*:\s*(?:left|right)",
)


def declarations(css: str) -> str:
    """The stylesheet without its comments (which may well say "left")."""
    return re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)


def test_the_stylesheet_uses_only_logical_directions() -> None:
    found = PHYSICAL.findall(declarations(STYLESHEET.read_text(encoding="utf-8")))
    assert not found, f"physical properties in static/accord.css: {sorted(set(found))}"


def test_the_check_finds_a_physical_property() -> None:
    sample = "a { margin-left: 1rem; } b { text-align: right; } c { left: 0 } d { top: 0 }"
    assert PHYSICAL.findall(sample) == ["margin-left:", "text-align: right", "left:", "top:"]
    logical = "a { margin-inline-start: 1rem; text-align: start; inset-inline-start: 0 }"
    assert PHYSICAL.findall(logical + " /* left */ e { vertical-align: top; }") == []
