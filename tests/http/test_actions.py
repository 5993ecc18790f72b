"""Every action on the pages: success with and without htmx, refusals by role, bad input.

A refused action answers its real status on a full page (htmx: 200 with the message in
the partial and X-Accord-Status), shows the message, and changes nothing.
"""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from agreements.models import Comment, Membership, Objection, Proposal, Stance, Version

from .conftest import HX, proposal_at


def count(db, model, **where) -> int:
    """Rows of `model` matching `where`, read in a fresh transaction that ends at once."""
    db.rollback()
    statement = select(func.count()).select_from(model)
    for key, value in where.items():
        statement = statement.where(getattr(model, key) == value)
    found = db.exec(statement).one()
    db.rollback()
    return found


def state_of(db, proposal_id: int) -> str:
    """The proposal's state as stored now."""
    db.rollback()
    db.expire_all()
    state = db.get(Proposal, proposal_id).state
    db.rollback()
    return state


def test_comment_without_javascript_redirects_with_a_flash(client, login, world, make, db):
    """A plain form post is redirected (303) to the page, which shows the outcome once."""
    proposal = proposal_at(make, world, "comment")
    login(client, world.members[1])
    response = client.post(
        f"/p/{proposal.id}/comment", data={"body": "Why now?", "kind": "question"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/p/{proposal.id}")
    page = client.get(f"/p/{proposal.id}").data.decode()
    assert "Your comment is posted." in page and "Why now?" in page
    assert count(db, Comment, proposal_id=proposal.id) == 1


def test_comment_with_htmx_returns_the_partial_with_the_notice(client, login, world, make, db):
    """Under htmx the proposal partial comes back, with the new comment and the notice."""
    proposal = proposal_at(make, world, "comment")
    login(client, world.members[1])
    response = client.post(
        f"/p/{proposal.id}/comment", data={"body": "Looks good", "kind": "reaction"}, headers=HX
    )
    page = response.data.decode()
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith('<div id="proposal">')
    assert "Your comment is posted." in page and "Looks good" in page


@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    client, login, world, make, db, htmx
):
    """An empty comment and a passage not in the text are refused next to the form."""
    proposal = proposal_at(make, world, "comment")
    login(client, world.members[1])
    for data, message, status in (
        ({"body": "  "}, "Comment is required.", 422),
        ({"body": "Hm", "anchor": "words that are not there"}, "not in the current text", 409),
        ({"body": "Hm", "kind": "shouting"}, "Kind must be one of", 422),
    ):
        response = client.post(f"/p/{proposal.id}/comment", data=data, headers=HX if htmx else {})
        assert response.status_code == (200 if htmx else status)
        assert response.headers["X-Accord-Status"] == str(status)
        assert message in response.data.decode()
    assert count(db, Comment, proposal_id=proposal.id) == 0


def test_anonymous_actions_are_sent_to_sign_in(client, make, db):
    """Nobody acts in a public community without signing in; they come back afterwards."""
    proposal = proposal_at(make, make.community(private=False), "comment")
    response = client.post(f"/p/{proposal.id}/comment", data={"body": "Hi"})
    assert response.status_code == 303
    assert "/sign-in" in response.headers["Location"]
    htmx = client.post(f"/p/{proposal.id}/comment", data={"body": "Hi"}, headers=HX)
    assert "/sign-in" in htmx.headers["HX-Redirect"]
    assert count(db, Comment, proposal_id=proposal.id) == 0


def test_outsiders_cannot_act_on_a_private_community(client, login, world, make, db):
    """A non-member gets the same 404 as for a proposal that does not exist."""
    proposal = proposal_at(make, world, "comment")
    login(client, make.user("Outsider"))
    make.session.rollback()
    response = client.post(f"/p/{proposal.id}/comment", data={"body": "Hi"})
    assert response.status_code == 404
    assert count(db, Comment, proposal_id=proposal.id) == 0


@pytest.mark.parametrize(
    ("stage", "path", "data"),
    [
        ("proposed", "move/open_comments", {}),
        ("comment", "open_objection_round", {}),
        ("objection", "open_consent_round", {}),
        ("comment", "reject", {"reason": "No.", "confirm": "yes"}),
    ],
)
def test_members_cannot_use_facilitator_controls(client, login, world, make, db, stage, path, data):
    """A member posting a facilitator's move is refused (403) with the protocol's reason."""
    proposal = proposal_at(make, world, stage)
    login(client, world.members[1])
    response = client.post(f"/p/{proposal.id}/{path}", data=data)
    assert response.status_code == 403
    assert "only the facilitator may do that" in response.data.decode()
    assert state_of(db, proposal.id) == stage


def test_facilitator_moves_the_proposal_through_its_rounds(client, login, world, make, db):
    """Open comments, the objection round and the consent round with deadline and quorum."""
    proposal = proposal_at(make, world, "proposed")
    login(client, world.facilitator)
    assert client.post(f"/p/{proposal.id}/move/open_comments").status_code == 303
    assert client.post(f"/p/{proposal.id}/open_objection_round").status_code == 303
    response = client.post(
        f"/p/{proposal.id}/open_consent_round",
        data={"deadline": "2099-01-01T12:00", "quorum_percent": "60", "quorum_rule": "person"},
    )
    assert response.status_code == 303
    assert state_of(db, proposal.id) == "consent"
    page = client.get(f"/p/{proposal.id}").data.decode()
    assert "Jan 1, 2099, 12:00 UTC" in page and "60% needed" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"deadline": "next tuesday"}, "The deadline must be a date and time"),
        ({"deadline": "2001-01-01T00:00"}, "The deadline must be in the future."),
        ({"quorum_percent": "lots"}, "Quorum must be a whole number from 0 to 2,147,483,647."),
        ({"quorum_percent": "150"}, "Quorum must be between 0 and 100 percent."),
    ],
)
def test_bad_round_settings_are_refused(client, login, world, make, db, data, message):
    """Round options are checked before anything changes."""
    proposal = proposal_at(make, world, "objection")
    login(client, world.facilitator)
    response = client.post(f"/p/{proposal.id}/open_consent_round", data=data)
    assert response.status_code == 422
    assert message in response.data.decode()
    assert state_of(db, proposal.id) == "objection"


