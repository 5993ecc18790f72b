"""Every HTTP route x every kind of person: exactly the status the table says.

ROUTE_ACCESS is the one table: endpoint -> how to call it and the status each of
anonymous, outsider, member, proposer, facilitator and admin gets. A route registered in
the app without an entry fails `test_every_route_has_an_entry`, so no route can be added
without deciding who may use it. The community is private: outsiders and anonymous
visitors get 404 for everything inside it, so its existence does not leak.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from agreements.db import get_engine, make_engine
from tests.conftest import CsrfClient, make_test_app
from tests.factories import Factory

ROLES = ("anonymous", "outsider", "member", "proposer", "facilitator", "admin")


@dataclass(frozen=True)
class Route:
    """How to call one endpoint (path template filled from the scene) and who gets what."""

    method: str
    path: str
    statuses: dict[str, int]
    data: dict[str, Any] = field(default_factory=dict)


def statuses(
    *, anonymous: int, outsider: int, member: int, proposer: int, facilitator: int, admin: int
) -> dict[str, int]:
    """The status for each role (keyword-only, so no role can be forgotten)."""
    return dict(
        anonymous=anonymous,
        outsider=outsider,
        member=member,
        proposer=proposer,
        facilitator=facilitator,
        admin=admin,
    )


EVERYONE_200 = statuses(
    anonymous=200, outsider=200, member=200, proposer=200, facilitator=200, admin=200
)
SIGNED_IN_200 = {**EVERYONE_200, "anonymous": 302}
COMMUNITY_READERS = statuses(
    anonymous=404, outsider=404, member=200, proposer=200, facilitator=200, admin=200
)
MANAGERS = statuses(
    anonymous=404, outsider=404, member=403, proposer=403, facilitator=200, admin=200
)

ROUTE_ACCESS: dict[str, Route] = {
    "auth.sign_in": Route("GET", "/sign-in", EVERYONE_200),
    "auth.sign_out": Route("POST", "/sign-out", {role: 303 for role in ROLES}),
    "auth.account": Route("GET", "/account", SIGNED_IN_200),
    "auth.forgot_password": Route("GET", "/forgot-password", EVERYONE_200),
    "auth.reset_password": Route("GET", "/reset-password/forged-token", {r: 404 for r in ROLES}),
    "auth.accept_invitation": Route("GET", "/invitations/forged-token", {r: 404 for r in ROLES}),
    "auth.invite": Route("GET", "/c/{slug}/invite", MANAGERS),
    "auth.join": Route("GET", "/c/{slug}/join", COMMUNITY_READERS),
    "web.index": Route("GET", "/", EVERYONE_200),
    "web.community": Route("GET", "/c/{slug}", COMMUNITY_READERS),
    "web.agreement": Route("GET", "/c/{slug}/a/{agreement}", COMMUNITY_READERS),
    "web.version": Route("GET", "/c/{slug}/a/{agreement}/v/1", COMMUNITY_READERS),
    "web.download": Route("GET", "/c/{slug}/a/{agreement}/v/1.md", COMMUNITY_READERS),
    "web.compare": Route("GET", "/c/{slug}/a/{agreement}/compare?from=1&to=1", COMMUNITY_READERS),
    "web.proposal": Route("GET", "/p/{proposal}", COMMUNITY_READERS),
    "web.proposal_diff": Route("GET", "/p/{proposal}/diff", COMMUNITY_READERS),
    "web.tally": Route("GET", "/p/{proposal}/tally", COMMUNITY_READERS),
    "history.community_history": Route("GET", "/c/{slug}/history", COMMUNITY_READERS),
    "history.agreement_history": Route("GET", "/c/{slug}/a/{agreement}/history", COMMUNITY_READERS),
    "history.proposal_history": Route("GET", "/p/{proposal}/history", COMMUNITY_READERS),
}


def test_every_route_has_an_entry(app) -> None:
    """A route without a decided access rule fails here (list printed for the author)."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    missing = sorted(endpoints - set(ROUTE_ACCESS))
    unknown = sorted(set(ROUTE_ACCESS) - endpoints)
    assert not missing, f"routes missing from ROUTE_ACCESS: {missing}"
    assert not unknown, f"ROUTE_ACCESS names routes that do not exist: {unknown}"


@dataclass(frozen=True)
class Situation:
    """A database file with a private community, and who is who in it."""

    path: Path
    places: dict[str, Any]
    people: dict[str, int | None]


@pytest.fixture(scope="module")
def situation(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Situation:
    """Built once; each test acts on its own copy of the file."""
    path = tmp_path_factory.mktemp("routes") / "accord.sqlite"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine, expire_on_commit=False) as db:
        make = Factory(db)
        world = make.community(members=2)
        proposal = make.proposal(world, world.members[0], stage="comment")
        people = {
            "anonymous": None,
            "outsider": make.user("Outsider").id,
            "member": world.members[1].id,
            "proposer": world.members[0].id,
            "facilitator": world.facilitator.id,
            "admin": make.user("Admin", admin=True).id,
        }
        places = {
            "slug": world.community.slug,
            "agreement": world.agreement.slug,
            "proposal": proposal.id,
        }
    engine.dispose()
    return Situation(path, places, people)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ROUTE_ACCESS))
def test_route_gives_each_role_exactly_the_table_status(
    situation: Situation, tmp_path: Path, login, endpoint: str, role: str
) -> None:
    """The status each role gets is the one in ROUTE_ACCESS."""
    route = ROUTE_ACCESS[endpoint]
    path = tmp_path / "accord.sqlite"
    shutil.copyfile(situation.path, path)
    app = make_test_app(f"sqlite:///{path}")
    app.test_client_class = CsrfClient
    client = app.test_client()
    try:
        person = situation.people[role]
        if person is not None:
            with Session(get_engine(app)) as db:
                from agreements.models import User

                user = db.get(User, person)
                login(client, user)
        url = route.path.format(**situation.places)
        response = client.open(url, method=route.method, data=route.data)
        assert response.status_code == route.statuses[role], response.get_data(as_text=True)[:300]
    finally:
        get_engine(app).dispose()
