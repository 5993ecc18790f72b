"""Every page through the test client: who may see it, full page vs htmx partial, bad input."""

from __future__ import annotations

import pytest

from agreements import services

from .conftest import ADOPTED_TEXT, HX, proposal_at


def pages(world, proposal_id: int) -> list[str]:
    """The main pages of the world's community, agreement and a proposal."""
    c, a = world.community.slug, world.agreement.slug
    return [
        f"/c/{c}",
        f"/c/{c}/a/{a}",
        f"/c/{c}/a/{a}/v/1",
        f"/c/{c}/a/{a}/compare?from=1&to=2",
        f"/c/{c}/a/{a}/propose",
        f"/p/{proposal_id}",
    ]


def test_every_page_is_a_full_page_or_an_htmx_partial(client, login, world, make):
    """The same address answers a whole document, or only its partial to htmx."""
    proposal = proposal_at(make, world, "consent")
    login(client, world.members[0])
    for url in pages(world, proposal.id):
        full = client.get(url)
        partial = client.get(url, headers=HX)
        assert full.status_code == 200, url
        assert b"<html" in full.data and b'<main id="main"' in full.data, url
        assert partial.status_code == 200, url
        assert b"<html" not in partial.data, url
        assert "HX-Request" in full.headers["Vary"] and "HX-Request" in partial.headers["Vary"]


def test_private_community_pages_are_not_found_for_outsiders(client, login, world, make):
    """Anonymous people and non-members learn nothing about a private community."""
    proposal = proposal_at(make, world, "comment")
    outsider = make.user("Outsider")
    for who in (None, outsider):
        if who is not None:
            login(client, who)
        for url in pages(world, proposal.id):
            response = client.get(url)
            assert response.status_code == 404, url
            assert (
                b"Not found" in response.data and world.community.name.encode() not in response.data
            )


def test_public_community_is_readable_without_signing_in(client, make):
    """A public community's agreement is visible to anyone, the editor is not offered."""
    world = make.community(private=False)
    response = client.get(f"/c/{world.community.slug}/a/{world.agreement.slug}")
    assert response.status_code == 200
    assert b"We share what we learn." in response.data
    assert b"Propose an amendment" not in response.data
    assert world.community.name.encode() in client.get("/").data


def test_members_page_is_for_facilitators_only(client, login, world):
    """Members get a friendly 403; the facilitator sees everyone with roles."""
    url = f"/c/{world.community.slug}/members"
    login(client, world.members[0])
    refused = client.get(url)
    assert refused.status_code == 403
    assert b"Only a facilitator" in refused.data
    login(client, world.facilitator)
    page = client.get(url)
    assert page.status_code == 200
    for person in [world.facilitator, *world.members]:
        assert person.display_name.encode() in page.data


def test_agreement_page_shows_history_and_download(client, login, world):
    """The history lists each decision; versions download as Markdown. (Provenance,
    contents and section markers: tests/http/test_agreement_page.py.)"""
    login(client, world.members[1])
    c, a = world.community.slug, world.agreement.slug
    page = client.get(f"/c/{c}/a/{a}").data.decode()
    assert f'href="/c/{c}/a/{a}/v/2/record">decision record</a>' in page
    assert "what changed" in page
    download = client.get(f"/c/{c}/a/{a}/v/2.md")
    assert download.mimetype == "text/markdown"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.data.decode() == ADOPTED_TEXT


@pytest.mark.parametrize("view", ["inline", "side", "source"])
def test_compare_shows_the_change_in_each_layout(client, login, world, view):
    """Comparing two versions marks the removed and added words."""
    login(client, world.members[0])
    url = f"/c/{world.community.slug}/a/{world.agreement.slug}/compare?from=1&to=2&view={view}"
    page = client.get(url).data.decode()
    assert "diff-del" in page and "diff-ins" in page
    assert ("diff-table" in page) == (view == "side")


@pytest.mark.parametrize(
    ("query", "status"), [("from=x&to=2", 422), ("from=1&to=9", 404), ("from=0&to=1", 404)]
)
def test_compare_with_bad_versions_is_a_clear_error(client, login, world, query, status):
    """Unknown or malformed version numbers give a friendly page with the status."""
    login(client, world.members[0])
    response = client.get(f"/c/{world.community.slug}/a/{world.agreement.slug}/compare?{query}")
    assert response.status_code == status
    assert b"<main" in response.data


