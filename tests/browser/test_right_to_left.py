"""Arabic in the browser: an Arabic interface is laid out right to left, and an Arabic
agreement reads right to left whatever the interface language.

The stylesheet uses only logical properties (margin-inline-start, inset-inline-start,
text-align: start...), so mirroring is the browser's work: these tests measure where things
land. The demo community gets the Arabic translation of the Contributor Covenant (from
../shared/corpus), one member whose language is Arabic and one who reads English. Screenshots
go to test-artifacts/screenshots/arabic-NAME-WIDTH.png, at a desktop and a phone width.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from agreements import services
from agreements.demo import PEOPLE
from agreements.models import Community, User
from agreements.storage.sessions import get_engine
from tests.conftest import make_test_app

from .conftest import serve, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.corpus]

FACILITATOR, ARABIC_READER, ENGLISH_READER = PEOPLE[0][0], PEOPLE[4][0], PEOPLE[5][0]
COMMUNITY = "climate-litigators"
TITLE = "ميثاق القواعد السلوكية للمساهمين"
WIDTHS = (1280, 390)
EDGE_PX = 24  # how close to its box's edge a thing at the start side sits (padding, focus gap)

LAYOUT = """() => {
  const box = (element) => element.getBoundingClientRect();
  const text = (element) => { const range = document.createRange();
    range.selectNodeContents(element); return range.getBoundingClientRect(); };
  const article = document.querySelector(".agreement-text");
  const list = article.querySelector("ul");
  const heading = article.querySelector("h1, h2");
  return {
    width: document.documentElement.clientWidth,
    lang: document.documentElement.lang,
    dir: document.documentElement.dir,
    header: box(document.querySelector(".header-row")),
    brand: box(document.querySelector(".brand")),
    navList: box(document.querySelector(".nav-list")),
    firstNav: box(document.querySelector(".nav-list li")),
    article: { lang: article.lang, dir: article.dir, box: box(article) },
    heading: { box: box(heading), text: text(heading) },
    list: box(list),
    item: box(list.querySelector("li")),
    overflows: document.documentElement.scrollWidth > document.documentElement.clientWidth,
  };
}"""


@pytest.fixture
def live_arabic_server(demo_sqlite_url: str, corpus_dir: Path) -> Iterator[str]:
    """The demo with an Arabic agreement, and a member who reads Accord in Arabic."""
    app = make_test_app(demo_sqlite_url)
    text = (corpus_dir / "translations" / "v1.4.ar.md").read_text(encoding="utf-8")
    with Session(get_engine(app), expire_on_commit=False) as db:
        person = {u.email: u for u in db.exec(select(User)).all()}
        community = db.exec(select(Community).where(Community.slug == COMMUNITY)).one()
        services.import_agreement_history(
            db,
            person[FACILITATOR],
            community_id=community.id,
            title=TITLE,
            texts=[text],
            language="ar",
        )
        services.set_preferences(db, person[ARABIC_READER], language="ar", time_zone="UTC")
        db.commit()
    yield from serve(app)


def agreement_url(base_url: str, page) -> str:
    """The Arabic agreement's page, found from the community page as a reader would."""
    page.goto(f"{base_url}/c/{COMMUNITY}")
    return page.get_by_role("link", name=TITLE).first.get_attribute("href")


def open_agreement(browser, base_url: str, email: str, width: int):
    """A page at `width` signed in as `email`, on the Arabic agreement; and its layout."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, base_url, email)
    page.goto(base_url + agreement_url(base_url, page))
    return context, page, page.evaluate(LAYOUT)


def assert_text_reads_right_to_left(layout: dict) -> None:
    """The agreement's own text: Arabic, right to left, its lines and bullets on the right."""
    assert layout["article"]["lang"] == "ar" and layout["article"]["dir"] == "rtl"
    article, heading, item, listing = (
        layout["article"]["box"],
        layout["heading"]["text"],
        layout["item"],
        layout["list"],
    )
    assert article["right"] - heading["right"] < 2, "the heading does not start at the right"
    assert heading["left"] - article["left"] > 2, "the heading fills the line: cannot tell"
    # A list is indented from its start side: in right-to-left, the right.
    assert listing["right"] - item["right"] > 8, "the bullets are not on the right"
    assert abs(item["left"] - listing["left"]) < 2


