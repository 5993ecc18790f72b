"""The whole consent protocol driven through the API alone, as an integrator would.

It runs on SQLite and on PostgreSQL (mandatory in CI), so the API's queries, paging and
row locks are exercised on the database production uses.
"""

from __future__ import annotations

from tests.api.conftest import ON_EACH_DATABASE

pytestmark = ON_EACH_DATABASE


def test_a_proposal_goes_from_first_text_to_adopted_version_with_its_record(api, make, bearer):
    world = make.community(members=2)
    proposer, objector = world.members
    as_facilitator, as_proposer, as_objector = (
        bearer(p) for p in (world.facilitator, proposer, objector)
    )
    agreement = f"/api/v1/communities/{world.community.slug}/agreements/{world.agreement.slug}"
    text_v1 = api.get(f"{agreement}/versions/1", headers=as_proposer).get_json()["text"]

    created = api.post(
        f"{agreement}/proposals",
        json={
            "title": "Say who decides",
            "text": text_v1 + "\nFacilitators decide.\n",
            "rationale": "Clarity.",
        },
        headers=as_proposer,
    )
    assert created.status_code == 201, created.get_json()
    pid = created.get_json()["id"]
    proposal = f"/api/v1/proposals/{pid}"

    assert api.post(f"{proposal}/open-comments", headers=as_facilitator).status_code == 200
    comment = api.post(
        f"{proposal}/comments",
        json={"body": "Which facilitators?", "kind": "question"},
        headers=as_objector,
    )
    assert comment.status_code == 201
    assert (
        api.post(f"{proposal}/open-objection-round", json={}, headers=as_facilitator).get_json()[
            "state"
        ]
        == "objection"
    )

    objection = api.post(
        f"{proposal}/objections",
        json={"reason": "Members decide, not facilitators."},
        headers=as_objector,
    )
    assert objection.status_code == 201
    objection_id = objection.get_json()["id"]
    refused = api.post(f"{proposal}/open-consent-round", json={}, headers=as_facilitator)
    assert refused.status_code == 409
    assert "objection" in refused.get_json()["detail"]

    etag = api.get(proposal, headers=as_proposer).headers["ETag"]
    revised = api.post(
        f"{proposal}/revisions",
        json={
            "text": text_v1 + "\nFacilitators close rounds; members decide.\n",
            "integrates": [objection_id],
        },
        headers={**as_proposer, "If-Match": etag},
    )
    assert revised.status_code == 201, revised.get_json()
    resolved = api.post(f"/api/v1/objections/{objection_id}/resolve", json={}, headers=as_objector)
    assert resolved.get_json()["state"] == "resolved"

    consent = api.post(f"{proposal}/open-consent-round", json={}, headers=as_facilitator)
    assert consent.get_json()["state"] == "consent"
    for person in (as_facilitator, as_proposer, as_objector):
        stance = api.post(f"{proposal}/stances", json={"position": "consent"}, headers=person)
        assert stance.status_code == 201
    round_id = consent.get_json()["open_round_id"]
    assert api.get(f"/api/v1/rounds/{round_id}", headers=as_facilitator).get_json()["tally"][
        "quorum_met"
    ]

    adopted = api.post(
        f"{proposal}/adopt",
        json={"outcome_statement": "Adopted by consent."},
        headers=as_facilitator,
    )
    assert adopted.status_code == 200, adopted.get_json()
    assert adopted.get_json()["state"] == "adopted"
    assert adopted.get_json()["adopted_version"] == 2

    version = api.get(f"{agreement}/versions/2", headers=as_objector).get_json()
    assert "members decide" in version["text"]
    record = api.get(f"{agreement}/versions/2/record", headers=as_objector)
    assert record.status_code == 200, record.get_json()
    body = record.get_json()
    assert body["outcome_statement"] == "Adopted by consent."
    assert len(body["consents"]) == 3
    assert body["objections"][0]["state"] == "resolved"
    events = api.get(f"{proposal}/events", headers=as_objector).get_json()
    assert events["items"][-1]["action"] == "proposal.adopted"
