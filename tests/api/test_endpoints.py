"""Every API operation: its success, its refusals, and who may call it (per role)."""

from __future__ import annotations

import pytest

from agreements import services

PROBLEM = "application/problem+json"


@pytest.fixture
def world(make):
    """A private community: a facilitator, two members, an agreement at version 1."""
    return make.community(members=2)


@pytest.fixture
def people(world, make, bearer):
    """Authorization headers by role: facilitator, proposer, member, outsider, admin."""
    return {
        "facilitator": bearer(world.facilitator),
        "proposer": bearer(world.members[0]),
        "member": bearer(world.members[1]),
        "outsider": bearer(make.user("Outsider")),
        "admin": bearer(make.user("Admin", admin=True)),
        "anonymous": {},
    }


def base(world) -> str:
    return f"/api/v1/communities/{world.community.slug}"


def agreement(world) -> str:
    return f"{base(world)}/agreements/{world.agreement.slug}"


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert {"type", "title", "status", "detail"} <= body.keys() and body["status"] == status
    return body


# --- authentication -------------------------------------------------------------------


def test_writing_without_a_token_asks_for_one(api, world):
    body = problem(api.post(f"{agreement(world)}/proposals", json={"title": "t", "text": "x"}), 401)
    assert "Bearer" in body["detail"]


@pytest.mark.parametrize("header", ["Bearer nonsense", "Basic abc", "Bearer "])
def test_a_bad_token_is_refused_not_treated_as_anonymous(api, header):
    assert problem(api.get("/api/v1/communities", headers={"Authorization": header}), 401)


def test_a_revoked_token_stops_working(api, db, world):
    token, plaintext = services.create_api_token(db, world.facilitator, name="bot")
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert api.get("/api/v1/me", headers=headers).get_json()["id"] == world.facilitator.id
    services.revoke_api_token(db, world.facilitator, token_id=token.id)
    problem(api.get("/api/v1/me", headers=headers), 401)


def test_a_signed_in_browser_session_does_not_authenticate_the_api(client, login, world):
    login(client, world.members[0])
    response = client.post(f"{agreement(world)}/proposals", json={"title": "t", "text": "new"})
    problem(response, 401)


def test_tokens_are_stored_hashed(db, world):
    token, plaintext = services.create_api_token(db, world.facilitator, name="bot")
    assert plaintext not in token.token_hash and len(token.token_hash) == 64


# --- communities and members ----------------------------------------------------------


def test_private_communities_are_listed_only_to_their_members(api, world, people):
    def slugs(who):
        return [
            c["slug"]
            for c in api.get("/api/v1/communities", headers=people[who]).get_json()["items"]
        ]

    assert world.community.slug in slugs("member")
    assert world.community.slug not in slugs("anonymous")
    assert world.community.slug not in slugs("outsider")
    problem(api.get(base(world), headers=people["outsider"]), 404)
    assert (
        api.get(base(world), headers=people["facilitator"]).get_json()["my_role"] == "facilitator"
    )


@pytest.mark.parametrize(
    ("who", "status"), [("admin", 201), ("facilitator", 403), ("anonymous", 401)]
)
def test_only_administrators_create_communities(api, people, who, status):
    response = api.post(
        "/api/v1/communities", json={"slug": "new-one", "name": "New"}, headers=people[who]
    )
    assert response.status_code == status


def test_creating_a_community_refuses_a_bad_or_taken_slug(api, world, people):
    body = problem(
        api.post(
            "/api/v1/communities", json={"slug": "Bad Slug", "name": "N"}, headers=people["admin"]
        ),
        422,
    )
    assert body["errors"][0]["field"] == "slug"
    problem(
        api.post(
            "/api/v1/communities",
            json={"slug": world.community.slug, "name": "N"},
            headers=people["admin"],
        ),
        409,
    )


SETTINGS = {
    "protocol": "consent",
    "quorum_rule": "organisation",
    "quorum_percent": 60,
    "default_round_days": 5,
    "is_private": True,
}