def test_unknown_addresses_are_friendly_404s(client, login, world):
    """A missing agreement, version or proposal is a page, not a stack trace."""
    login(client, world.members[0])
    for url in (
        f"/c/{world.community.slug}/a/nope",
        f"/c/{world.community.slug}/a/{world.agreement.slug}/v/99",
        "/p/999",
        "/no/such/page",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Go to your communities" in response.data


def test_live_preview_renders_and_diffs_against_the_base(client, login, world):
    """The debounced preview shows the rendered text and the words that change."""
    login(client, world.members[0])
    url = f"/c/{world.community.slug}/a/{world.agreement.slug}/preview"
    text = "# Our agreement\n\n## Purpose\nWe share **everything** we learn.\n"
    response = client.post(url, data={"text": text}, headers=HX)
    page = response.data.decode()
    assert response.status_code == 200 and "<html" not in page
    assert 'id="preview"' in page
    assert "<strong>everything</strong>" in page
    assert "diff-ins" in page and "diff-del" in page


def test_preview_never_renders_script(client, login, world):
    """What people type is sanitised in the preview too."""
    login(client, world.members[0])
    url = f"/c/{world.community.slug}/a/{world.agreement.slug}/preview"
    page = client.post(url, data={"text": "Hi <script>alert(1)</script>"}, headers=HX).data
    assert b"<script>alert" not in page


def test_proposal_page_shows_controls_by_role(client, login, world, make):
    """Facilitators see their controls; members see what happens next and their stance form."""
    proposal = proposal_at(make, world, "consent")
    login(client, world.members[1])
    member_page = client.get(f"/p/{proposal.id}").data.decode()
    assert "Next step (you facilitate)" not in member_page
    assert "Waiting for participants to give their consent" in member_page
    assert "Record my stance" in member_page
    assert "Not yet answered" in member_page
    login(client, world.facilitator)
    facilitator_page = client.get(f"/p/{proposal.id}").data.decode()
    assert "Next step (you facilitate)" in facilitator_page
    assert "Adopt this proposal as version 3: not possible yet." in facilitator_page
    assert "quorum is not met" in facilitator_page  # adopt is refused with the protocol's reason


def test_stale_stance_shows_the_diff_since_and_one_click_reconfirm(client, login, world, make, db):
    """After a revision, a participant sees what changed since they answered."""
    proposal = proposal_at(make, world, "consent")
    member = world.members[1]
    services.register_stance(db, member, proposal_id=proposal.id, position="consent")
    services.revise_proposal(
        db,
        world.members[0],
        proposal_id=proposal.id,
        text=proposal_text(db, proposal) + "\nOne more line.\n",
    )
    db.rollback()  # end the test session's transaction so the app can write
    login(client, member)
    page = client.get(f"/p/{proposal.id}").data.decode()
    assert "You answered an earlier text" in page
    assert "Confirm my stance (consent) on the new text" in page
    assert "One more line." in page


def proposal_text(db, proposal) -> str:
    """The latest revision's text."""
    from agreements.services.proposals import revisions_of

    return revisions_of(db, proposal)[-1].text


def test_tally_and_diff_partials(client, login, world, make):
    """The polled tally and the diff layout switch answer htmx with their own partials."""
    proposal = proposal_at(make, world, "consent")
    login(client, world.members[0])
    tally = client.get(f"/p/{proposal.id}/tally", headers=HX).data.decode()
    assert tally.lstrip().startswith('<div id="tally"')
    diff = client.get(f"/p/{proposal.id}/diff?view=side", headers=HX).data.decode()
    assert 'id="proposal-diff"' in diff and "diff-table" in diff
    assert client.get(f"/p/{proposal.id}/diff?view=side").data.count(b"<html") == 1


def test_community_home_lists_what_needs_me(client, login, world, make, db):
    """Unanswered rounds and objections on my proposals appear on the community home."""
    consenting = proposal_at(make, world, "consent")
    objected = proposal_at(make, world, "objection")
    services.raise_objection(db, world.members[1], proposal_id=objected.id, reason="Too vague.")
    db.rollback()
    login(client, world.members[0])
    page = client.get(f"/c/{world.community.slug}").data.decode()
    assert f"/p/{consenting.id}" in page and "give your stance" in page
    assert "an objection to your proposal waits" in page
    assert "Change the purpose" in page  # the recent decision
