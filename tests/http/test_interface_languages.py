"""The words Python says to people are in their language: flashes after an action, error
pages, form refusals and the API's problem details (the pseudo-locale wraps each one that
went through gettext in ⟦…⟧; see tests/pseudo_locale.py)."""

from __future__ import annotations

import pytest
from babel.support import NullTranslations
from flask_babel import get_locale

from agreements.limits import MAX_ID
from tests.pseudo_locale import PseudoTranslations, pseudo_locale, use_translations


def followed(response, client) -> str:
    """The page a 303 after an action leads to (where its flash is shown)."""
    assert response.status_code == 303, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_flash_after_an_action_is_in_the_readers_language(client, login, world, monkeypatch):
    login(client, world.members[0])
    pseudo_locale(monkeypatch)
    text = followed(client.post("/notifications/read"), client)
    assert "⟦All your notifications are marked read.⟧" in text


def test_signing_out_and_being_asked_to_sign_in_are_flashed_in_the_readers_language(
    client, login, world, monkeypatch
):
    login(client, world.members[0])
    pseudo_locale(monkeypatch)
    assert "⟦You are signed out.⟧" in followed(client.post("/sign-out"), client)
    asked = client.get("/account")  # flask-login's own flash, said through `say`
    assert asked.status_code == 302
    assert "⟦Please sign in to see that page.⟧" in client.get(asked.headers["Location"]).text


def test_the_not_found_page_is_in_the_readers_language(client, monkeypatch):
    pseudo_locale(monkeypatch)
    response = client.get("/no-such-page")
    text = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<h1 id="error-title">⟦Not found⟧</h1>' in text
    assert "⟦There is nothing here, or nothing you may see.⟧" in text


def test_a_form_sent_without_its_csrf_token_is_refused_in_the_readers_language(
    client_without_csrf, monkeypatch
):
    pseudo_locale(monkeypatch)
    response = client_without_csrf.post("/language", data={"language": "de"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<h1 id="error-title">⟦Something was wrong with the request⟧</h1>' in text
    assert "⟦The CSRF token is missing.⟧" in text


def test_a_form_refusal_names_its_field_in_the_readers_language(client, monkeypatch):
    pseudo_locale(monkeypatch)
    response = client.get("/search?q=charter&page=many")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "⟦Please check what you entered⟧" in text
    assert f"⟦⟦The page⟧ must be a whole number from 0 to {MAX_ID:,}.⟧" in text


def test_english_refusals_read_exactly_as_before(client):
    text = client.get("/search?q=charter&page=many").get_data(as_text=True)
    assert f"The page must be a whole number from 0 to {MAX_ID:,}." in text


@pytest.fixture
def pseudo_except_english(monkeypatch: pytest.MonkeyPatch) -> None:
    """English as written; any other language wrapped, to tell which one a reply speaks."""
    pseudo, english = PseudoTranslations(), NullTranslations()

    use_translations(monkeypatch, lambda _real: english if str(get_locale()) == "en" else pseudo)


@pytest.mark.usefixtures("pseudo_except_english")
def test_an_api_problem_speaks_the_language_the_client_asks_for(client):
    asked = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "de"})
    assert asked.status_code == 404
    assert asked.get_json()["detail"] == "⟦There is nothing at this address in the Accord API.⟧"


@pytest.mark.usefixtures("pseudo_except_english")
def test_an_api_problem_is_english_without_accept_language(client):
    plain = client.get("/api/v1/no-such-thing")
    assert plain.get_json()["detail"] == "There is nothing at this address in the Accord API."


@pytest.mark.usefixtures("pseudo_except_english")
def test_the_api_ignores_the_language_chosen_for_pages(client):
    client.post("/language", data={"language": "fr", "next": "/"})
    chosen = client.get("/api/v1/no-such-thing")
    assert chosen.get_json()["detail"] == "There is nothing at this address in the Accord API."


@pytest.mark.usefixtures("pseudo_except_english")
def test_an_api_validation_problem_is_said_in_the_asked_language(client):
    refused = client.get("/api/v1/search?q=x&per_page=0", headers={"Accept-Language": "fr"})
    detail = refused.get_json()["detail"]
    assert refused.status_code == 422
    assert detail.startswith("⟦The query string is not valid: ") and detail.endswith("⟧")
