"""What is private stays invisible: outsiders cannot tell a private id from a missing one.

For every route of the route matrix that takes an id (pages, htmx partials, POST actions
and the JSON API), anonymous visitors and signed-in outsiders get, for a private
community's real ids, exactly the answer they get for ids that never existed: status, body
and headers, once per-request values (CSRF tokens, the address itself) are set aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session
from werkzeug.test import TestResponse

from agreements import services
from agreements.models import User
from agreements.storage.sessions import get_engine
from tests.conftest import CsrfClient, reusable_test_app
from tests.factories import AGREEMENT_TEXT, Factory
from tests.http.test_route_matrix import ROLES, ROUTE_ACCESS, fill_body, make_scene

OUTSIDERS = ("anonymous", "outsider")
MISSING = {
    "slug": "no-such-community",
    "agreement": "no-such-agreement",
    "recorded": "no-such-agreement",
    "proposal": 987654,
    "objection_proposal": 987655,
    "objection": 987656,
    "consent_proposal": 987657,
    "round": 987658,
    "member_id": 987659,
    "member_token": 987660,
    "member_feed": "no-such-feed",
    "member_notification": 987661,
    "translation": 987662,
}
# Addresses whose secret is itself the permission (a person's feed, the signed links of a
# person's email): whoever holds one reads or answers as that person, private or not.
CAPABILITY_ROUTES = {
    "web.decisions_feed",
    "web.deadlines_calendar",
    "web.unsubscribe",
    "web.confirm_unsubscribe",
    "web.answer",
    "web.confirm_answer",
}
ID_ROUTES = sorted(
    name
    for name, route in ROUTE_ACCESS.items()
    if "{" in route.path and name not in CAPABILITY_ROUTES
)
CSRF_VALUE = re.compile(r'((?:name="csrf_token" value|name="csrf-token" content)=")[^"]*"')
# Content-Length follows the address's length; the body itself is compared.
PER_REQUEST_HEADERS = {"Date", "Set-Cookie", "Content-Length"}


@dataclass(frozen=True)
class Answer:
    """What a client can observe of a response, with per-request values set aside."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: str


def observe(response: TestResponse, url: str) -> Answer:
    """The response as comparable data: CSRF tokens and the requested address blanked."""
    path = url.split("?")[0]
    forms = sorted({url, path, *(quote(u, safe=s) for u in (url, path) for s in ("", "/"))})

    def blank(text: str) -> str:
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, "{address}")
        return text

    body = blank(CSRF_VALUE.sub(r'\1…"', response.get_data(as_text=True)))
    headers = tuple(
        sorted((k, blank(v)) for k, v in response.headers.items() if k not in PER_REQUEST_HEADERS)
    )
    return Answer(response.status_code, headers, body)


def call(
    client: FlaskClient,
    endpoint: str,
    ids: dict[str, Any],
    scene: dict[str, Any],
    headers: dict[str, str],
) -> Answer:
    """Call the route with the ids in its address taken from `ids` (its body from `scene`)."""
    route = ROUTE_ACCESS[endpoint]
    url = route.path.format(**ids)
    if endpoint.startswith("api."):
        body = fill_body(route.json, scene)
        response = client.open(url, method=route.method, json=body, headers=headers)
    else:
        response = client.open(url, method=route.method, data=route.data, headers=headers)
    return observe(response, url)


@pytest.mark.parametrize("database", ["sqlite_url", "postgres_url"])
def test_private_ids_answer_exactly_like_missing_ids(
    request: pytest.FixtureRequest, database: str, login
) -> None:
    """Anonymous and outsider answers for real private ids equal those for missing ids."""
    app = reusable_test_app(request.getfixturevalue(database))
    try:
        with Session(get_engine(app), expire_on_commit=False) as db:
            places, people, tokens = make_scene(db)
            users = {role: db.get(User, people[role]) for role in OUTSIDERS if people[role]}
        differences = []
        for role in OUTSIDERS:
            for endpoint in ID_ROUTES:
                api = endpoint.startswith("api.")
                app.test_client_class = FlaskClient if api else CsrfClient
                client = app.test_client()
                if api:
                    token = tokens[role]
                    variants = [{"Authorization": f"Bearer {token}"} if token else {}]
                else:
                    if role in users:
                        login(client, users[role])
                    variants = [{}, {"HX-Request": "true"}]
                for headers in variants:
                    real = call(client, endpoint, places, places, headers)
                    missing = call(client, endpoint, MISSING, places, headers)
                    if real != missing:
                        differences.append(f"{role} {endpoint} {headers}: {real} != {missing}")
        assert not differences, "\n\n".join(line[:1500] for line in differences[:5])
    finally:
        get_engine(app).dispose()


