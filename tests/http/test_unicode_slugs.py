"""Agreements and communities named in any script get readable addresses that route."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import url_for

from agreements import services
from agreements.errors import InvalidInput
from tests.factories import AGREEMENT_TEXT

TITLES = {
    "arabic": ("ميثاق المجتمع", "ميثاق-المجتمع"),
    "greek": ("Χάρτης της Κοινότητας", "χάρτης-της-κοινότητας"),
    "japanese": ("私たちの合意", "私たちの合意"),
    "mixed": ("Charter — Χάρτης 2026!", "charter-χάρτης-2026"),
    "punctuation only": ("!!! ???", "agreement-2"),  # the world's agreement is "agreement"
}


def new_agreement(make, world, title: str):
    agreement = services.create_agreement(
        make.session, world.facilitator, community_id=world.community.id, title=title,
        text=AGREEMENT_TEXT,
    )  # fmt: skip
    make.session.rollback()
    return agreement


@pytest.mark.parametrize("title, slug", TITLES.values(), ids=TITLES.keys())
def test_an_agreement_gets_a_readable_slug_and_its_page_and_api_answer(
    client, login, make, world, title, slug
):
    agreement = new_agreement(make, world, title)
    assert agreement.slug == slug
    login(client, world.facilitator)
    with client.application.test_request_context():
        address = url_for("web.agreement", slug=world.community.slug, agreement_slug=slug)
    assert address == f"/c/{world.community.slug}/a/{quote(slug)}"
    page = client.get(address)
    assert page.status_code == 200 and title in page.get_data(as_text=True)
    _, token = services.create_api_token(make.session, world.facilitator, name="slugs")
    api = client.application.test_client()
    response = api.get(
        f"/api/v1/communities/{world.community.slug}/agreements/{quote(slug)}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["slug"] == slug


def test_duplicate_titles_get_numbered_slugs_and_the_first_keeps_its_own(make, world):
    first = new_agreement(make, world, "Χάρτης")
    second = new_agreement(make, world, "χάρτης!")
    third = new_agreement(make, world, "  Χάρτης  ")
    assert [first.slug, second.slug, third.slug] == ["χάρτης", "χάρτης-2", "χάρτης-3"]


def test_a_community_may_have_an_address_in_its_own_script(client, make):
    admin = make.user("Admin", admin=True)
    community = services.create_community(
        make.session, admin, slug="مجتمع-التقاضي", name="مجتمع التقاضي", is_private=False
    )
    make.session.rollback()
    response = client.get(f"/c/{quote(community.slug)}")
    assert response.status_code == 200 and "مجتمع التقاضي" in response.get_data(as_text=True)


@pytest.mark.parametrize("slug", ["Χάρτης", "χάρτης--μας", "χάρτης μας", "-χάρτης"])
def test_a_community_address_that_is_not_a_slug_is_refused(make, slug):
    admin = make.user("Admin", admin=True)
    with pytest.raises(InvalidInput, match="Slug may contain only lowercase letters"):
        services.create_community(make.session, admin, slug=slug, name="Κοινότητα")
