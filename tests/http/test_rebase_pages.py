"""A proposal page warns about overlapping proposals and shows rebase conflicts to resolve."""

from __future__ import annotations

from sqlmodel import select

from agreements import services
from agreements.models import Revision, Version
from tests.factories import AGREEMENT_TEXT


def test_overlapping_open_proposals_warn_each_other(client, login, make, db):
    world = make.community()
    first = make.proposal(world, stage="comment")
    second = make.proposal(
        world, stage="comment", text=AGREEMENT_TEXT.replace("We share what we learn.", "We share.")
    )
    login(client, world.facilitator)
    page = client.get(f"/p/{first.id}").get_data(as_text=True)
    assert "Other open proposals change the same passages" in page
    assert f"/p/{second.id}" in page


def test_conflict_is_shown_and_resolved_by_a_rebased_revision(client, login, make, db):
    world = make.community()
    stale = make.proposal(
        world, stage="comment", text=AGREEMENT_TEXT.replace("We share what we learn.", "We hoard.")
    )
    make.proposal(world, stage="adopted")
    login(client, world.members[0])
    page = client.get(f"/p/{stale.id}").get_data(as_text=True)
    assert "Conflicting passage 1" in page and "We hoard." in page
    current = db.exec(select(Version).order_by(Version.number.desc())).first()
    resolved = current.text.replace("We share all we learn.", "We share all we learn, gladly.")
    db.rollback()
    response = client.post(
        f"/p/{stale.id}/revise", data={"text": resolved, "rebase": "1", "expected_revision": "1"}
    )
    assert response.status_code == 303
    page = client.get(f"/p/{stale.id}").get_data(as_text=True)
    assert "Conflicting passage" not in page and "was adopted since this proposal began" not in page


def test_clean_rebase_is_announced_and_a_later_clash_is_merged_afresh(client, login, make, db):
    """The merge a page shows is kept, under the texts it merges: a version adopted
    after the first view is merged afresh, not answered from what was kept."""
    world = make.community()
    stale = make.proposal(
        world,
        stage="comment",
        text=AGREEMENT_TEXT.replace("We speak with respect.", "We speak with care."),
    )
    make.proposal(world, stage="adopted")
    login(client, world.members[1])
    page = client.get(f"/p/{stale.id}").get_data(as_text=True)
    assert "merge cleanly onto version 2" in page
    second = db.exec(select(Version).order_by(Version.number.desc())).first()
    clashing = second.text.replace("We speak with respect.", "We speak kindly.")
    make.proposal(world, stage="adopted", text=clashing)
    page = client.get(f"/p/{stale.id}").get_data(as_text=True)
    assert "merge cleanly" not in page
    assert "Conflicting passage 1" in page and "In version 3 (adopted since)" in page


def test_proposer_rebases_a_clean_proposal_with_one_click(client, login, make, db):
    world = make.community()
    stale = make.proposal(
        world,
        stage="comment",
        text=AGREEMENT_TEXT.replace("We speak with respect.", "We speak with care."),
    )
    make.proposal(world, stage="adopted")
    login(client, world.members[0])
    response = client.post(f"/p/{stale.id}/rebase", headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "was adopted since this proposal began" not in page
    assert "Updated to the latest version (2): the changes merged cleanly." in page
    again = client.post(f"/p/{stale.id}/rebase")
    assert again.status_code == 409
    assert "Nothing to update" in again.get_data(as_text=True)


def test_a_merge_inside_a_changed_sentence_is_not_adopted_silently(client, login, make, db):
    """The page says why; adopting is refused and changes nothing; the rebase posts the
    merged text as a revision that people must confirm."""
    world = make.community(members=1)
    stale = make.proposal(
        world,
        stage="consent",
        text=AGREEMENT_TEXT.replace("We speak with respect.", "We speak with respect and care."),
    )
    make.proposal(
        world,
        stage="adopted",
        text=AGREEMENT_TEXT.replace("We speak with respect.", "We always speak with respect."),
    )
    for person in (world.facilitator, *world.members):
        services.register_stance(make.session, person, proposal_id=stale.id, position="consent")
    make.session.rollback()
    login(client, world.facilitator)
    page = client.get(f"/p/{stale.id}").get_data(as_text=True)
    assert "nobody has consented to the merged wording yet" in page
    refused = client.post(
        f"/p/{stale.id}/adopt", data={"outcome_statement": "Agreed.", "confirm": "yes"}
    )
    assert refused.status_code == 409
    assert "nobody has consented to the merged wording" in refused.get_data(as_text=True)
    db.rollback()
    assert (
        len(db.exec(select(Version).where(Version.agreement_id == world.agreement.id)).all()) == 2
    )
    assert client.post(f"/p/{stale.id}/rebase").status_code == 303
    page = client.get(f"/p/{stale.id}").get_data(as_text=True)
    assert "was adopted since this proposal began" not in page
    assert "Answered an earlier text" in page
    db.rollback()
    revisions = db.exec(select(Revision).where(Revision.proposal_id == stale.id)).all()
    assert "We always speak with respect and care." in revisions[-1].text