DRAFT_TITLE = "Secret plan of the author"


def test_a_draft_is_seen_by_its_author_alone(any_db_url: str, login) -> None:
    """Other members (and admins) find no trace of a draft's title on any page or in the
    API: lists, history pages, event feeds, the draft's own pages; its author does."""
    app = reusable_test_app(any_db_url)
    try:
        with Session(get_engine(app), expire_on_commit=False) as db:
            make = Factory(db)
            world = make.community(members=2)
            author, other = world.members
            admin = make.user("Admin", admin=True)
            draft = services.propose_amendment(
                db,
                author,
                agreement_id=world.agreement.id,
                title=DRAFT_TITLE,
                rationale="Not yet.",
                text=AGREEMENT_TEXT + "\nMore.\n",
                submit=False,
            )
            tokens = {
                who.id: services.create_api_token(db, who, name="t")[1]
                for who in (author, other, world.facilitator, admin)
            }
            db.commit()
        community = f"/c/{world.community.slug}"
        agreement = f"{community}/a/{world.agreement.slug}"
        api_agreement = f"/api/v1/communities/{world.community.slug}/agreements/"
        api_agreement += world.agreement.slug
        pages = [
            community,
            agreement,
            f"{community}/history",
            f"{agreement}/history",
            f"{agreement}/history?action=proposal.created",
            f"/p/{draft.id}",
            f"/p/{draft.id}/history",
        ]
        feeds = [
            f"/api/v1/communities/{world.community.slug}/events",
            f"{api_agreement}/events",
            f"{api_agreement}/proposals",
            f"/api/v1/proposals/{draft.id}",
            f"/api/v1/proposals/{draft.id}/events",
        ]

        def seen(who: User) -> list[str]:
            app.test_client_class = CsrfClient
            client = app.test_client()
            login(client, who)
            api = {"Authorization": f"Bearer {tokens[who.id]}"}
            calls = [(page, {}) for page in pages] + [(feed, api) for feed in feeds]
            return [
                where
                for where, headers in calls
                if DRAFT_TITLE in client.get(where, headers=headers).text
            ]

        for who in (other, world.facilitator, admin):
            assert seen(who) == [], who.display_name
        assert f"{agreement}/history" in seen(author)
    finally:
        get_engine(app).dispose()


HREF = re.compile(r'href="(/[^"#]*)"')


@pytest.mark.parametrize("role", ROLES)
def test_no_link_on_the_main_pages_answers_403(sqlite_url: str, login, role: str) -> None:
    """Each person follows every link of the main pages (and of the pages they lead to)
    and is never refused: a link someone may not use is not shown to them."""
    app = reusable_test_app(sqlite_url)
    try:
        with Session(get_engine(app), expire_on_commit=False) as db:
            places, people, _tokens = make_scene(db)
            person = db.get(User, people[role]) if people[role] else None
        app.test_client_class = CsrfClient
        client = app.test_client()
        if person is not None:
            login(client, person)
        community = f"/c/{places['slug']}"
        main_pages = [
            "/",
            "/account",
            "/admin",
            community,
            f"{community}/a/{places['agreement']}",
            f"{community}/a/{places['recorded']}",
            f"{community}/history",
            f"{community}/members",
            f"{community}/settings",
            *(
                f"/p/{places[key]}"
                for key in ("proposal", "objection_proposal", "consent_proposal")
            ),
        ]
        refused = []
        for page in main_pages:
            response = client.get(page)
            if response.status_code != 200:
                continue  # a page this person may not open is not theirs to crawl
            links = {link.replace("&amp;", "&") for link in HREF.findall(response.text)}
            for link in sorted(links - {"/sign-out"}):
                if link.startswith(("/static/", "/assets/")):
                    continue
                status = client.get(link).status_code
                if status == 403 or status >= 500:
                    refused.append(f"{page} -> {link}: {status}")
        assert refused == []
    finally:
        get_engine(app).dispose()