def test_consent_round_cannot_open_over_an_open_objection(client, login, world, make, db):
    """The protocol's human message explains the refusal (409)."""
    proposal = proposal_at(make, world, "objection")
    login(client, world.members[1])
    client.post(f"/p/{proposal.id}/object", data={"reason": "It is unclear."})
    login(client, world.facilitator)
    response = client.post(f"/p/{proposal.id}/open_consent_round", data={}, headers=HX)
    assert response.status_code == 200 and response.headers["X-Accord-Status"] == "409"
    assert "1 objection is still open" in response.data.decode()
    assert state_of(db, proposal.id) == "objection"


def test_objection_is_integrated_confirmed_and_consented(client, login, world, make, db):
    """Revise citing the objection, the objector confirms, stances, adopt with confirmation."""
    proposal = proposal_at(make, world, "objection")
    proposer, objector = world.members
    login(client, objector)
    client.post(f"/p/{proposal.id}/object", data={"reason": "Say who shares."})
    db.rollback()
    objection = db.exec(select(Objection).where(Objection.proposal_id == proposal.id)).one()
    db.rollback()
    login(client, proposer)
    page = client.get(f"/p/{proposal.id}").data.decode()
    text = page.split('name="text" rows="16" class="editor" required>')[1].split("</textarea>")[0]
    response = client.post(
        f"/p/{proposal.id}/revise",
        data={
            "text": "Members share.\n\n" + text.replace("&#39;", "'"),
            "note": "Said who.",
            "integrates": str(objection.id),
            "expected_revision": "1",
        },
    )
    assert response.status_code == 303
    login(client, objector)
    confirm = f"/p/{proposal.id}/objections/{objection.id}/confirm_resolved"
    assert client.post(confirm, data={}).status_code == 303
    login(client, world.facilitator)
    assert client.post(f"/p/{proposal.id}/open_consent_round").status_code == 303
    for person in (world.facilitator, proposer, objector):
        login(client, person)
        assert (
            client.post(f"/p/{proposal.id}/stance", data={"position": "consent"}).status_code == 303
        )
    login(client, world.facilitator)
    unconfirmed = client.post(f"/p/{proposal.id}/adopt", data={"outcome_statement": "Done."})
    assert unconfirmed.status_code == 422 and "tick the box" in unconfirmed.data.decode()
    adopted = client.post(
        f"/p/{proposal.id}/adopt", data={"outcome_statement": "Done.", "confirm": "yes"}
    )
    assert adopted.status_code == 303
    assert count(db, Version, agreement_id=world.agreement.id) == 3
    assert state_of(db, proposal.id) == "adopted"


