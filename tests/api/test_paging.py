"""Lists paged in SQL: walked a page at a time, each gives its whole list once, in order."""

from __future__ import annotations

import pytest
from sqlmodel import select

from agreements import services
from agreements.models import Round
from tests.api.conftest import ON_EACH_DATABASE

pytestmark = ON_EACH_DATABASE

Listing = tuple[str, int]  # a list's URL, and how many items it must hold in all


@pytest.fixture
def history(make, db, bearer) -> tuple[dict[str, str], dict[str, Listing]]:
    """A facilitator's headers and the lists of a community with namesakes, a draft,
    proposals in several states, comments, an objection and stances."""
    world = make.community(members=2)
    world.member("Sam")
    world.member("Sam")  # same name: the members' order must still be total
    make.proposal(world, stage="draft")  # private to its proposer: never listed
    first, second = (make.proposal(world, stage="comment") for _ in range(2))
    in_objection = make.proposal(world, stage="objection")
    in_consent = make.proposal(world, stage="consent")
    for person, words in zip(world.members[:3], ("One.", "Two.", "Three."), strict=True):
        services.add_comment(db, person, proposal_id=first.id, body=words)
    services.raise_objection(db, world.members[1], proposal_id=in_objection.id, reason="No.")
    stances = ("consent", "stand_aside", "consent")  # the first member changes their stance
    for person, position in zip(world.members[:1] * 2 + [world.facilitator], stances, strict=True):
        services.register_stance(db, person, proposal_id=in_consent.id, position=position)
    services.register_stance(db, world.members[1], proposal_id=in_consent.id, position="consent")
    round_ = db.exec(
        select(Round).where(Round.proposal_id == in_consent.id, Round.kind == "consent")
    ).one()
    db.commit()
    community = f"/api/v1/communities/{world.community.slug}"
    agreement = f"{community}/agreements/{world.agreement.slug}"
    return bearer(world.facilitator), {
        "members": (f"{community}/members", 5),
        "proposals": (f"{agreement}/proposals", 4),
        "proposals in comment": (f"{agreement}/proposals?state=comment", 2),
        "versions": (f"{agreement}/versions", 1),
        "comments": (f"/api/v1/proposals/{first.id}/comments", 3),
        "comments of another proposal": (f"/api/v1/proposals/{second.id}/comments", 0),
        "objections": (f"/api/v1/proposals/{in_objection.id}/objections", 1),
        "stances": (f"/api/v1/rounds/{round_.id}/stances", 4),
    }


def with_args(url: str, **args: object) -> str:
    query = "&".join(f"{name}={value}" for name, value in args.items())
    return f"{url}{'&' if '?' in url else '?'}{query}"


@pytest.mark.parametrize(
    "name",
    [
        "members",
        "proposals",
        "proposals in comment",
        "versions",
        "comments",
        "comments of another proposal",
        "objections",
        "stances",
    ],
)
def test_walking_a_list_page_by_page_gives_each_item_once(api, history, name):
    headers, listings = history
    url, total = listings[name]
    whole = api.get(with_args(url, per_page=200), headers=headers).get_json()
    assert whole["total"] == total == len(whole["items"]) and whole["next"] is None

    walked, page = [], api.get(with_args(url, per_page=1), headers=headers).get_json()
    while True:
        assert page["total"] == total and page["per_page"] == 1
        walked += page["items"]
        if page["next"] is None:
            break
        page = api.get(page["next"], headers=headers).get_json()
    assert walked == whole["items"]

    beyond = api.get(with_args(url, page=total + 1), headers=headers).get_json()
    assert beyond["items"] == [] and beyond["total"] == total and beyond["next"] is None
