"""Property-based fuzzing of every operation against the live app (no network: WSGI in-process).

schemathesis generates requests from the OpenAPI document; each must get an answer that is
not a server error and that matches the schema documented for its status code. It runs as a
facilitator of the demo community, so writes reach the services' rules and not only 401s.
"""

from __future__ import annotations

import shutil
import uuid

import pytest
import schemathesis
from hypothesis import settings
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from sqlmodel import Session, select

from agreements import services
from agreements.api.spec import openapi_document
from agreements.demo import PEOPLE
from agreements.models import User
from agreements.storage.sessions import get_engine
from tests.conftest import make_test_app


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, demo_template):
    """One demo-seeded app for the whole module (seeding per example would be far too slow)."""
    path = tmp_path_factory.mktemp("fuzz") / "accord.sqlite"
    shutil.copyfile(demo_template, path)
    app = make_test_app(f"sqlite:///{path}")
    with Session(get_engine(app), expire_on_commit=False) as session:
        facilitator = session.exec(select(User).where(User.email == PEOPLE[0][0])).one()
        _row, token = services.create_api_token(session, facilitator, name="fuzz")
    app.config["FUZZ_TOKEN"] = token
    yield app
    get_engine(app).dispose()


# The document /api/v1/openapi.json serves (test_openapi.py proves they are the same).
schema = schemathesis.openapi.from_dict(openapi_document())
schema.config.update(base_url="http://localhost/api/v1")


@schema.parametrize()
@settings(max_examples=50, derandomize=True, deadline=None)
def test_every_operation_answers_within_its_schema(case, demo_app):
    """Every default check: no 5xx, documented statuses, headers and bodies, valid data
    accepted and invalid data rejected, authentication not ignored."""
    case.operation.schema.app = demo_app  # in-process WSGI calls (checks' too), no network
    if case.headers and "Idempotency-Key" in case.headers:
        # Generated keys repeat across unrelated requests, which the API rightly refuses;
        # reuse is tested in test_idempotency.py, so each case here gets a key of its own.
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    components = case.meta.components.values() if case.meta else ()
    if any(component.mode is GenerationMode.NEGATIVE for component in components):
        # schemathesis 4.32's coverage phase can label a case positive while its header and
        # body were mutated into invalid values (If-Match "0", body 0); judge it as negative.
        case.meta.generation.mode = GenerationMode.NEGATIVE
    # Identity: the in-process WSGI transport does not decode compressed bodies.
    headers = {
        "Authorization": f"Bearer {demo_app.config['FUZZ_TOKEN']}",
        "Accept-Encoding": "identity",
    }
    response = case.call(app=demo_app, headers=headers)
    # A body larger than the server accepts is refused before it is parsed, with the 413 that
    # every operation with a body declares (its schema is still checked); schemathesis's list
    # of rejections omits 413, so only for that answer is the rejection check not asked.
    excluded = [negative_data_rejection] if response.status_code == 413 else []
    # A deadline must lie in the future: a rule of time no schema can state, so a deadline
    # the schema allows may still be refused (422, naming the field); nothing else may be.
    if response.status_code == 422 and refused_fields(response) == {"deadline"}:
        excluded.append(positive_data_acceptance)
    case.validate_response(
        response, headers=headers, excluded_checks=excluded, transport_kwargs={"app": demo_app}
    )


def refused_fields(response) -> set[str]:
    """The fields a 422 problem names."""
    return {error.get("field") for error in response.json().get("errors", [])}
