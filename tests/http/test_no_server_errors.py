"""No input makes a 500: hostile values in every route's path, query string, form and JSON.

Hypothesis throws generated values (numbers beyond 64 bits, negative, non-numeric,
Unicode, NUL bytes, empty, deep nesting) at each route of the route matrix, anonymous and
signed in, one place at a time: a path parameter (a `{place}` or a number in the path), a
query parameter, a form field or a JSON member. Whatever the value, the answer is never a
5xx. Each example starts from a fresh copy of the matrix's prepared database.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from agreements.models import User
from agreements.storage.sessions import connect, get_engine
from tests.conftest import CsrfClient, reusable_test_app
from tests.http import test_route_matrix
from tests.http.test_route_matrix import ROUTE_ACCESS, Route, Situation, fill_body

situation = test_route_matrix.situation  # the matrix's prepared database, as a fixture here

# Where a path can take a value: a place of the scene, or a number (version, revision).
PATH_SLOT = re.compile(r"\{\w+\}|(?<=/)\d+")
# Numbers the pages and the API read from query strings and fields, wherever they occur.
QUERY_NAMES = ("from", "to", "person", "page", "per_page", "action", "view", "mode", "next")
FORM_NAMES = ("parent_id", "expected_revision", "base_version_id", "quorum_percent", "integrates")
JSON_NAMES = ("user_id", "parent_id", "base_version", "integrates", "quorum_percent")

HOSTILE_TEXT = st.one_of(
    st.sampled_from(
        [
            "9223372036854775808",
            "99999999999999999999",
            "18446744073709551616",
            "2147483648",
            "-1",
            "-9223372036854775809",
            "0",
            "",
            " ",
            "\x00",
            "1\x00",
            "١٢",
            "1e309",
            "NaN",
            "+5",
            "1_000",
            "9" * 5000,
        ]
    ),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(max_size=12),
)
HOSTILE_JSON = st.one_of(
    HOSTILE_TEXT,
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from([2**63, 2**64, -1, 0, 1e308, None, True, [], {}, [[[[]]]]]),
    st.lists(st.integers(min_value=-(2**70), max_value=2**70), max_size=3),
)


@pytest.fixture(scope="module")
def prepared(situation: Situation, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One app on one working database file, restored from the matrix's copy per example."""
    path = tmp_path_factory.mktemp("hostile") / "accord.sqlite"
    shutil.copyfile(situation.path, path)
    app = reusable_test_app(f"sqlite:///{path}")
    yield app, path
    get_engine(app).dispose()


def fresh_database(app: Flask, path: Path, situation: Situation) -> None:
    """Put the prepared database back, so no example sees another's changes."""
    get_engine(app).dispose()
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(situation.path, path)
    connect(app)


def hostile_request(route: Route, places: dict[str, Any], where: str, value: Any, slot: int):
    """The route's request with `value` put in one place: (url, query, form, json)."""
    url = urlsplit(route.path)
    path, query = url.path, dict(part.split("=", 1) for part in url.query.split("&") if part)
    form = dict(route.data)
    body = fill_body(route.json, places)
    if where == "path":
        slots = list(PATH_SLOT.finditer(path))
        if slots:
            chosen = slots[slot % len(slots)]
            text = quote(str(value), safe="") or "%20"
            path = path[: chosen.start()] + text + path[chosen.end() :]
    elif where == "query":
        query[[*query, *QUERY_NAMES][slot % (len(query) + len(QUERY_NAMES))]] = str(value)
    elif where == "form" and route.method != "GET" and not path.startswith("/api/"):
        form[[*form, *FORM_NAMES][slot % (len(form) + len(FORM_NAMES))]] = str(value)
    elif where == "json" and body is not None:
        body[[*body, *JSON_NAMES][slot % (len(body) + len(JSON_NAMES))]] = value
    return path.format(**places), query, form, body


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    signed_in=st.booleans(),
    where=st.sampled_from(["path", "query", "form", "json"]),
    slot=st.integers(min_value=0, max_value=20),
    value=HOSTILE_JSON,
)
@example(signed_in=True, where="path", slot=0, value="9223372036854775808")
@pytest.mark.parametrize("endpoint", sorted(ROUTE_ACCESS))
def test_no_input_makes_a_server_error(
    situation: Situation, prepared, login, endpoint, signed_in, where, slot, value
) -> None:
    """Whatever is sent where, the answer is below 500."""
    app, path = prepared
    fresh_database(app, path, situation)
    route = ROUTE_ACCESS[endpoint]
    if where != "json":
        value = value if isinstance(value, str) else str(value)
    url, query, form, body = hostile_request(route, situation.places, where, value, slot)
    api = endpoint.startswith("api.")
    app.test_client_class = FlaskClient if api else CsrfClient
    client = app.test_client()
    role = "facilitator" if signed_in else "anonymous"
    headers = {}
    if api and situation.tokens[role]:
        headers["Authorization"] = f"Bearer {situation.tokens[role]}"
    elif signed_in:
        with Session(get_engine(app)) as db:
            login(client, db.get(User, situation.people[role]))
    if api:
        response = client.open(
            url, method=route.method, query_string=query, json=body, headers=headers
        )
    else:
        response = client.open(url, method=route.method, query_string=query, data=form)
    assert response.status_code < 500, (endpoint, url, query, form, body)


@pytest.mark.parametrize("signed_in", [False, True])
def test_deeply_nested_json_is_a_problem_not_a_crash(situation: Situation, prepared, signed_in):
    """100,000 brackets are a 4xx problem+json, never a RecursionError or an HTML page."""
    app, path = prepared
    fresh_database(app, path, situation)
    token = situation.tokens["facilitator" if signed_in else "anonymous"]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = app.test_client().post(
        f"/api/v1/proposals/{situation.places['proposal']}/comments",
        data="[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code in ((422, 400) if signed_in else (401,))
    assert response.mimetype == "application/problem+json"
    if signed_in:
        assert "nested too deeply" in response.get_json()["detail"]