@pytest.mark.parametrize(
    ("who", "status"), [("facilitator", 200), ("member", 403), ("outsider", 404)]
)
def test_only_facilitators_change_settings(api, world, people, who, status):
    response = api.put(f"{base(world)}/settings", json=SETTINGS, headers=people[who])
    assert response.status_code == status
    if status == 200:
        assert response.get_json()["quorum_rule"] == "organisation"


def test_settings_out_of_range_are_invalid_input(api, world, people):
    body = problem(
        api.put(
            f"{base(world)}/settings",
            json={**SETTINGS, "quorum_percent": 101},
            headers=people["facilitator"],
        ),
        422,
    )
    assert body["errors"][0]["field"] == "quorum_percent"


def test_facilitators_manage_members(api, world, make, people):
    newcomer = make.user("Newcomer")
    added = api.post(
        f"{base(world)}/members",
        json={"user_id": newcomer.id, "organisation": "Org"},
        headers=people["facilitator"],
    )
    assert added.status_code == 201 and added.get_json()["organisation"] == "Org"
    problem(
        api.post(
            f"{base(world)}/members", json={"user_id": newcomer.id}, headers=people["facilitator"]
        ),
        409,
    )
    changed = api.patch(
        f"{base(world)}/members/{newcomer.id}",
        json={"role": "facilitator"},
        headers=people["facilitator"],
    )
    assert changed.get_json()["role"] == "facilitator"
    listed = api.get(f"{base(world)}/members", headers=people["facilitator"]).get_json()
    assert listed["total"] == 4 and "email" not in listed["items"][0]
    problem(api.get(f"{base(world)}/members", headers=people["member"]), 403)
    problem(
        api.post(f"{base(world)}/members", json={"user_id": newcomer.id}, headers=people["member"]),
        403,
    )


def test_the_last_facilitator_cannot_be_demoted(api, world, people):
    response = api.patch(
        f"{base(world)}/members/{world.facilitator.id}",
        json={"role": "member"},
        headers=people["facilitator"],
    )
    assert "at least one facilitator" in problem(response, 409)["detail"]


# --- agreements and versions ----------------------------------------------------------


def test_agreements_and_their_versions_can_be_read(api, world, people):
    member = people["member"]
    listed = api.get(f"{base(world)}/agreements", headers=member).get_json()
    assert listed["items"][0]["current_version"] == 1
    assert api.get(agreement(world), headers=member).get_json()["slug"] == world.agreement.slug
    assert api.get(f"{agreement(world)}/versions", headers=member).get_json()["total"] == 1
    version = api.get(f"{agreement(world)}/versions/1", headers=member).get_json()
    assert "<h1" in version["html"] and version["text"].startswith("# Our agreement")
    problem(api.get(f"{agreement(world)}/versions/9", headers=member), 404)
    assert (
        "imported"
        in problem(api.get(f"{agreement(world)}/versions/1/record", headers=member), 404)["detail"]
    )


@pytest.mark.parametrize(
    ("who", "status"), [("facilitator", 201), ("member", 403), ("anonymous", 401)]
)
def test_only_facilitators_start_agreements(api, world, people, who, status):
    response = api.post(
        f"{base(world)}/agreements", json={"title": "Second", "text": "# Two"}, headers=people[who]
    )
    assert response.status_code == status


def test_comparing_versions_gives_a_word_diff(api, world, make, people):
    make.proposal(world, stage="adopted")
    diff = api.get(f"{agreement(world)}/compare?from=1&to=2", headers=people["member"]).get_json()
    assert diff["words_added"] >= 1
    changed = [p for p in diff["paragraphs"] if p["op"] != "equal"]
    assert any(s["op"] == "insert" and "all" in s["text"] for s in changed[0]["segments"])
    problem(api.get(f"{agreement(world)}/compare?from=1", headers=people["member"]), 422)


# --- proposals --------------------------------------------------------------------------


