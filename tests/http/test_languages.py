"""Languages: which interface language a page speaks, the time zone of its dates, and the
language each agreement is shown in, independently of the interface."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from gettext import GNUTranslations
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from markupsafe import escape
from sqlmodel import select

from agreements import services
from agreements.languages import INTERFACE_LANGUAGES, direction
from agreements.models import Agreement, User, Version
from agreements.web.locale import TRANSLATIONS, compile_catalogues, until
from tests.pseudo_locale import pseudo_locale, untranslated_text

from .conftest import proposal_at
from .test_notifications import deliver

ARABIC_TEXT = "# ميثاق\n\nنتحدث باحترام.\n\nنقرر بالتوافق.\n"
ARABIC_CHANGED = "# ميثاق\n\nنتحدث باحترام ولطف.\n\nنقرر بالتوافق.\n"


def page(response) -> str:
    """The page's HTML, once its status is checked."""
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def page_any(response) -> str:
    """The page's HTML whatever its status."""
    return response.get_data(as_text=True)


def fresh(db, model, row_id):
    """A row as the app left it (the test session's own objects would be stale)."""
    db.rollback()
    db.expire_all()
    return db.get(model, row_id)


def set_language(make, person: User, language: str | None, time_zone: str = "UTC") -> None:
    """Save a person's settings with the real use case, then free the test session."""
    services.set_preferences(make.session, person, language=language, time_zone=time_zone)
    make.session.rollback()


# --- the interface language ----------------------------------------------------------------


def test_accept_language_chooses_the_interface_and_its_catalogue(client):
    text = page(client.get("/sign-in", headers={"Accept-Language": "de-CH, de;q=0.9, en;q=0.5"}))
    assert '<html lang="de" dir="ltr">' in text
    assert "Zum Inhalt springen" in text and "Sprache ändern" in text
    assert '<option value="de" lang="de" selected>Deutsch</option>' in text
    assert "Accept-Language" in client.get("/sign-in").headers["Vary"]


def test_english_without_a_header_or_with_an_unknown_language(client):
    assert '<html lang="en" dir="ltr">' in page(client.get("/sign-in"))
    text = page(client.get("/sign-in", headers={"Accept-Language": "ja"}))
    assert '<html lang="en" dir="ltr">' in text and "Change language" in text


def test_arabic_interface_is_right_to_left(client):
    text = page(client.get("/sign-in", headers={"Accept-Language": "ar"}))
    assert '<html lang="ar" dir="rtl">' in text and "تغيير اللغة" in text


def test_the_persons_setting_beats_the_header(client, login, make, world):
    member = world.members[0]
    set_language(make, member, "fr")
    login(client, member)
    text = page(client.get("/account", headers={"Accept-Language": "de"}))
    assert '<html lang="fr" dir="ltr">' in text and "Aller au contenu" in text
    assert 'class="language-switcher"' not in text  # signed in: the account page instead
    assert '<option value="fr" lang="fr" selected>Français</option>' in text


def test_the_footer_choice_is_kept_for_the_visit(client):
    response = client.post("/language", data={"language": "it", "next": "/search?q=a"})
    assert response.status_code == 303 and response.headers["Location"] == "/search?q=a"
    text = page(client.get("/sign-in", headers={"Accept-Language": "de"}))
    assert '<html lang="it" dir="ltr">' in text and "Cambiare lingua" in text
    client.post("/language", data={"language": "", "next": "/sign-in"})  # back to the browser's
    assert '<html lang="de"' in page(client.get("/sign-in", headers={"Accept-Language": "de"}))