@pytest.mark.parametrize(
    ("closing", "field"),
    [("adopt", "outcome_statement"), ("reject", "reason"), ("lapse", "reason")],
)
def test_closing_without_an_outcome_statement_is_refused(
    client, login, world, make, db, closing, field
):
    """The form asks for the outcome statement; an empty one is a 422 and changes nothing."""
    proposal = proposal_at(make, world, "consent")
    login(client, world.facilitator)
    page = client.get(f"/p/{proposal.id}").data.decode()
    assert "Outcome statement (required)" in page
    response = client.post(f"/p/{proposal.id}/{closing}", data={field: "  ", "confirm": "yes"})
    assert response.status_code == 422
    assert "is required" in response.data.decode()
    assert state_of(db, proposal.id) == "consent"


def test_stale_stance_is_reconfirmed_in_one_click(client, login, world, make, db):
    """After a revision, the participant's earlier consent is given again on the new text."""
    proposal = proposal_at(make, world, "consent")
    proposer, member = world.members
    before = count(db, Stance, participant_id=member.id)
    login(client, member)
    client.post(f"/p/{proposal.id}/stance", data={"position": "stand_aside", "reason": "Fine."})
    login(client, proposer)
    client.post(f"/p/{proposal.id}/revise", data={"text": "All new text.\n"})
    login(client, member)
    response = client.post(f"/p/{proposal.id}/reconfirm", headers=HX)
    assert "Your stance now applies to the new text." in response.data.decode()
    assert count(db, Stance, participant_id=member.id) == before + 2
    again = client.post(f"/p/{proposal.id}/reconfirm")
    assert again.status_code == 409 and "already applies" in again.data.decode()


def test_a_member_who_joins_during_the_consent_round_can_answer_it(client, login, world, make):
    """A newcomer answers the open round; joining does not raise the quorum bar, the answer
    counts towards it, and the tally says who joined late."""
    proposal = proposal_at(make, world, "consent")
    newcomer = world.member("Newcomer Nadia")
    make.session.rollback()
    login(client, newcomer)
    page = client.get(f"/p/{proposal.id}").data.decode()
    assert "0 of 3 people have answered" in page
    assert "Members who joined after this round opened may answer it too." in page
    answered = client.post(f"/p/{proposal.id}/stance", data={"position": "consent"})
    assert answered.status_code == 303
    tally = client.get(f"/p/{proposal.id}/tally").data.decode()
    assert "1 of 4 people have answered" in tally
    assert 'Newcomer Nadia <span class="meta">(joined during this round)</span>' in tally


def test_object_stance_needs_a_reason(client, login, world, make, db):
    """Objecting without a reason is refused; nothing is recorded."""
    proposal = proposal_at(make, world, "consent")
    before = count(db, Stance, participant_id=world.members[1].id)
    login(client, world.members[1])
    response = client.post(f"/p/{proposal.id}/stance", data={"position": "object"})
    assert response.status_code == 422 and "Reason is required." in response.data.decode()
    assert count(db, Stance, participant_id=world.members[1].id) == before
    assert state_of(db, proposal.id) == "consent"