def test_proposing_needs_membership_and_a_change(api, world, people):
    url = f"{agreement(world)}/proposals"
    text = api.get(f"{agreement(world)}/versions/1", headers=people["member"]).get_json()["text"]
    problem(api.post(url, json={"title": "Same", "text": text}, headers=people["member"]), 422)
    problem(api.post(url, json={"title": "T", "text": "new"}, headers=people["outsider"]), 404)
    problem(
        api.post(
            url, json={"title": "T", "text": "new", "colour": "red"}, headers=people["member"]
        ),
        422,
    )
    created = api.post(
        url, json={"title": "T", "text": "new", "base_version": 1}, headers=people["member"]
    )
    assert created.status_code == 201 and created.get_json()["state"] == "proposed"
    listed = api.get(f"{url}?state=proposed", headers=people["member"]).get_json()
    assert [p["id"] for p in listed["items"]] == [created.get_json()["id"]]


def test_revising_with_a_stale_etag_is_refused(api, world, make, people):
    proposal = make.proposal(world, stage="comment")
    url = f"/api/v1/proposals/{proposal.id}"
    etag = api.get(url, headers=people["proposer"]).headers["ETag"]
    assert etag == 'W/"rev-1"'
    first = api.post(
        f"{url}/revisions",
        json={"text": "second text"},
        headers={**people["proposer"], "If-Match": etag},
    )
    assert first.status_code == 201 and first.headers["ETag"] == 'W/"rev-2"'
    stale = api.post(
        f"{url}/revisions",
        json={"text": "third text"},
        headers={**people["proposer"], "If-Match": etag},
    )
    assert "Revision 2" in problem(stale, 412)["detail"]
    problem(
        api.post(
            f"{url}/revisions",
            json={"text": "x"},
            headers={**people["proposer"], "If-Match": "rev-2"},
        ),
        422,
    )
    problem(api.post(f"{url}/revisions", json={"text": "fourth"}, headers=people["member"]), 403)
    assert api.get(f"{url}/revisions", headers=people["member"]).get_json()["total"] == 2
    assert (
        api.get(f"{url}/revisions/2", headers=people["member"]).get_json()["text"] == "second text"
    )
    diff = api.get(f"{url}/revisions/2/diff?against=previous", headers=people["member"]).get_json()
    assert diff["old_label"] == "revision 1" and diff["new_label"] == "revision 2"
    problem(api.get(f"{url}/revisions/3", headers=people["member"]), 404)


@pytest.mark.parametrize(
    ("path", "who", "status", "state"),
    [
        ("open-comments", "facilitator", 200, "comment"),
        ("open-comments", "member", 403, None),
        ("withdraw", "proposer", 200, "withdrawn"),
        ("withdraw", "member", 403, None),
        ("adopt", "facilitator", 409, None),
        ("submit", "proposer", 409, None),
    ],
)
def test_protocol_moves_by_role(api, world, make, people, path, who, status, state):
    proposal = make.proposal(world, stage="proposed")
    body = {"outcome_statement": "Agreed."} if path == "adopt" else {}
    response = api.post(f"/api/v1/proposals/{proposal.id}/{path}", json=body, headers=people[who])
    assert response.status_code == status, response.get_json()
    if state:
        assert response.get_json()["state"] == state
    else:
        assert "Cannot" in response.get_json()["detail"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("adopt", {}),
        ("adopt", {"outcome_statement": "  "}),
        ("reject", {"reason": ""}),
        ("lapse", {"reason": "\n"}),
    ],
)
def test_closing_needs_an_outcome_statement(api, world, make, people, path, body):
    """Adopt, reject and lapse without a statement: 422, and the proposal stays open."""
    proposal = make.proposal(world, stage="consent")
    url = f"/api/v1/proposals/{proposal.id}"
    refusal = problem(api.post(f"{url}/{path}", json=body, headers=people["facilitator"]), 422)
    assert "required" in refusal["detail"]
    assert api.get(url, headers=people["facilitator"]).get_json()["state"] == "consent"


def test_rejecting_needs_a_reason(api, world, make, people):
    proposal = make.proposal(world, stage="comment")
    url = f"/api/v1/proposals/{proposal.id}/reject"
    problem(api.post(url, json={}, headers=people["facilitator"]), 422)
    assert (
        api.post(url, json={"reason": "Out of scope."}, headers=people["facilitator"]).get_json()[
            "state"
        ]
        == "rejected"
    )


