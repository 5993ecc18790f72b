"""A retried API call stores nothing twice: the `Idempotency-Key` header, on both databases.

What an integrator relies on: a repeat with the same key and body gets the first answer
(status and body) and writes nothing more; the same key for another body is a 422; a
request that failed leaves its key free for a real retry; keys belong to their caller.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import func, select

from agreements.models import (
    AuditEvent,
    Comment,
    IdempotencyKey,
    Objection,
    Proposal,
    Stance,
    utcnow,
)
from tests.api.conftest import ON_EACH_DATABASE

pytestmark = ON_EACH_DATABASE

# what is created, the stage its proposal must be at, the path under it, a body, another body
CREATES = {
    "comment": (Comment, "comment", "comments", {"body": "Hello"}, {"body": "Bye"}),
    "stance": (Stance, "consent", "stances", {"position": "consent"}, {"position": "stand_aside"}),
    "objection": (Objection, "objection", "objections", {"reason": "Harm."}, {"reason": "No."}),
    "proposal": (Proposal, "comment", None, {"title": "T", "text": "N"}, {"title": "U", "text": "N"}),  # noqa: E501
}  # fmt: skip


@pytest.fixture
def world(make):
    """A community with a facilitator and two members."""
    return make.community(members=2)


def count(db, model) -> int:
    """Rows of `model` as the app committed them."""
    db.rollback()
    return db.exec(select(func.count()).select_from(model)).one()


def url_for(world, make, what: str) -> str:
    """Where `what` is created, with its proposal at the right stage."""
    _model, stage, path, _body, _other = CREATES[what]
    proposal = make.proposal(world, stage=stage)
    if path is None:
        community, agreement = world.community.slug, world.agreement.slug
        return f"/api/v1/communities/{community}/agreements/{agreement}/proposals"
    return f"/api/v1/proposals/{proposal.id}/{path}"


@pytest.mark.parametrize("what", CREATES)
def test_a_repeat_with_the_same_key_gets_the_first_answer_and_writes_nothing(
    api, db, make, world, bearer, what
):
    model, _stage, _path, body, _other = CREATES[what]
    url = url_for(world, make, what)
    headers = {**bearer(world.members[1]), "Idempotency-Key": f"retry-{what}"}
    rows, events = count(db, model), count(db, AuditEvent)

    first = api.post(url, json=body, headers=headers)
    again = api.post(url, json=body, headers=headers)

    assert first.status_code == 201, first.get_data(as_text=True)
    assert (again.status_code, again.get_json()) == (201, first.get_json())
    assert again.mimetype == "application/json"
    assert count(db, model) == rows + 1 and count(db, AuditEvent) == events + 1


@pytest.mark.parametrize("what", CREATES)
def test_the_same_key_for_another_body_is_refused(api, db, make, world, bearer, what):
    model, _stage, _path, body, other = CREATES[what]
    url = url_for(world, make, what)
    headers = {**bearer(world.members[1]), "Idempotency-Key": "reused"}
    assert api.post(url, json=body, headers=headers).status_code == 201
    rows = count(db, model)

    reused = api.post(url, json=other, headers=headers)

    assert reused.status_code == 422 and "different request" in reused.get_json()["detail"]
    assert count(db, model) == rows


def test_without_a_key_or_with_new_keys_each_call_writes(api, db, make, world, bearer):
    url = url_for(world, make, "comment")
    member = bearer(world.members[1])
    for headers in ({}, {}, {"Idempotency-Key": "a"}, {"Idempotency-Key": "b"}):
        assert api.post(url, json={"body": "Hi"}, headers={**member, **headers}).status_code == 201
    assert count(db, Comment) == 4


def test_a_refused_request_leaves_its_key_free_for_a_real_retry(api, db, make, world, bearer):
    proposal = make.proposal(world, stage="objection")  # no consent round yet
    url = f"/api/v1/proposals/{proposal.id}/stances"
    headers = {**bearer(world.members[1]), "Idempotency-Key": "try-again"}
    assert api.post(url, json={"position": "consent"}, headers=headers).status_code == 409

    opened = api.post(
        f"/api/v1/proposals/{proposal.id}/open-consent-round",
        json={},
        headers=bearer(world.facilitator),
    )
    assert opened.status_code == 200, opened.get_data(as_text=True)
    assert api.post(url, json={"position": "consent"}, headers=headers).status_code == 201
    assert count(db, Stance) == 1


def test_keys_belong_to_their_caller(api, db, make, world, bearer):
    url = url_for(world, make, "comment")
    same_key = {"Idempotency-Key": "shared"}
    for person in world.members:
        response = api.post(url, json={"body": "Me too"}, headers={**bearer(person), **same_key})
        assert response.status_code == 201 and response.get_json()["author_id"] == person.id
    assert count(db, Comment) == 2


def test_an_expired_key_may_be_used_afresh(api, db, make, world, bearer):
    url = url_for(world, make, "comment")
    headers = {**bearer(world.members[1]), "Idempotency-Key": "old"}
    assert api.post(url, json={"body": "Once"}, headers=headers).status_code == 201
    db.execute(update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    assert api.post(url, json={"body": "Once"}, headers=headers).status_code == 201
    assert count(db, Comment) == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "é"])
def test_a_malformed_key_is_refused_and_nothing_is_written(api, db, make, world, bearer, key):
    url = url_for(world, make, "comment")
    response = api.post(
        url, json={"body": "Hi"}, headers={**bearer(world.members[1]), "Idempotency-Key": key}
    )
    assert response.status_code == 422 and "Idempotency-Key" in response.get_json()["detail"]
    assert count(db, Comment) == 0