@pytest.mark.parametrize("stage", ["objection", "consent"])
def test_raising_an_objection_needs_a_reason(client, login, world, make, db, stage):
    """The objection form refuses an empty reason with 422, keeps the stage, stores nothing."""
    proposal = proposal_at(make, world, stage)
    login(client, world.members[1])
    response = client.post(f"/p/{proposal.id}/object", data={"reason": "  ", "passage": ""})
    assert response.status_code == 422 and "Reason is required." in response.data.decode()
    assert count(db, Objection, proposal_id=proposal.id) == 0
    assert state_of(db, proposal.id) == stage


@pytest.mark.parametrize("closing", ["reject", "withdraw"])
def test_closing_moves_need_confirmation(client, login, world, make, db, closing):
    """Reject (facilitator, with reason) and withdraw (proposer) ask for the confirm box."""
    proposal = proposal_at(make, world, "comment")
    actor = world.facilitator if closing == "reject" else world.members[0]
    url = (
        f"/p/{proposal.id}/{closing}" if closing == "reject" else f"/p/{proposal.id}/move/withdraw"
    )
    login(client, actor)
    assert client.post(url, data={"reason": "Out of scope."}).status_code == 422
    assert state_of(db, proposal.id) == "comment"
    assert client.post(url, data={"reason": "Out of scope.", "confirm": "yes"}).status_code == 303
    assert state_of(db, proposal.id) == ("rejected" if closing == "reject" else "withdrawn")


def test_unknown_actions_are_not_found(client, login, world, make):
    """Made-up action names are 404s, not errors."""
    proposal = proposal_at(make, world, "comment")
    login(client, world.facilitator)
    assert client.post(f"/p/{proposal.id}/explode").status_code == 404
    assert client.post(f"/p/{proposal.id}/move/adopt").status_code == 404
    assert client.post(f"/p/{proposal.id}/objections/1/delete").status_code == 404


def test_propose_an_amendment_and_bad_input(client, login, world, make, db):
    """A member proposes; an unchanged text or a missing title is refused, input kept."""
    login(client, world.members[1])
    url = f"/c/{world.community.slug}/a/{world.agreement.slug}/propose"
    editor = client.get(url).data.decode()
    base_text = editor.split('class="editor" required')[1].split(">", 1)[1].split("</textarea>")[0]
    unchanged = client.post(url, data={"title": "Same", "text": base_text.replace("&#39;", "'")})
    assert unchanged.status_code == 422 and "same as the base version" in unchanged.data.decode()
    untitled = client.post(url, data={"title": "", "text": "New text."})
    assert untitled.status_code == 422 and "Title is required." in untitled.data.decode()
    assert "New text." in untitled.data.decode()  # what the person typed is kept
    before = count(db, Proposal, agreement_id=world.agreement.id)
    created = client.post(url, data={"title": "Shorter", "rationale": "Less.", "text": "New text."})
    assert created.status_code == 303 and "/p/" in created.headers["Location"]
    assert count(db, Proposal, agreement_id=world.agreement.id) == before + 1


def test_preview_without_javascript_renders_the_editor_page(client, login, world):
    """The Preview button shows the diff on the full page when htmx is not there."""
    login(client, world.members[1])
    url = f"/c/{world.community.slug}/a/{world.agreement.slug}/propose"
    page = client.post(url, data={"intent": "preview", "title": "T", "text": "Only this."})
    assert page.status_code == 200 and b"<html" in page.data and b"diff-ins" in page.data


def test_facilitator_changes_a_member_role_and_members_cannot(client, login, world, db):
    """Only facilitators manage membership; the last facilitator cannot step down."""
    member = world.members[1]
    url = f"/c/{world.community.slug}/members/{member.id}"
    login(client, world.members[0])
    assert client.post(url, data={"role": "facilitator"}).status_code == 403
    login(client, world.facilitator)
    response = client.post(url, data={"role": "facilitator", "organisation": "Oak"}, headers=HX)
    assert "The membership is updated." in response.data.decode()
    db.rollback()
    role = db.exec(select(Membership.role).where(Membership.user_id == member.id)).one()
    db.rollback()
    assert role == "facilitator"
    bad = client.post(url, data={"role": "king"})
    assert bad.status_code == 422 and "Role must be one of" in bad.data.decode()
