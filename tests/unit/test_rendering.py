"""Markdown rendering: what people write is shown as document structure, never as code."""

from __future__ import annotations

import pytest

from agreements.text.render import render_markdown
from tests.html_safety import dangers
from tests.unit.xss_payloads import PAYLOADS, WORST


def test_the_corpus_has_at_least_a_hundred_distinct_payloads() -> None:
    assert len(set(PAYLOADS)) >= 100
    # The browser test detects a payload that ran by the flag it sets: each must set it.
    assert len(set(WORST)) == len(WORST) >= 6
    assert all("window.__xss=1" in payload for payload in WORST)


@pytest.mark.parametrize("payload", PAYLOADS + WORST)
def test_no_payload_survives_rendering(payload: str) -> None:
    html = str(render_markdown(payload))
    assert dangers(html) == [], html
    assert "<script" not in html.lower()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_inside_markdown_structures_stay_harmless(payload: str) -> None:
    document = f"# Heading\n\n> quoted {payload}\n\n- item {payload}\n\n[link {payload}](https://example.org)\n"
    html = str(render_markdown(document))
    assert dangers(html) == [], html


def test_ordinary_markdown_keeps_its_structure() -> None:
    html = str(
        render_markdown(
            "# Our agreement\n\n## Care\n\nWe **speak** with *respect*.\n\n"
            "1. one\n2. two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n\n`code`\n"
        )
    )
    for fragment in ('<h1 id="md-our-agreement">', '<h2 id="md-care">', "<strong>speak</strong>",
                     "<em>respect</em>", "<ol>", "<table>", "<td>1</td>", "<blockquote>",
                     "<code>code</code>"):  # fmt: skip
        assert fragment in html


def test_links_keep_safe_addresses_and_are_marked_as_user_content() -> None:
    html = str(
        render_markdown("[site](https://example.org/a?b=1) and [mail](mailto:a@example.org)")
    )
    assert 'href="https://example.org/a?b=1"' in html
    assert 'href="mailto:a@example.org"' in html
    assert html.count('rel="noopener nofollow ugc"') == 2


def test_dangerous_links_lose_their_address_but_keep_their_text() -> None:
    html = str(render_markdown("[read this](javascript:alert(1))"))
    assert "read this" in html
    assert "href" not in html


def test_raw_html_text_is_kept_as_text_not_markup() -> None:
    html = str(render_markdown("Use <b>bold</b> and <script>alert(1)</script> wisely"))
    assert "<b>bold</b>" in html
    assert "alert(1)" not in html


def test_heading_ids_cannot_take_the_pages_own_ids() -> None:
    html = str(render_markdown('<h2 id="main">x</h2>\n\n# main\n'))
    assert 'id="main"' not in html
    assert 'id="md-main"' in html


def test_empty_text_renders_nothing() -> None:
    assert str(render_markdown("")) == ""
    assert str(render_markdown(None)) == ""


def test_the_template_filter_is_registered(app) -> None:
    with app.app_context():
        template = app.jinja_env.from_string("{{ text|markdown }}")
        assert template.render(text="<img src=x onerror=alert(1)>*hi*") == "<p><em>hi</em></p>"


def test_one_text_leaves_nothing_behind_for_the_next() -> None:
    """The converter is reused: abbreviations and heading ids of one text must not leak."""
    first = str(render_markdown("*[NGO]: Non-governmental organisation\n\n# Care\n\nAn NGO cares."))
    assert '<abbr title="Non-governmental organisation">NGO</abbr>' in first
    second = str(render_markdown("# Care\n\nEvery NGO signs."))
    assert "<abbr" not in second
    assert '<h1 id="md-care">' in second  # not "md-care_1": ids start afresh per text


def test_the_same_text_renders_the_same_from_many_threads() -> None:
    """Rendering is shared by a server's threads: each gets the whole, right answer."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"## Part {n}\n\n*[AB{n}]: term {n}\n\nUse AB{n} **here**." for n in range(40)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        rendered = list(pool.map(lambda text: str(render_markdown(text)), texts * 3))
    for n, html in enumerate(rendered):
        k = n % 40
        assert f'<h2 id="md-part-{k}">Part {k}</h2>' in html
        assert f'<abbr title="term {k}">AB{k}</abbr>' in html and "<strong>here</strong>" in html
