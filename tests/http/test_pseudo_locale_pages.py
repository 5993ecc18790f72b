"""No string left behind: every page of the route matrix, rendered in the pseudo-locale,
shows no interface text that skipped gettext.

The pages are the GET routes of tests/http/test_route_matrix.py's ROUTE_ACCESS that answer
200 to some role, on that module's scene (a private community with a proposal at each
stage), each rendered as every role that gets 200 (the controls differ by role). Files and
data are not pages: the API's JSON (its HTML reference is a page), downloads, feeds and the
stylesheet. What is left unwrapped in <body> (tests/pseudo_locale.py) is interface text
unless it is what people wrote in the scene (a name, a title) or a moment Babel formatted;
the failure lists each such text with the roles that saw it, so it says where to look.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel import Locale
from sqlmodel import Session, col, select

from agreements import models
from agreements.languages import DEFAULT_LANGUAGE
from agreements.storage.engines import make_engine
from agreements.storage.sessions import get_engine
from tests.conftest import CsrfClient, reusable_test_app
from tests.http.test_route_matrix import (  # noqa: F401 (situation: the scene's fixture)
    API,
    ROLES,
    ROUTE_ACCESS,
    Situation,
    situation,
)
from tests.pseudo_locale import pseudo_locale, untranslated_text

# Routes whose 200 is a file or data a program reads, not a page a person reads.
NOT_PAGES = frozenset(
    {
        "assets.hashed",
        "web.download",
        "history.decision_record_download",
        "web.decisions_feed",
        "web.deadlines_calendar",
    }
)
PAGES = sorted(
    endpoint
    for endpoint, route in ROUTE_ACCESS.items()
    if route.method == "GET"
    and 200 in route.statuses.values()
    and endpoint not in NOT_PAGES
    and (not route.path.startswith(API) or endpoint == "api.reference")
)

# What people wrote, shown as they wrote it (names, titles, texts): a page may show it
# outside an element marked as user content, and it is not interface text.
WRITTEN = (
    models.User.display_name,
    models.User.email,
    models.Community.name,
    models.Community.description,
    models.Organisation.name,
    models.ApiToken.name,
    models.Agreement.title,
    models.Version.text,
    models.Translation.text,
    models.Translation.note,
    models.Proposal.title,
    models.Proposal.rationale,
    models.Proposal.outcome_statement,
    models.Revision.text,
    models.Revision.note,
    models.Comment.body,
    models.Objection.reason,
    models.Concern.text,
    models.Stance.reason,
)

# A moment as Babel writes it in the page's locale ("Dec 4, 2026, 20:26 UTC", "Friday 4
# December 2026"): CLDR says those words in each language, gettext has no part in them.
_LOCALE = Locale.parse(DEFAULT_LANGUAGE)
MOMENT_WORDS = frozenset(
    word.lower()
    for names in (_LOCALE.months["format"], _LOCALE.days["format"], _LOCALE.day_periods["format"])
    for width in ("wide", "abbreviated")
    for word in names[width].values()
)
_WORDS = re.compile(r"[^\W\d_]+")
_CLOCK = re.compile(r"\d{1,2}:\d{2}")


@pytest.fixture(scope="module")
def written(situation: Situation) -> list[str]:  # noqa: F811 (the fixture imported above)
    """Every text people wrote in the scene, longest first, each also with its whitespace
    collapsed as a page's text shows it."""
    engine = make_engine(f"sqlite:///{situation.path}")
    with Session(engine) as db:
        found = {value for column in WRITTEN for value in db.exec(select(col(column))) if value}
    engine.dispose()
    return sorted(found | {" ".join(text.split()) for text in found}, key=len, reverse=True)


def is_interface_text(text: str, written: list[str]) -> bool:
    """Whether an unwrapped text holds more than what people wrote and moments Babel
    formatted: words left beyond those are interface text that gettext never saw."""
    for value in written:
        text = text.replace(value, " ")
    words = _WORDS.findall(text)
    if not words or not any(character.isdigit() for character in text):
        return bool(words)
    timed = _CLOCK.search(text) is not None  # a time is followed by its zone ("UTC", "CEST")
    return not all(
        word.lower() in MOMENT_WORDS or (timed and word.isupper() and len(word) <= 5)
        for word in words
    )


def test_what_people_wrote_and_moments_are_not_interface_text() -> None:
    written = ["Person 3", "Change the purpose"]
    assert not is_interface_text("Person 3", written)
    assert not is_interface_text("“Change the purpose”, Person 3", written)
    assert not is_interface_text("Dec 4, 2026, 20:26 UTC", written)
    assert not is_interface_text("Friday 4 December 2026", written)
    assert is_interface_text("Member", written)
    assert is_interface_text("Person 3 (you)", written)
    assert is_interface_text("May", written)  # a month's name alone is a word to translate
    assert is_interface_text("3 days ago", written)


def test_the_harness_reads_a_whole_page_whatever_its_language() -> None:
    """<html lang> names the page's language: the body is still read (it once hid every
    page), while machine words in <code> and names marked translate="no" are not interface
    text."""
    html = '<html lang="ar" dir="rtl"><body><p>⟦Action⟧ <code>stance.given</code> Plain</p>'
    html += '<p>⟦Database:⟧ <span translate="no">SQLite</span></p></body></html>'
    assert untranslated_text(html) == ["Plain"]


def test_the_pages_checked_are_the_matrix_pages() -> None:
    """The exclusions name real routes, and the busy pages are among those checked."""
    assert NOT_PAGES.issubset(ROUTE_ACCESS)
    assert {"web.agreement", "web.proposal", "auth.sign_in", "api.reference"} <= set(PAGES)


@pytest.mark.parametrize("endpoint", PAGES)
def test_every_page_is_translated_in_the_pseudo_locale(
    situation: Situation,  # noqa: F811 (the fixture imported above)
    written: list[str],
    tmp_path: Path,
    login,
    monkeypatch: pytest.MonkeyPatch,
    endpoint: str,
) -> None:
    """Every text a person reads on the page went through gettext, for each role."""
    route = ROUTE_ACCESS[endpoint]
    url = route.path.format(**situation.places)
    readers = [role for role in ROLES if route.statuses[role] == 200]
    path = tmp_path / "accord.sqlite"
    shutil.copyfile(situation.path, path)
    app = reusable_test_app(f"sqlite:///{path}")
    app.test_client_class = CsrfClient
    pseudo_locale(monkeypatch)
    left: dict[str, list[str]] = {}  # untranslated text -> the roles that saw it
    try:
        for role in readers:
            client = app.test_client()
            if (person := situation.people[role]) is not None:
                with Session(get_engine(app)) as db:
                    login(client, db.get(models.User, person))
            response = client.get(url)
            assert response.status_code == 200, (role, response.status_code)
            assert response.mimetype == "text/html", f"{url} is not a page: add it to NOT_PAGES"
            for text in untranslated_text(as_document(response.get_data(as_text=True))):
                if is_interface_text(text, written) and role not in left.get(text, []):
                    left.setdefault(text, []).append(role)
    finally:
        get_engine(app).dispose()
    listing = "\n".join(
        f"  {text!r}" + ("" if roles == readers else f"  (seen by {', '.join(roles)})")
        for text, roles in left.items()
    )
    assert not left, f"GET {url} ({endpoint}): {len(left)} texts not translated:\n{listing}"


def as_document(html: str) -> str:
    """The page itself, or an htmx fragment (no <body> of its own) checked whole."""
    return html if "<body" in html else f"<body>{html}</body>"