def test_the_footer_switcher_refuses_an_unknown_language_and_stays_on_site(client):
    response = client.post("/language", data={"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Choose one of the languages offered" in page(client.get("/"))


def test_the_switcher_needs_the_csrf_token(client_without_csrf):
    assert client_without_csrf.post("/language", data={"language": "de"}).status_code == 400


def make_private_and_polish(make, world) -> None:
    """The world's community becomes private, with Polish as its default language."""
    services.update_community_settings(
        make.session,
        world.facilitator,
        community_id=world.community.id,
        protocol="consent",
        quorum_rule="person",
        quorum_percent=50,
        default_round_days=7,
        is_private=True,
        language="pl",
    )
    make.session.rollback()


def test_the_community_default_applies_on_its_pages_only(client, login, make, world):
    make_private_and_polish(make, world)
    login(client, world.members[0])
    slug = world.community.slug
    assert '<html lang="pl" dir="ltr">' in page(client.get(f"/c/{slug}"))
    assert '<html lang="pl"' in page(client.get(f"/c/{slug}/a/{world.agreement.slug}"))
    assert '<html lang="en"' in page(client.get("/"))  # not a page of the community
    assert '<html lang="de"' in page(client.get(f"/c/{slug}", headers={"Accept-Language": "de"}))


def test_a_private_communitys_language_does_not_betray_it_to_outsiders(client, make, world):
    """An outsider's 404 for a private Polish community reads exactly like a missing one."""
    make_private_and_polish(make, world)
    hidden = client.get(f"/c/{world.community.slug}")
    missing = client.get("/c/no-such-community")
    assert hidden.status_code == missing.status_code == 404
    same_address = page_any(missing).replace("no-such-community", world.community.slug)
    assert page_any(hidden) == same_address
    assert '<html lang="en"' in page_any(hidden)


def said_in(language: str, msgid: str) -> str:
    """The longest stretch of a message's shipped translation between its placeholders, as
    a page shows it (escaped): what a refusal said in that language must contain."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        translated = read_po(source, locale=language)[msgid].string
    assert translated, f"{language} has no translation of {msgid!r}"
    return str(escape(max(re.split(r"%\(\w+\)s", translated), key=len)))


def test_the_settings_page_sets_the_community_language(client, login, world, db):
    login(client, world.facilitator)
    data = {
        "protocol": "consent",
        "quorum_rule": "person",
        "quorum_percent": "50",
        "default_round_days": "7",
        "is_private": "yes",
        "language": "es",
    }
    response = client.post(f"/c/{world.community.slug}/settings", data=data)
    assert response.status_code == 303
    refused = client.post(f"/c/{world.community.slug}/settings", data={**data, "language": "tlh"})
    # The community's pages now speak Spanish, the refusal included.
    expected = said_in("es", "Choose one of the languages offered: %(languages)s.")
    assert refused.status_code == 422 and expected in page_any(refused)
    assert fresh(db, type(world.community), world.community.id).language == "es"


# --- time zones and dates --------------------------------------------------------------------


def test_the_time_zone_setting_changes_displayed_times(client, login, make, world, db):
    member = world.members[0]
    login(client, member)
    url = f"/c/{world.community.slug}/a/{world.agreement.slug}"
    adopted = db.exec(select(Version).where(Version.agreement_id == world.agreement.id)).first()
    db.rollback()
    assert f"{adopted.adopted_at.astimezone(UTC):%H:%M} UTC" in page(client.get(url))
    set_language(make, member, None, "Asia/Tokyo")
    tokyo = adopted.adopted_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{tokyo:%H:%M} JST" in page(client.get(url))
    # A digest not chosen yet would come at an hour of the same time zone.
    assert 'value="Asia/Tokyo"' in page(client.get(f"/c/{world.community.slug}/notifications"))


def test_the_account_page_saves_language_and_time_zone(client, login, world, db):
    member = world.members[0]
    login(client, member)
    assert "data-browser-zone" in page(client.get("/account"))  # still the default: suggest
    response = client.post(
        "/account/preferences", data={"language": "ar", "time_zone": "Europe/Warsaw"}
    )
    assert response.status_code == 303
    text = page(client.get("/account"))
    assert '<html lang="ar" dir="rtl">' in text and 'value="Europe/Warsaw"' in text
    assert "data-browser-zone" not in text  # chosen: kept as it is
    refused = client.post("/account/preferences", data={"language": "", "time_zone": "Mars/Base"})
    expected = said_in(
        "ar", "“%(value)s” is not a time zone. Give a name such as Europe/Paris or UTC."
    )
    assert refused.status_code == 422 and expected in page_any(refused)
    saved = fresh(db, User, member.id)
    assert (saved.language, saved.time_zone) == ("ar", "Europe/Warsaw")


def test_deadlines_read_as_relative_time_in_the_locale(app):
    in_two_days = datetime.now(UTC) + timedelta(days=2, minutes=1)
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert until(in_two_days) == "dans 2 jours"
    with app.test_request_context("/"):
        assert until(in_two_days) == "in 2 days" and until(None) == ""


# --- the language of an agreement ------------------------------------------------------------


@pytest.fixture
def arabic(make, world):
    """An Arabic agreement with two versions in the (private) test community."""
    agreement = services.import_agreement_history(
        make.session,
        world.facilitator,
        community_id=world.community.id,
        title="ميثاق",
        texts=[ARABIC_TEXT, ARABIC_CHANGED],
        language="ar",
    )
    make.session.rollback()
    return agreement


def test_an_arabic_agreement_is_right_to_left_in_an_english_interface(client, login, world, arabic):
    login(client, world.members[0])
    base = f"/c/{world.community.slug}/a/{arabic.slug}"
    text = page(client.get(base))
    assert '<html lang="en" dir="ltr">' in text
    assert '<article class="agreement-text" lang="ar" dir="rtl"' in text
    assert '<h1 lang="ar" dir="rtl">ميثاق</h1>' in text
    for view in ("rendered", "inline", "side"):
        compared = page(client.get(f"{base}/compare?from=1&to=2&view={view}"))
        assert ' lang="ar" dir="rtl">' in compared and 'dir="auto"' not in compared


def test_proposals_and_records_show_the_text_in_the_agreements_language(
    client, login, world, make, arabic
):
    proposal = make.proposal(
        replace(world, agreement=arabic), stage="adopted", text=ARABIC_CHANGED + "\nجديد.\n"
    )
    make.session.rollback()
    login(client, world.members[0])
    record = page(client.get(f"/c/{world.community.slug}/a/{arabic.slug}/v/3/record"))
    assert '<html lang="en" dir="ltr">' in record
    assert 'class="diff-paragraph diff-insert" lang="ar" dir="rtl"' in record
    for view in ("rendered", "inline", "side"):
        shown = page(client.get(f"/p/{proposal.id}?view={view}"))
        assert ' lang="ar" dir="rtl">' in shown and 'dir="auto"' not in shown


def test_an_answer_link_shows_the_text_in_the_agreements_language(app, client, world, make, arabic):
    text = ARABIC_CHANGED + "\nجديد.\n"
    make.proposal(replace(world, agreement=arabic), stage="consent", text=text)
    mails = deliver(app, make)[world.members[1].id]
    link = next(
        found
        for mail in mails
        for found in re.findall(r"https://accord\.example(/answer/\S+)", mail.body_text)
    )
    shown = page(client.get(link))
    assert '<html lang="en" dir="ltr">' in shown
    assert '<div class="rendered" lang="ar" dir="rtl">' in shown and "جديد." in shown


def test_the_new_agreement_form_takes_a_language(client, login, world, db):
    login(client, world.facilitator)
    url = f"/c/{world.community.slug}/agreements/new"
    form = {"title": "Carta", "text": "Hablamos con respeto.", "language": "es-419"}
    assert client.post(url, data=form).status_code == 303
    refused = client.post(url, data={**form, "title": "Other", "language": "not a tag!"})
    assert refused.status_code == 422
    assert "is not a language tag" in page_any(refused)
    db.rollback()
    created = db.exec(select(Agreement).where(Agreement.title == "Carta")).one()
    assert created.language == "es-419"
    assert db.exec(select(Agreement).where(Agreement.title == "Other")).first() is None


def test_the_cli_import_takes_a_language(app, db, tmp_path):
    path = tmp_path / "charter.md"
    path.write_text(ARABIC_TEXT, encoding="utf-8")
    runner = app.test_cli_runner()
    args = ["agreements", "import", "--community", "arabic-coop", "--title", "ميثاق"]
    result = runner.invoke(args=[*args, "--language", "AR", str(path)])
    assert result.exit_code == 0, result.output
    assert db.exec(select(Agreement).where(Agreement.title == "ميثاق")).one().language == "ar"
    refused = runner.invoke(args=[*args, "--language", "arabic!", str(path)])
    assert refused.exit_code != 0 and "is not a language tag" in refused.output


def test_directions_of_language_tags():
    assert [direction(tag) for tag in ("ar", "he-IL", "fa", "ur-PK", "en", "fr", None)] == [
        "rtl",
        "rtl",
        "rtl",
        "rtl",
        "ltr",
        "ltr",
        "ltr",
    ]


# --- catalogues and the pseudo-locale ------------------------------------------------------


@pytest.mark.parametrize("language", sorted(set(INTERFACE_LANGUAGES) - {"en"}))
def test_each_shipped_catalogue_is_complete(language):
    """No untranslated or fuzzy entry in a catalogue the interface offers, every plural form
    the language has, and the same placeholders as the English (a translation that dropped
    or renamed one would break the page that shows it)."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalogue = read_po(source, locale=language)
    gaps = []
    for message in catalogue:
        if not message.id:
            continue
        forms = message.string if message.pluralizable else (message.string,)
        complete = len(forms) == (catalogue.num_plurals if message.pluralizable else 1)
        if message.fuzzy or not complete or not all(forms):
            gaps.append(message.id)
    assert not gaps, f"{language}: untranslated, incomplete or fuzzy: {gaps}"
    broken = [(message.id, [str(e) for e in errors]) for message, errors in catalogue.check()]
    assert not broken, f"{language}: placeholders differ from the English: {broken}"


# The skip link and the language switcher are on every page; the whole of every page is
# checked by tests/http/test_pseudo_locale_pages.py.
PSEUDO_CHECKED = [("/sign-in", ".language-switcher"), ("/sign-in", ".skip-link")]


@pytest.mark.parametrize("path, region", PSEUDO_CHECKED)
def test_marked_regions_are_translated_in_the_pseudo_locale(client, monkeypatch, path, region):
    pseudo_locale(monkeypatch)
    text = page(client.get(path))
    assert "⟦" in text
    assert untranslated_text(text, within=region) == []


def test_the_pseudo_locale_harness_finds_unmarked_text():
    html = (
        '<body><footer><p>⟦Language⟧ Plain words</p><option lang="fr">Français</option>'
        '<div data-user-content>Texte</div><button aria-label="Close">⟦x⟧</button>'
        "<script>var a = 1;</script></footer></body>"
    )
    assert untranslated_text(html, within="footer") == ["Plain words", "Close"]


def test_the_pseudo_locale_harness_reads_a_message_with_a_link_as_one():
    """A sentence holding a link is one message spread over several text nodes."""
    html = '<body><p>⟦Read <a href="/x">the guide</a> first.⟧ Then this.</p></body>'
    assert untranslated_text(html) == ["Then this."]


def test_catalogues_are_compiled_when_missing_or_outdated(tmp_path):
    """A fresh clone has no .mo files: the app builds them on start, and again after a
    translator edits a .po."""
    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "messages.po"
    po.write_text('msgid "Language"\nmsgstr "Sprache"\n', encoding="utf-8")
    compile_catalogues(tmp_path)
    mo = folder / "messages.mo"
    with mo.open("rb") as compiled:
        assert GNUTranslations(compiled).gettext("Language") == "Sprache"
    po.write_text('msgid "Language"\nmsgstr "Sprache der Seiten"\n', encoding="utf-8")
    os.utime(mo, (0, 0))  # older than the edited .po
    compile_catalogues(tmp_path)
    with mo.open("rb") as compiled:
        assert GNUTranslations(compiled).gettext("Language") == "Sprache der Seiten"
    assert sorted(p.name for p in folder.iterdir()) == ["messages.mo", "messages.po"]


def test_labels_of_shared_macros_follow_each_readers_language(
    client, login, make, world, monkeypatch
):
    """A macro file is imported once and cached: its labels are said when the macro runs, so
    a reader never gets the language of whoever loaded the page first."""
    proposal_at(make, world, "comment")
    login(client, world.facilitator)
    path = f"/c/{world.community.slug}/a/{world.agreement.slug}"
    assert "Comments open" in page(client.get(path))
    pseudo_locale(monkeypatch)
    assert "⟦Comments open⟧" in page(client.get(path))
