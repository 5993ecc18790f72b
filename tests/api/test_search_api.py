"""GET /api/v1/search: the search page's service over the API, paged like every list, with
the same privacy: a private community's texts only for its members, drafts only for their
author, a hidden community's scope answered like one that does not exist."""

from __future__ import annotations

import pytest


@pytest.fixture
def worlds(make):
    """A private community with a member's draft, and a public community."""
    private = make.community(members=2)
    draft = make.proposal(private, proposer=private.members[0], stage="draft")  # "…purpose"
    return private, make.community(private=False), draft


def hits(api, headers=None, **params) -> list[dict]:
    response = api.get("/api/v1/search", query_string=params, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["items"]


def test_private_texts_and_drafts_are_found_only_by_those_who_may_read_them(
    api, make, bearer, worlds
):
    private, public, draft = worlds
    outsider, author, other_member = make.user(), private.members[0], private.members[1]
    for headers in (None, bearer(outsider)):
        found = hits(api, headers, q="share")
        assert {hit["community_slug"] for hit in found} == {public.community.slug}
    assert {hit["community_slug"] for hit in hits(api, bearer(other_member), q="share")} == {
        private.community.slug,
        public.community.slug,
    }
    assert draft.id in {hit["proposal_id"] for hit in hits(api, bearer(author), q="purpose")}
    assert draft.id not in {
        hit["proposal_id"] for hit in hits(api, bearer(other_member), q="purpose")
    }


def test_a_search_kept_to_one_community_is_paged_and_hides_private_scopes(api, bearer, worlds):
    private, _public, _draft = worlds
    member = bearer(private.members[1])
    first = api.get(
        "/api/v1/search",
        query_string={"q": "share", "community": private.community.slug, "per_page": 1},
        headers=member,
    ).get_json()
    assert first["total"] >= 1 and first["per_page"] == 1 and len(first["items"]) == 1
    assert first["items"][0]["community_slug"] == private.community.slug
    assert any(piece["is_match"] for piece in first["items"][0]["snippet"])
    hidden = api.get(
        "/api/v1/search", query_string={"q": "share", "community": private.community.slug}
    )
    assert hidden.status_code == 404
    assert api.get("/api/v1/search", query_string={"q": "x" * 201}).status_code == 422
    assert api.get("/api/v1/search").status_code == 422  # q is required