def test_a_round_deadline_is_kept_and_must_be_in_the_future(api, world, make, people):
    proposal = make.proposal(world, stage="comment")
    url = f"/api/v1/proposals/{proposal.id}"
    problem(
        api.post(
            f"{url}/open-objection-round",
            json={"deadline": "2000-01-01T00:00:00Z"},
            headers=people["facilitator"],
        ),
        422,
    )
    problem(
        api.post(
            f"{url}/open-objection-round",
            json={"deadline": "2100-01-01T00:00:00"},
            headers=people["facilitator"],
        ),
        422,
    )
    opened = api.post(
        f"{url}/open-objection-round",
        json={"deadline": "2100-01-01T00:00:00Z"},
        headers=people["facilitator"],
    )
    assert opened.status_code == 200
    rounds = api.get(f"{url}/rounds", headers=people["member"]).get_json()["items"]
    assert rounds[-1]["deadline"].startswith("2100-01-01T00:00:00")
    assert api.get(url, headers=people["member"]).status_code == 200


# --- discussion -------------------------------------------------------------------------


def test_members_comment_and_reply_outsiders_cannot(api, world, make, people):
    proposal = make.proposal(world, stage="comment")
    url = f"/api/v1/proposals/{proposal.id}/comments"
    first = api.post(
        url, json={"body": "Why?", "kind": "question"}, headers=people["member"]
    ).get_json()
    reply = api.post(
        url, json={"body": "Because.", "parent_id": first["id"]}, headers=people["proposer"]
    )
    assert reply.status_code == 201 and reply.get_json()["parent_id"] == first["id"]
    problem(
        api.post(url, json={"body": "x", "anchor": "not in the text"}, headers=people["member"]),
        409,
    )
    problem(api.post(url, json={"body": "x", "kind": "shout"}, headers=people["member"]), 422)
    problem(api.post(url, json={"body": "x"}, headers=people["outsider"]), 404)
    assert api.get(url, headers=people["member"]).get_json()["total"] == 2


def test_concerns_are_recorded(api, world, make, people):
    proposal = make.proposal(world, stage="comment")
    url = f"/api/v1/proposals/{proposal.id}/concerns"
    assert api.post(url, json={"text": "Hmm."}, headers=people["member"]).status_code == 201
    assert api.get(url, headers=people["member"]).get_json()["items"][0]["text"] == "Hmm."


def test_objection_lifecycle_by_role(api, world, make, people):
    proposal = make.proposal(world, stage="objection")
    url = f"/api/v1/proposals/{proposal.id}/objections"
    problem(api.post(url, json={"reason": ""}, headers=people["member"]), 422)
    objection = api.post(url, json={"reason": "Unclear."}, headers=people["member"]).get_json()
    one = f"/api/v1/objections/{objection['id']}"
    assert api.get(one, headers=people["proposer"]).get_json()["state"] == "open"
    problem(api.get(one, headers=people["outsider"]), 404)
    problem(api.post(f"{one}/overrule", json={}, headers=people["facilitator"]), 422)
    problem(api.post(f"{one}/withdraw", json={}, headers=people["proposer"]), 403)
    reclassified = api.post(f"{one}/reclassify", json={}, headers=people["member"])
    assert reclassified.get_json()["state"] == "reclassified"
    second = api.post(url, json={"reason": "Still unclear."}, headers=people["member"]).get_json()
    overruled = api.post(
        f"/api/v1/objections/{second['id']}/overrule",
        json={"reason": "Not paramount."},
        headers=people["facilitator"],
    )
    assert overruled.get_json()["state"] == "overruled"
    third = api.post(url, json={"reason": "Third."}, headers=people["member"]).get_json()
    assert (
        api.post(
            f"/api/v1/objections/{third['id']}/withdraw", json={}, headers=people["member"]
        ).get_json()["state"]
        == "withdrawn"
    )
    problem(
        api.post(f"/api/v1/objections/{third['id']}/reopen", json={}, headers=people["member"]), 409
    )
    assert api.get(url, headers=people["member"]).get_json()["total"] == 3


