"""A service's refusal reaches its reader in the reader's language: on a page and as an API
problem detail, both said from the one marked text the service raised.

The pseudo-locale (tests/pseudo_locale.py) answers every message wrapped in ⟦…⟧, so a
wrapped refusal proves it went through translation, with its parameters put in after.
"""

from __future__ import annotations

import pytest

from agreements import services
from agreements.errors import InvalidInput
from agreements.limits import clean_text
from agreements.saying import say
from tests.pseudo_locale import pseudo_locale

FRENCH = {"Accept-Language": "fr"}


@pytest.fixture
def outsider_case(make, bearer):
    """A public community's proposal open for comments, and someone who is not a member
    (with an API token): commenting is refused with the community's name in the message."""
    world = make.community(private=False)
    proposal = make.proposal(world, stage="comment")
    outsider = make.user("Outsider")
    token = bearer(outsider)
    make.session.rollback()  # end the factory's transaction for the app
    return proposal, outsider, token, world.community.name


@pytest.fixture
def bearer(db):
    """The Authorization header of a fresh API token for `user` (the real use case)."""

    def headers(user) -> dict[str, str]:
        _token, plaintext = services.create_api_token(db, user, name="tests")
        return {"Authorization": f"Bearer {plaintext}"}

    return headers


def refused_page(client, login, proposal, outsider, headers=None) -> str:
    login(client, outsider)
    response = client.post(f"/p/{proposal.id}/comment", data={"body": "Hi"}, headers=headers)
    assert response.status_code == 403
    return response.get_data(as_text=True)


def refused_problem(client, proposal, token, headers=None) -> dict:
    response = client.post(
        f"/api/v1/proposals/{proposal.id}/comments",
        json={"body": "Hi"},
        headers={**token, **(headers or {})},
    )
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def test_a_refusal_is_said_in_the_readers_language_on_a_page_and_in_the_api(
    app, client, login, outsider_case, monkeypatch
):
    proposal, outsider, token, community = outsider_case
    english = f"Only members of {community} can do that."
    api = app.test_client()

    assert english in refused_page(client, login, proposal, outsider)
    problem = refused_problem(api, proposal, token)
    assert (problem["title"], problem["detail"]) == ("Not allowed", english)

    pseudo_locale(monkeypatch)
    said = f"⟦Only members of {community} can do that.⟧"
    page = refused_page(client, login, proposal, outsider, FRENCH)
    assert '<html lang="fr"' in page and said in page
    problem = refused_problem(api, proposal, token, FRENCH)
    assert (problem["title"], problem["detail"]) == ("⟦Not allowed⟧", said)


def test_the_api_answers_in_english_without_accept_language(app, outsider_case):
    proposal, _outsider, token, community = outsider_case
    problem = refused_problem(app.test_client(), proposal, token)
    assert problem["detail"] == f"Only members of {community} can do that."


def test_a_refusals_parameters_are_said_too(app, monkeypatch):
    """A refusal whose parameter is itself a marked text (a field's name) says both."""
    pseudo_locale(monkeypatch)
    with app.test_request_context(headers=FRENCH):
        with pytest.raises(InvalidInput) as refused:
            clean_text("", field="reason", limit=10)
        assert refused.value.message == "Reason is required."
        assert say(refused.value.message) == "⟦⟦Reason⟧ is required.⟧"
