"""Deadlines and reminders on the pages: hard deadlines, extending, reminding, proposing a
lapsed proposal again, review dates and the "What needs you" page."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlmodel import col, select

from agreements import services
from agreements.models import Agreement, AuditEvent, Proposal, Round, utcnow

from .conftest import proposal_at


def open_round(db, proposal_id: int) -> Round:
    db.rollback()
    return db.exec(
        select(Round).where(Round.proposal_id == proposal_id, col(Round.closed_at).is_(None))
    ).one()


def pass_deadline(db, proposal_id: int) -> None:
    round_ = open_round(db, proposal_id)
    round_.deadline = utcnow() - timedelta(minutes=5)
    db.add(round_)
    db.commit()


def actions(db) -> list[str]:
    db.rollback()
    found = list(db.exec(select(AuditEvent.action).order_by(col(AuditEvent.seq))))
    db.rollback()
    return found


def test_a_stance_after_the_deadline_is_refused_with_what_happens_next(
    app, client, login, world, make, db
):
    proposal = proposal_at(make, world, "consent")
    pass_deadline(db, proposal.id)
    before = actions(db)
    login(client, world.members[1])
    response = client.post(f"/p/{proposal.id}/stance", data={"position": "consent"})
    page = response.data.decode()
    assert response.status_code == 409
    assert "deadline passed" in page and "a facilitator adopts it" in page
    assert "The deadline has passed: this round takes no more answers." in page
    _token, plaintext = services.create_api_token(db, world.members[0], name="tests")
    db.rollback()
    headers = {"Authorization": f"Bearer {plaintext}"}
    app.test_client_class = FlaskClient  # the API: no cookies, no CSRF header
    answer = app.test_client().post(
        f"/api/v1/proposals/{proposal.id}/stances", json={"position": "consent"}, headers=headers
    )
    assert answer.status_code == 409 and "deadline passed" in answer.get_json()["detail"]
    assert [a for a in actions(db) if a != "api_token.created"] == before


def test_a_facilitator_extends_the_deadline_and_reminds_from_the_proposal_page(
    client, login, world, make, db
):
    proposal = proposal_at(make, world, "consent")
    login(client, world.facilitator)
    page = client.get(f"/p/{proposal.id}").data.decode()
    assert "Who has not answered" in page and "Remind them" in page
    refused = client.post(f"/p/{proposal.id}/deadline", data={"deadline": "2099-01-01T12:00"})
    assert refused.status_code == 422 and "Reason is required" in refused.data.decode()
    extended = client.post(
        f"/p/{proposal.id}/deadline", data={"deadline": "2099-01-01T12:00", "reason": "Holidays"}
    )
    assert extended.status_code == 303
    assert open_round(db, proposal.id).deadline.year == 2099
    assert client.post(f"/p/{proposal.id}/remind").status_code == 303
    again = client.post(f"/p/{proposal.id}/remind")
    assert again.status_code == 409 and "at most once a day" in again.data.decode()
    assert actions(db)[-2:] == ["round.deadline_extended", "round.reminded"]


def test_a_lapsed_proposal_is_proposed_again_with_one_button(client, login, world, make, db):
    proposal = proposal_at(make, world, "consent")
    services.lapse_proposal(db, world.facilitator, proposal_id=proposal.id, reason="Quiet.")
    db.rollback()
    login(client, world.members[0])
    assert "Propose it again" in client.get(f"/p/{proposal.id}").data.decode()
    response = client.post(f"/p/{proposal.id}/propose-again")
    assert response.status_code == 303
    db.rollback()
    newest = db.exec(select(Proposal).order_by(col(Proposal.id).desc())).first()
    assert response.headers["Location"].endswith(f"/p/{newest.id}")
    assert (newest.state, newest.title) == ("proposed", proposal.title)


def test_a_review_date_is_set_and_the_page_says_when_a_review_is_due(
    client, login, world, make, db
):
    proposal = proposal_at(make, world, "comment")
    services.raise_concern(db, world.members[1], proposal_id=proposal.id, text="Too long.")
    db.rollback()
    address = f"/c/{world.community.slug}/a/{world.agreement.slug}"
    login(client, world.facilitator)
    bad = client.post(f"{address}/review", data={"review_on": "soon"})
    assert bad.status_code == 422 and "The review date must be a date" in bad.data.decode()
    assert client.post(f"{address}/review", data={"review_on": "2099-01-01"}).status_code == 303
    assert "to be reviewed on 01 January 2099" in client.get(address).data.decode()
    agreement = db.get(Agreement, world.agreement.id)
    agreement.review_on = utcnow().date()
    db.add(agreement)
    db.commit()
    login(client, world.members[0])
    page = client.get(address).data.decode()
    assert "A review of this agreement is due" in page and "Too long." in page
    assert 'name="review_on"' not in page  # only facilitators set the date


def test_what_needs_you_lists_rounds_questions_and_steps_to_facilitate(
    client, login, world, make, db
):
    consenting = proposal_at(make, world, "consent")
    waiting = make.proposal(world, world.members[0], stage="proposed", text="# Other\n")
    services.add_comment(
        db, world.members[1], proposal_id=waiting.id, body="Why this?", kind="question"
    )
    db.rollback()
    login(client, world.members[0])
    page = client.get("/needs-you").data.decode()
    assert f'href="/p/{consenting.id}"' in page and "Give your consent" in page
    assert "A question on your proposal" in page and "Why this?" in page
    assert "waiting for you to facilitate" not in page
    login(client, world.facilitator)
    page = client.get("/needs-you").data.decode()
    assert "Proposals waiting for you to facilitate" in page and "Open comments" in page
    assert 'href="/needs-you"' in page  # linked from the header