# --- rounds and stances -----------------------------------------------------------------


def test_stances_in_the_consent_round(api, world, make, people):
    proposal = make.proposal(world, stage="consent")
    url = f"/api/v1/proposals/{proposal.id}"
    problem(api.post(f"{url}/stances", json={"position": "object"}, headers=people["member"]), 422)
    problem(api.post(f"{url}/stances", json={"position": "maybe"}, headers=people["member"]), 422)
    problem(
        api.post(f"{url}/stances", json={"position": "consent"}, headers=people["outsider"]), 404
    )
    problem(api.post(f"{url}/stances/reconfirm", headers=people["member"]), 409)
    given = api.post(f"{url}/stances", json={"position": "stand_aside"}, headers=people["member"])
    assert given.status_code == 201
    round_id = api.get(url, headers=people["member"]).get_json()["open_round_id"]
    detail = api.get(f"/api/v1/rounds/{round_id}", headers=people["member"]).get_json()
    assert detail["tally"]["counts"]["stand_aside"] == 1
    api.post(f"{url}/stances", json={"position": "consent"}, headers=people["member"])
    stances = api.get(f"/api/v1/rounds/{round_id}/stances", headers=people["member"]).get_json()[
        "items"
    ]
    assert [s["is_current"] for s in stances] == [False, True]
    objected = api.post(
        f"{url}/stances", json={"position": "object", "reason": "No."}, headers=people["proposer"]
    )
    assert objected.status_code == 201
    assert api.get(url, headers=people["member"]).get_json()["state"] == "objection"
    problem(api.get("/api/v1/rounds/999999", headers=people["member"]), 404)


def test_stances_on_an_earlier_text_are_listed_as_stale(api, world, make, people):
    proposal = make.proposal(world, stage="consent")
    url = f"/api/v1/proposals/{proposal.id}"
    api.post(f"{url}/stances", json={"position": "consent"}, headers=people["member"])
    round_id = api.get(url, headers=people["member"]).get_json()["open_round_id"]
    stances_url = f"/api/v1/rounds/{round_id}/stances"
    listed = api.get(stances_url, headers=people["member"]).get_json()["items"]
    assert [(s["stale"], s["counts"]) for s in listed] == [(False, True)]
    revised = api.post(
        f"{url}/revisions", json={"text": "A new text.\n"}, headers=people["proposer"]
    )
    assert revised.status_code == 201
    listed = api.get(stances_url, headers=people["member"]).get_json()["items"]
    assert [(s["is_current"], s["stale"], s["counts"]) for s in listed] == [(True, True, False)]
    reconfirmed = api.post(f"{url}/stances/reconfirm", headers=people["member"]).get_json()
    assert (reconfirmed["stale"], reconfirmed["counts"]) == (False, True)
    listed = api.get(stances_url, headers=people["member"]).get_json()["items"]
    assert [(s["stale"], s["counts"]) for s in listed] == [(True, False), (False, True)]


def test_a_round_that_misses_quorum_can_lapse(api, world, make, people):
    proposal = make.proposal(world, stage="consent")
    url = f"/api/v1/proposals/{proposal.id}/lapse"
    problem(api.post(url, json={"reason": "Nobody answered."}, headers=people["member"]), 403)
    assert (
        api.post(
            url, json={"reason": "Nobody answered."}, headers=people["facilitator"]
        ).get_json()["state"]
        == "lapsed"
    )


# --- audit, pagination and error shapes -----------------------------------------------


def test_audit_events_are_listed_per_community_agreement_and_proposal(api, world, make, people):
    proposal = make.proposal(world, stage="comment")
    member = people["member"]
    community_events = api.get(f"{base(world)}/events", headers=member).get_json()
    assert community_events["items"][0]["action"] == "community.created"
    agreement_events = api.get(f"{agreement(world)}/events", headers=member).get_json()
    assert {e["agreement_id"] for e in agreement_events["items"]} == {world.agreement.id}
    actions = [
        e["action"]
        for e in api.get(f"/api/v1/proposals/{proposal.id}/events", headers=member).get_json()[
            "items"
        ]
    ]
    assert actions == ["proposal.created", "proposal.open_comments"]
    problem(api.get(f"{base(world)}/events", headers=people["outsider"]), 404)


