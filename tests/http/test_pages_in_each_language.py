"""The main pages and mails, read in each shipped language with its real catalogue (issue 17).

The pseudo-locale test proves that every text is marked; these prove that what a French,
German, Spanish, Italian, Polish or Arabic member reads is their catalogue's wording: every
interface text of a main page that is a whole message in English is that message's shipped
translation in their language, none is left in English, the page declares its language and
direction, and the mail about a consent round speaks their language, with the deadline in
their time zone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from agreements import services
from agreements.languages import INTERFACE_LANGUAGES, direction
from agreements.web import said_templates
from agreements.web.locale import TRANSLATIONS

from .conftest import proposal_at
from .test_notifications import deliver

LANGUAGES = sorted(set(INTERFACE_LANGUAGES) - {"en"})
ZONES = {"fr": "Europe/Paris", "de": "Europe/Berlin", "es": "Europe/Madrid",
         "it": "Europe/Rome", "pl": "Europe/Warsaw", "ar": "Asia/Beirut"}  # fmt: skip
MAIN_PAGES = ("community home", "agreement", "history", "proposal", "compare",
              "decision record", "notifications", "account")  # fmt: skip


def catalogue(language: str) -> dict[str, str]:
    """Each whole-message translation (no placeholder, no plural) of a shipped catalogue."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        messages = read_po(source, locale=language)
    return {
        message.id: message.string
        for message in messages
        if isinstance(message.id, str) and message.id and "%(" not in message.id
    }


class _TextNodes(HTMLParser):
    """The stripped text of each element of a page's <body>, outside scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self._in_body = self._hidden = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        self._in_body += tag == "body"
        self._hidden += tag in ("script", "style", "template")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style", "template")

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if self._in_body and not self._hidden and text:
            self.nodes.append(text)


def text_nodes(html: str) -> list[str]:
    parser = _TextNodes()
    parser.feed(html)
    return parser.nodes


def urls(world, proposal) -> dict[str, str]:
    slug, agreement = world.community.slug, world.agreement.slug
    return {
        "community home": f"/c/{slug}",
        "agreement": f"/c/{slug}/a/{agreement}",
        "history": f"/c/{slug}/a/{agreement}/history",
        "proposal": f"/p/{proposal.id}",
        "compare": f"/c/{slug}/a/{agreement}/compare?from=1&to=2",
        "decision record": f"/c/{slug}/a/{agreement}/v/2/record",
        "notifications": "/notifications",
        "account": "/account",
    }


@pytest.fixture
def scene(world, make):
    """The world with a proposal in its consent round, the facilitator told about it."""
    proposal = proposal_at(make, world, "consent")
    return world, proposal


def read_as(client, login, make, person, language: str, url: str) -> str:
    services.set_preferences(
        make.session, person, language=language, time_zone=ZONES.get(language, "UTC")
    )
    make.session.rollback()
    login(client, person)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", MAIN_PAGES)
def test_a_main_page_speaks_the_readers_language_in_its_catalogues_words(
    client, login, make, scene, language, page
):
    world, proposal = scene
    url = urls(world, proposal)[page]
    reader = world.facilitator
    english = read_as(client, login, make, reader, "en", url)
    translated = read_as(client, login, make, reader, language, url)
    words = catalogue(language)

    assert f'<html lang="{language}" dir="{direction(language)}">' in translated
    messages = [node for node in dict.fromkeys(text_nodes(english)) if node in words]
    assert len(messages) >= 5, f"{page}: too few whole messages to compare: {messages}"
    nodes = set(text_nodes(translated))
    missing = [(m, words[m]) for m in messages if " ".join(words[m].split()) not in nodes]
    assert not missing, f"{page} in {language}: not the catalogue's wording: {missing}"
    left_in_english = [m for m in messages if m in nodes and words[m] != m]
    assert not left_in_english, f"{page} in {language}: still English: {left_in_english}"


def said(language: str, msgid: str) -> str:
    """The longest stretch of a message's translation between its placeholders."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        translated = read_po(source, locale=language)[msgid].string
    return max(re.split(r"%\(\w+\)s", translated), key=len).strip()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_mail_about_an_open_round_is_in_the_recipients_language_and_zone(
    app, make, world, language
):
    member = world.members[0]
    services.set_preferences(make.session, member, language=language, time_zone=ZONES[language])
    make.session.commit()
    deadline = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=7)
    proposal = make.proposal(world, stage="objection")
    services.open_consent_round(
        make.session, world.facilitator, proposal_id=proposal.id, deadline=deadline
    )
    make.session.commit()
    mail = deliver(app, make)[member.id][-1]
    local = deadline.astimezone(ZoneInfo(ZONES[language]))

    opened = "The consent round on %(title)s is open until %(deadline)s: your answer is asked."
    assert said(language, opened) in mail.body_text
    assert said(language, "Hello %(name)s,") in mail.body_text
    assert f"{local.hour}:{local:%M} {local.tzname()}" in mail.body_text
    assert f'<html lang="{language}"' in mail.body_html
    assert "is open until" not in mail.body_text + mail.body_html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_decision_record_to_keep_is_in_the_readers_language(
    client, login, make, scene, language
):
    world, proposal = scene
    url = urls(world, proposal)["decision record"] + ".md"
    record = read_as(client, login, make, world.facilitator, language, url)
    words = catalogue(language)
    for heading in ("Outcome statement", "Facts", "Revisions", "Verifying this record"):
        assert f"## {words[heading]}\n" in record
    assert said(language, "Decision record: %(agreement)s, version %(version)s") in record
    assert "## Facts" not in record and "Keep this file" not in record


# What differs between two renders of one page: tokens (signed with the second) and nonces.
_RANDOM = re.compile(
    r'((?:name="(?:csrf_token|form_token)" value|name="csrf-token" content|nonce)=")[^"]+'
)


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_fixed_texts_said_when_compiled_read_as_said_at_render(
    client, login, make, scene, monkeypatch, language
):
    """Templates compiled per catalogue (web/said_templates.py) change nothing a reader
    sees: each main page is the same page its template says at render time."""
    world, proposal = scene
    read_as(client, login, make, world.facilitator, language, "/account")
    words = catalogue(language) if language != "en" else {}
    translated = set(words.values()) - set(words)
    for page, url in urls(world, proposal).items():
        compiled = client.get(url).get_data(as_text=True)
        with monkeypatch.context() as patched:
            patched.setattr(said_templates, "has_app_context", lambda: False)
            at_render = client.get(url).get_data(as_text=True)
        assert _RANDOM.sub(r"\1", compiled) == _RANDOM.sub(r"\1", at_render), page
        assert language == "en" or translated & set(text_nodes(compiled)), page
