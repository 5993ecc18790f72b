"""Notifications and mails in each reader's language (issue 17).

One event tells a French and an English member: each mail speaks its recipient's language,
gives the deadline in their time zone, and its links still answer and unsubscribe. The
in-app list says the same stored notification in the language of whoever reads it, and an
older notification, stored as plain English, still shows.

French here is the pseudo-locale (tests/pseudo_locale.py: every translated text comes back
as ⟦text⟧), so what is not wrapped in a French mail is a text nobody marked.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import flask_babel
import pytest
from sqlmodel import select

from agreements import services
from agreements.models import Notification, NotificationPreference, Stance
from tests.pseudo_locale import PseudoTranslations, untranslated_text, use_translations

from .test_notifications import deliver

ANSWER = re.compile(r"https://accord\.example(/answer/\S+)")
UNSUBSCRIBE = re.compile(r"https://accord\.example(/unsubscribe/\S+)")


@pytest.fixture
def french_is_pseudo(monkeypatch: pytest.MonkeyPatch) -> None:
    """French answers in the pseudo-locale; every other language keeps its catalogue."""
    pseudo = PseudoTranslations()

    def translations(real):
        locale = flask_babel.get_locale()
        return pseudo if locale is not None and locale.language == "fr" else real()

    use_translations(monkeypatch, translations)


@pytest.fixture
def two_languages(make, world):
    """The world's first member reads French in Paris; the second English in UTC."""
    french, english = world.members
    french.language, french.time_zone = "fr", "Europe/Paris"
    english.language = "en"
    make.session.add_all([french, english])
    make.session.commit()
    return french, english


def open_consent_round(make, world, deadline: datetime):
    proposal = make.proposal(world, stage="objection")
    services.open_consent_round(
        make.session, world.facilitator, proposal_id=proposal.id, deadline=deadline
    )
    make.session.commit()
    return proposal


def test_each_recipient_of_one_event_reads_their_mail_in_their_own_language(
    app, client, world, make, two_languages, french_is_pseudo
) -> None:
    french, english = two_languages
    deadline = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=7)
    open_consent_round(make, world, deadline)
    mails = deliver(app, make)
    to_french, to_english = mails[french.id][-1], mails[english.id][-1]
    paris = deadline.astimezone(ZoneInfo("Europe/Paris"))

    assert to_french.subject.startswith("⟦[Community")
    assert f"⟦Hello {french.display_name},⟧" in to_french.body_text
    assert "⟦The consent round on ⟦“Change the purpose”⟧ is open until" in to_french.body_text
    assert f"{paris:%H:%M} {paris.tzname()}" in to_french.body_text  # their zone, their hour
    assert untranslated_text(to_french.body_html) == []  # every word of it was said in French
    assert '<html lang="fr"' in to_french.body_html

    assert "⟦" not in to_english.subject + to_english.body_text + to_english.body_html
    assert f"Hello {english.display_name}," in to_english.body_text
    assert "The consent round on “Change the purpose” is open until" in to_english.body_text
    assert f"{deadline:%H:%M} UTC" in to_english.body_text
    assert '<html lang="en"' in to_english.body_html


def test_the_links_of_a_mail_in_another_language_still_answer_and_unsubscribe(
    app, client, world, make, two_languages, french_is_pseudo
) -> None:
    french, _english = two_languages
    open_consent_round(make, world, datetime.now(UTC) + timedelta(days=7))
    body = deliver(app, make)[french.id][-1].body_text
    consent, _stand_aside = ANSWER.findall(body)
    assert client.post(consent).status_code == 200
    make.session.rollback()
    stance = make.session.exec(select(Stance).order_by(Stance.id.desc())).first()
    assert (stance.participant_id, stance.position) == (french.id, "consent")

    unsubscribe = UNSUBSCRIBE.search(body).group(1)
    assert client.post(unsubscribe).status_code == 200
    make.session.rollback()
    preference = make.session.exec(
        select(NotificationPreference).where(
            NotificationPreference.user_id == french.id,
            NotificationPreference.community_id == world.community.id,
        )
    ).one()
    assert preference.delivery == "none"


def test_the_notification_list_speaks_the_language_of_whoever_reads_it(
    app, login, world, make, two_languages, french_is_pseudo
) -> None:
    french, english = two_languages
    make.proposal(world, stage="comment")  # both are told: the same text, stored once each
    make.session.rollback()
    french_client, english_client = app.test_client(), app.test_client()
    login(french_client, french)
    login(english_client, english)
    in_french = french_client.get("/notifications").text
    in_english = english_client.get("/notifications").text
    assert "⟦⟦“Change the purpose”⟧ is open for comments.⟧" in in_french
    assert "“Change the purpose” is open for comments." in in_english
    assert "⟦" not in in_english


def test_a_notification_stored_before_languages_still_shows(
    client, login, world, make, two_languages
) -> None:
    french, _english = two_languages
    make.session.add(
        Notification(recipient_id=french.id, event_seq=0, kind="legacy", text="An older notice.")
    )
    make.session.commit()
    login(client, french)
    assert "An older notice." in client.get("/notifications").text


def test_a_password_reset_mail_is_in_the_account_holders_language(
    client, world, make, two_languages, french_is_pseudo, caplog
):
    """Asked from an English page, the reset mail still speaks its recipient's language."""
    french, english = two_languages
    with caplog.at_level(logging.WARNING, logger="agreements.mail"):
        for person in (french, english):
            client.post("/forgot-password", data={"email": person.email})
    french_mail, english_mail = (r.getMessage() for r in caplog.records[-2:])
    assert french.email in french_mail and "⟦Reset your Accord password⟧" in french_mail
    assert english.email in english_mail and "Reset your Accord password" in english_mail
    assert "⟦" not in english_mail