def test_drafts_stay_private_to_their_proposer(api, world, make, people):
    draft = make.proposal(world, stage="draft")
    problem(api.get(f"/api/v1/proposals/{draft.id}", headers=people["member"]), 404)
    assert api.get(f"/api/v1/proposals/{draft.id}", headers=people["proposer"]).status_code == 200
    events = api.get(f"{base(world)}/events?per_page=200", headers=people["member"]).get_json()[
        "items"
    ]
    assert all(e["proposal_id"] != draft.id for e in events)
    assert (
        api.post(f"/api/v1/proposals/{draft.id}/submit", headers=people["proposer"]).get_json()[
            "state"
        ]
        == "proposed"
    )


def test_lists_are_paginated(api, world, people):
    url = f"{base(world)}/events"
    first = api.get(f"{url}?per_page=2", headers=people["member"]).get_json()
    assert len(first["items"]) == 2 and first["total"] > 2 and first["page"] == 1
    second = api.get(first["next"], headers=people["member"]).get_json()
    assert second["page"] == 2 and second["items"][0]["seq"] > first["items"][-1]["seq"]
    problem(api.get(f"{url}?per_page=201", headers=people["member"]), 422)
    problem(api.get(f"{url}?page=0", headers=people["member"]), 422)


def test_malformed_requests_get_problems_not_pages(api, world, people):
    url = f"{agreement(world)}/proposals"
    problem(
        api.post(url, data="{not json", content_type="application/json", headers=people["member"]),
        422,
    )
    problem(api.get("/api/v1/no-such-thing"), 404)
    assert "POST" in api.delete(url, headers=people["member"]).headers["Allow"]
    too_big = api.post(url, json={"title": "T", "text": "x" * 3_000_000}, headers=people["member"])
    problem(too_big, 413)


def test_a_stale_proposal_is_rebased_or_refused_with_its_conflicts(api, world, make, people):
    from tests.factories import AGREEMENT_TEXT

    clean = make.proposal(world, stage="comment", text=AGREEMENT_TEXT.replace("respect.", "care."))
    clashing = make.proposal(
        world, stage="comment", text=AGREEMENT_TEXT.replace("We share what we learn.", "We hoard.")
    )
    make.proposal(world, stage="adopted")
    problem(api.post(f"/api/v1/proposals/{clean.id}/rebase", headers=people["member"]), 403)
    rebased = api.post(f"/api/v1/proposals/{clean.id}/rebase", headers=people["facilitator"])
    assert rebased.status_code == 201, rebased.get_data(as_text=True)
    assert rebased.get_json()["number"] == 2 and rebased.headers["ETag"] == 'W/"rev-2"'
    conflict = problem(
        api.post(f"/api/v1/proposals/{clashing.id}/rebase", headers=people["proposer"]), 409
    )
    assert "We share what we learn." in conflict["detail"]


@pytest.mark.parametrize("app", ["sqlite_url", "postgres_url"], indirect=True)
def test_an_agreement_is_created_in_a_language(api, world, people):
    """The body's BCP 47 tag is kept in its usual case; a malformed one is a clear 422."""
    url = f"{base(world)}/agreements"
    body = {"title": "ميثاق", "text": "# ميثاق", "language": "ar-eg"}
    created = api.post(url, json=body, headers=people["facilitator"])
    assert created.status_code == 201 and created.get_json()["language"] == "ar-EG"
    refused = api.post(url, json={**body, "language": "arabic!"}, headers=people["facilitator"])
    assert "is not a language tag" in problem(refused, 422)["detail"]
    listed = api.get(url, headers=people["member"]).get_json()
    assert {a["language"] for a in listed["items"]} == {"en", "ar-EG"}
