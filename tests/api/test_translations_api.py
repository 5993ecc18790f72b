"""The translations API: propose, confirm, list with staleness, and refusals as problems."""

from __future__ import annotations

import pytest

from tests.api.conftest import ON_EACH_DATABASE
from tests.api.test_endpoints import agreement, problem

pytestmark = ON_EACH_DATABASE
NEW_ENGLISH = "# Our agreement\n\nWe decide by consent, kindly.\n"


@pytest.fixture
def world(make):
    """A private community: a facilitator, two members, an English agreement at version 1."""
    return make.community(members=2)


@pytest.fixture
def headers(world, bearer):
    return {"member": bearer(world.members[0]), "facilitator": bearer(world.facilitator)}


def test_a_confirmed_translation_is_listed_and_goes_stale_with_a_new_version(
    api,
    world,
    headers,
    make,
):
    made = api.post(
        agreement(world) + "/translations",
        json={"language": "pt-br", "text": "# Nosso acordo\n", "note": "Primeira versão."},
        headers=headers["member"],
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["language"] == "pt-BR" and made.get_json()["state"] == "proposed"
    refused = api.post(
        f"/api/v1/translations/{made.get_json()['id']}/confirm", headers=headers["member"]
    )
    problem(refused, 403)
    confirmed = api.post(
        f"/api/v1/translations/{made.get_json()['id']}/confirm", headers=headers["facilitator"]
    )
    assert confirmed.status_code == 200 and confirmed.get_json()["is_current"]

    listed = api.get(agreement(world) + "/translations", headers=headers["member"]).get_json()
    assert [(t["language"], t["source_version"], t["is_stale"]) for t in listed["items"]] == [
        ("pt-BR", 1, False)
    ]
    make.proposal(world, stage="adopted", text=NEW_ENGLISH)
    listed = api.get(agreement(world) + "/translations", headers=headers["member"]).get_json()
    assert [t["is_stale"] for t in listed["items"]] == [True]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"language": "not a tag", "text": "# Texte"}, 422),
        ({"language": "fr", "text": ""}, 422),
        ({"language": "fr", "text": "# Texte", "source_version": 7}, 422),
        ({"language": "fr"}, 422),
    ],
)
def test_bad_translations_are_refused_as_problems(api, world, headers, body, status):
    problem(
        api.post(agreement(world) + "/translations", json=body, headers=headers["member"]), status
    )
    listed = api.get(agreement(world) + "/translations", headers=headers["member"]).get_json()
    assert listed["items"] == []