def test_an_arabic_interface_is_mirrored(browser, live_arabic_server, screenshot) -> None:
    """A member whose language is Arabic sees the whole page right to left: the brand at the
    right where it is at the left for an English reader, the skip link appearing at the
    right, and the agreement's text right to left."""
    for width in WIDTHS:
        arabic, page, rtl = open_agreement(browser, live_arabic_server, ARABIC_READER, width)
        english, _, ltr = open_agreement(browser, live_arabic_server, ENGLISH_READER, width)
        try:
            assert (rtl["lang"], rtl["dir"]) == ("ar", "rtl")
            assert (ltr["lang"], ltr["dir"]) == ("en", "ltr")
            assert ltr["brand"]["left"] - ltr["header"]["left"] < EDGE_PX
            assert rtl["header"]["right"] - rtl["brand"]["right"] < EDGE_PX, rtl["brand"]
            assert rtl["brand"]["left"] > ltr["brand"]["left"]
            # The main navigation starts at the right: its first link is the rightmost.
            assert abs(rtl["navList"]["right"] - rtl["firstNav"]["right"]) < 2
            assert abs(ltr["navList"]["left"] - ltr["firstNav"]["left"]) < 2
            assert not rtl["overflows"], "the Arabic page scrolls sideways"
            assert_text_reads_right_to_left(rtl)

            page.keyboard.press("Tab")  # the skip link is the first stop, shown on focus
            skip = page.locator(".skip-link")
            assert skip.evaluate("link => link === document.activeElement")
            shown = skip.bounding_box()
            assert rtl["width"] - (shown["x"] + shown["width"]) < EDGE_PX, shown
            page.keyboard.press("Shift+Tab")
            screenshot(page, f"arabic-interface-{width}")
        finally:
            arabic.close()
            english.close()


def test_an_arabic_agreement_in_an_english_interface(browser, live_arabic_server, screenshot):
    """An English reader's page stays left to right around the Arabic text, which reads
    right to left with its bullets on the right."""
    for width in WIDTHS:
        context, page, layout = open_agreement(browser, live_arabic_server, ENGLISH_READER, width)
        try:
            assert (layout["lang"], layout["dir"]) == ("en", "ltr")
            assert layout["brand"]["left"] - layout["header"]["left"] < EDGE_PX
            assert not layout["overflows"], "the page scrolls sideways"
            assert_text_reads_right_to_left(layout)
            assert page.locator("h1[lang=ar][dir=rtl]", has_text=TITLE).count() == 1
            screenshot(page, f"arabic-in-english-{width}")
        finally:
            context.close()


def test_the_footer_switcher_turns_a_visitors_page_right_to_left(page, live_arabic_server):
    """A visitor who picks العربية in the footer gets the Arabic, mirrored interface."""
    page.goto(f"{live_arabic_server}/search?q=climate")
    assert page.evaluate("document.documentElement.dir") == "ltr"
    page.locator("#footer-language").select_option("ar")
    page.locator(".language-switcher button").click()
    page.wait_for_load_state()
    assert page.url.endswith("/search?q=climate")  # the same page, now in Arabic
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "ar",
        "rtl",
    ]
    brand = page.locator(".brand").bounding_box()
    header = page.locator(".header-row").bounding_box()
    assert (header["x"] + header["width"]) - (brand["x"] + brand["width"]) < EDGE_PX, brand


def test_the_tally_bar_starts_at_the_right_in_arabic(browser, live_arabic_server) -> None:
    """The tally's bar is an SVG (physical coordinates): in an Arabic page it is turned over,
    so its first segment (consent) sits at the right, beside the legend's first entry."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_arabic_server, ARABIC_READER)
        page.goto(f"{live_arabic_server}/p/4")  # the demo's proposal in its consent round
        assert page.evaluate("document.documentElement.dir") == "rtl"
        bar = page.locator(".tally-bar").first
        first = bar.locator("rect").first.bounding_box()
        whole = bar.bounding_box()
        assert first["width"] > 0
        assert abs((whole["x"] + whole["width"]) - (first["x"] + first["width"])) < 3, first
    finally:
        context.close()
