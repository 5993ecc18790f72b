"""Deadlines, reminders, review dates and the scheduler that acts on them (services.run_due).

Deadlines are hard (an answer after one is refused even before the scheduler runs), each
due round closes in its own transaction, a round that cannot close is not looked at again
until something happens to its proposal, and each reminder is written once.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from agreements import audit, services
from agreements.audit import archive
from agreements.errors import Forbidden, InvalidInput, Refused
from agreements.models import AuditEvent, Objection, Proposal, Round, utcnow
from agreements.services import deadlines
from agreements.services.reviews import concerns_since_review, review_of
from agreements.storage.engines import make_engine
from tests.factories import AGREEMENT_TEXT, Factory, World, mark_announced, scheduler_sessions


def open_round(db: Session, proposal_id: int) -> Round:
    """The proposal's open round, read afresh."""
    db.rollback()
    return db.exec(
        select(Round).where(Round.proposal_id == proposal_id, col(Round.closed_at).is_(None))
    ).one()


def pass_deadline(db: Session, proposal_id: int) -> Round:
    """Move the open round's deadline a minute into the past (the scheduler has not run)."""
    round_ = open_round(db, proposal_id)
    round_.deadline = utcnow() - timedelta(minutes=1)
    db.add(round_)
    db.commit()
    return round_


def events(db: Session, action: str) -> list[dict]:
    """The payloads of every event with this action, oldest first."""
    db.rollback()
    rows = db.exec(
        select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.seq))
    )
    return [json.loads(row.payload) for row in rows]


def lazy_proposal(make: Factory, world: World, text: str | None = None, **options) -> Proposal:
    """A lazy-consensus proposal in its objection period, its announcement delivered (the
    outbox's part: until then silence decides nothing)."""
    proposal = make.proposal(world, stage="proposed", text=text)
    services.open_objection_round(
        make.session, world.facilitator, proposal_id=proposal.id, **options
    )
    mark_announced(make.session, proposal.id)
    return proposal


# --- deadlines on every round ----------------------------------------------------------------


def test_every_round_takes_the_communitys_default_length(db, make):
    world = make.community()
    objection_round = open_round(db, make.proposal(world, stage="objection").id)
    assert timedelta(days=6, hours=23) < objection_round.deadline - utcnow() <= timedelta(days=7)
    services.update_community_settings(
        db, world.facilitator, community_id=world.community.id, protocol="consent",
        quorum_rule="person", quorum_percent=50, default_round_days=0, is_private=True,
    )  # fmt: skip
    consent = make.proposal(world, stage="consent", text=AGREEMENT_TEXT.replace("We", "Us"))
    assert open_round(db, consent.id).deadline is None  # 0 days: no deadline


def test_an_answer_after_the_deadline_is_refused_before_the_scheduler_runs(any_db, any_make):
    world = any_make.community(members=2)
    consenting = any_make.proposal(world, stage="consent")
    pass_deadline(any_db, consenting.id)
    with pytest.raises(Refused, match=r"deadline passed .* no more answers.*adopts it"):
        services.register_stance(
            any_db, world.members[1], proposal_id=consenting.id, position="consent"
        )
    objecting = any_make.proposal(
        world, stage="objection", text=AGREEMENT_TEXT.replace("respect", "care")
    )
    pass_deadline(any_db, objecting.id)
    with pytest.raises(Refused, match=r"objection round's deadline passed.*consent round next"):
        services.raise_objection(any_db, world.members[1], proposal_id=objecting.id, reason="No")
    assert events(any_db, "objection.raised") == []


def test_a_lazy_round_nobody_was_told_of_still_takes_objections(db, make):
    world = make.community(protocol="lazy_consensus")
    unannounced = make.proposal(world, stage="proposed")
    services.open_objection_round(db, world.facilitator, proposal_id=unannounced.id)
    pass_deadline(db, unannounced.id)
    services.raise_objection(db, world.members[1], proposal_id=unannounced.id, reason="Wait.")
    announced = lazy_proposal(make, world, AGREEMENT_TEXT.replace("respect", "care"))
    pass_deadline(db, announced.id)
    with pytest.raises(Refused, match=r"deadline passed.*adopted unless an objection"):
        services.raise_objection(db, world.members[1], proposal_id=announced.id, reason="No.")


def test_a_facilitator_extends_a_deadline_with_a_reason_on_the_record(db, make):
    world = make.community()
    proposal = make.proposal(world, stage="consent")
    passed = pass_deadline(db, proposal.id)
    later = utcnow() + timedelta(days=3)
    with pytest.raises(Forbidden):
        services.extend_deadline(
            db, world.members[0], proposal_id=proposal.id, deadline=later, reason="More time."
        )
    with pytest.raises(InvalidInput, match="Reason is required"):
        services.extend_deadline(
            db, world.facilitator, proposal_id=proposal.id, deadline=later, reason=" "
        )
    with pytest.raises(InvalidInput, match="in the future"):
        services.extend_deadline(
            db, world.facilitator, proposal_id=proposal.id, deadline=passed.deadline, reason="x"
        )
    services.extend_deadline(
        db, world.facilitator, proposal_id=proposal.id, deadline=later, reason="Holidays."
    )
    assert open_round(db, proposal.id).deadline == later
    [recorded] = events(db, "round.deadline_extended")
    assert recorded["reason"] == "Holidays."
    assert recorded["to"] == later.isoformat() and recorded["from"] is not None
    services.register_stance(db, world.members[1], proposal_id=proposal.id, position="consent")
    with pytest.raises(InvalidInput, match="later than the current one"):
        services.extend_deadline(
            db, world.facilitator, proposal_id=proposal.id, deadline=later, reason="Again."
        )


# --- the scheduler -----------------------------------------------------------------------


def test_each_due_round_closes_in_its_own_transaction(any_db, any_make, monkeypatch):
    world = any_make.community(protocol="lazy_consensus")
    texts = [
        AGREEMENT_TEXT.replace("We share what we learn.", "We share all we learn."),
        AGREEMENT_TEXT.replace("We speak with respect.", "We speak with care."),
        AGREEMENT_TEXT.replace("We decide by consent.", "We decide together."),
    ]
    first, failing, last = (lazy_proposal(any_make, world, text).id for text in texts)
    adopt = deadlines.finish_adoption

    def adopt_unless_failing(ctx, flow, outcome):
        if ctx.proposal.id == failing:
            raise RuntimeError("the disk is full")
        return adopt(ctx, flow, outcome)

    monkeypatch.setattr(deadlines, "finish_adoption", adopt_unless_failing)
    report = services.run_due(scheduler_sessions(any_db), now=utcnow() + timedelta(days=8))
    assert report.moved == [first, last]
    assert len(report.failed) == 1 and "closing round" in report.failed[0]
    any_db.expire_all()  # the proposals this session made hold their old states otherwise
    any_db.rollback()
    states = {p.id: p.state for p in any_db.exec(select(Proposal))}
    assert (states[first], states[failing], states[last]) == ("adopted", "objection", "adopted")
    assert audit.verify_chain(any_db).ok


def test_the_round_due_first_closes_first(any_db, any_make):
    """A pass closes due rounds in the order of their deadlines, whatever order the rounds
    were opened in or the database keeps its rows in."""
    world = any_make.community(protocol="lazy_consensus")
    soon = utcnow() + timedelta(days=2)
    texts = [
        AGREEMENT_TEXT.replace("We share what we learn.", "We share all we learn."),
        AGREEMENT_TEXT.replace("We speak with respect.", "We speak with care."),
        AGREEMENT_TEXT.replace("We decide by consent.", "We decide together."),
    ]
    later, sooner, soonest = (
        lazy_proposal(any_make, world, text, deadline=soon + timedelta(hours=hours)).id
        for text, hours in zip(texts, (12, 6, 0), strict=True)
    )
    report = services.run_due(scheduler_sessions(any_db), now=utcnow() + timedelta(days=8))
    assert report.moved == [soonest, sooner, later]


def test_a_blocked_round_is_looked_at_again_only_after_something_happens(any_db, any_make):
    world = any_make.community(protocol="lazy_consensus")
    proposal = lazy_proposal(any_make, world)
    objection = services.raise_objection(
        any_db, world.members[1], proposal_id=proposal.id, reason="Wait."
    )
    sessions, later = scheduler_sessions(any_db), utcnow() + timedelta(days=8)
    first = services.run_due(sessions, now=later)
    assert (first.moved, first.blocked) == ([], 1)
    with sessions() as session:  # not selected again: nothing changed since
        assert deadlines._due_rounds(session, later) == []
    assert services.run_due(sessions, now=later).blocked == 0
    services.withdraw_objection(any_db, world.members[1], objection_id=objection.id, reason="")
    assert services.run_due(sessions, now=later).moved == [proposal.id]


def test_the_command_line_runs_the_same_pass(app, db, make):
    world = make.community(protocol="lazy_consensus")
    lazy_proposal(make, world)
    result = app.test_cli_runner().invoke(args=["rounds", "close-due"])
    assert result.exit_code == 0, result.output
    assert "0 proposal(s) moved" in result.output and "0 reminder(s)" in result.output


# --- reminders -----------------------------------------------------------------------------


def test_reminders_go_only_to_those_who_have_not_answered_once_per_threshold(db, make):
    world = make.community(members=3)
    proposal = make.proposal(world, stage="consent")
    answered, *waiting = world.members
    services.register_stance(db, answered, proposal_id=proposal.id, position="consent")
    deadline = open_round(db, proposal.id).deadline
    sessions = scheduler_sessions(db)
    for _ in range(2):
        report = services.run_due(sessions, now=deadline - timedelta(hours=47))
    assert (report.reminders, report.closing_soon) == (0, 0)  # the second pass adds nothing
    [reminder] = events(db, "round.reminder_due")
    expected = sorted([world.facilitator.id, *(person.id for person in waiting)])
    assert reminder == {"hours": 48, "to": expected}

    services.register_stance(db, waiting[0], proposal_id=proposal.id, position="stand_aside")
    first = services.run_due(sessions, now=deadline - timedelta(hours=23))
    again = services.run_due(sessions, now=deadline - timedelta(hours=22))
    assert (first.reminders, first.closing_soon, again.reminders, again.closing_soon) == (
        1,
        1,
        0,
        0,
    )
    assert events(db, "round.reminder_due")[-1] == {"hours": 24, "to": expected[:1] + expected[2:]}
    assert events(db, "round.closing_soon") == [
        {"to": [world.facilitator.id], "not_answered": expected[:1] + expected[2:]}
    ]


def test_a_round_opened_inside_a_threshold_gets_no_reminder_for_it(db, make):
    world = make.community()
    proposal = make.proposal(world, stage="objection")
    round_ = open_round(db, proposal.id)
    report = services.run_due(scheduler_sessions(db), now=round_.deadline - timedelta(hours=47))
    assert report.reminders == 1  # opened a week before: the 48-hour reminder is due
    db.rollback()
    short = lazy_proposal(
        make, make.community(protocol="lazy_consensus"), deadline=utcnow() + timedelta(hours=30)
    )
    later = open_round(db, short.id).deadline - timedelta(hours=40)
    assert services.run_due(scheduler_sessions(db), now=later).reminders == 0


def test_a_facilitator_reminds_those_who_have_not_answered_at_most_once_a_day(db, make):
    world = make.community(members=2)
    proposal = make.proposal(world, stage="consent")
    services.register_stance(db, world.members[0], proposal_id=proposal.id, position="consent")
    with pytest.raises(Forbidden):
        services.remind_non_answerers(db, world.members[0], proposal_id=proposal.id)
    reminded = services.remind_non_answerers(db, world.facilitator, proposal_id=proposal.id)
    assert reminded == [world.members[1].id]  # not the one who answered, nor themselves
    with pytest.raises(Refused, match="at most once a day"):
        services.remind_non_answerers(db, world.facilitator, proposal_id=proposal.id)
    round_ = open_round(db, proposal.id)
    round_.reminded_at = utcnow() - timedelta(hours=25)
    db.add(round_)
    db.commit()
    services.remind_non_answerers(db, world.facilitator, proposal_id=proposal.id)
    assert events(db, "round.reminded") == [{"to": reminded}, {"to": reminded}]


# --- proposing again, review dates -----------------------------------------------------------


def test_a_lapsed_proposal_is_proposed_again_from_its_last_revision(db, make):
    world = make.community()
    proposal = make.proposal(world, stage="consent")
    with pytest.raises(Refused, match="Only a proposal closed without a decision"):
        services.propose_again(db, world.members[0], proposal_id=proposal.id)
    revised = AGREEMENT_TEXT.replace("We decide by consent.", "We decide by consent, together.")
    services.revise_proposal(db, world.members[0], proposal_id=proposal.id, text=revised)
    services.lapse_proposal(db, world.facilitator, proposal_id=proposal.id, reason="Quiet.")
    again = services.propose_again(db, world.members[0], proposal_id=proposal.id)
    assert (again.state, again.title, again.proposer_id) == (
        "proposed", proposal.title, world.members[0].id,
    )  # fmt: skip
    detail = services.queries.proposal_detail(db, world.members[0], again.id)
    assert detail.latest.text == revised
    assert events(db, "proposal.created")[-1]["proposed_again_from"] == proposal.id


def test_a_review_date_is_noticed_once_and_lists_the_concerns_since_the_last_review(db, make):
    world = make.community()
    proposal = make.proposal(world, stage="comment")
    services.raise_concern(db, world.members[1], proposal_id=proposal.id, text="Too long.")
    review_on = (utcnow() + timedelta(days=30)).date()
    with pytest.raises(Forbidden):
        services.set_review_date(
            db, world.members[0], agreement_id=world.agreement.id, review_on=review_on
        )
    services.set_review_date(
        db, world.facilitator, agreement_id=world.agreement.id, review_on=review_on
    )
    community, agreement = services.queries.agreement_at(
        db, world.members[0], world.community.slug, world.agreement.slug
    )
    assert not review_of(db, world.members[0], community, agreement).is_due
    exported = archive.dump_archive(archive.export_community(db, world.community.slug))
    assert f'"review_on":"{review_on.isoformat()}"' in exported  # archives keep the date
    sessions, later = scheduler_sessions(db), utcnow() + timedelta(days=31)
    assert services.run_due(sessions, now=later).reviews == 1
    assert services.run_due(sessions, now=later).reviews == 0
    assert events(db, "agreement.review_due") == [{}]

    db.rollback()
    agreement.review_on = utcnow().date()  # the day has come (as the page sees it)
    db.add(agreement)
    db.commit()
    review = review_of(db, world.members[0], community, agreement)
    assert review.is_due and [c.text for c in review.concerns] == ["Too long."]
    services.set_review_date(
        db, world.facilitator, agreement_id=world.agreement.id, review_on=review_on
    )
    db.refresh(agreement)
    assert agreement.reviewed_at is not None
    assert concerns_since_review(db, agreement) == []


# --- the scheduler racing members (PostgreSQL: row locks and the chain-head lock) -----------

RACE_TEXTS = (
    ("We share what we learn.", "We share all we learn."),
    ("We speak with respect.", "We speak with care."),
    ("We decide by consent.", "We decide together."),
)


def test_objections_racing_the_scheduler_neither_deadlock_nor_fail(postgres_url):
    """Before: the scheduler held the chain-head lock across all due rounds while a member's
    objection held a proposal's lock and waited for the chain head: a deadlock, reported as
    "Accord is busy", and the whole batch rolled back. Now each round is its own transaction."""
    engine = make_engine(postgres_url, busy_timeout_ms=60_000)
    try:
        with Session(engine, expire_on_commit=False) as setup:
            make = Factory(setup)
            for _iteration in range(3):
                race_once(engine, make)
    finally:
        engine.dispose()


def race_once(engine, make: Factory) -> None:
    """Due lazy proposals; each gets an objection at the moment the scheduler runs."""
    world = make.community(members=len(RACE_TEXTS), protocol="lazy_consensus")
    proposals = [
        lazy_proposal(make, world, AGREEMENT_TEXT.replace(old, new)).id for old, new in RACE_TEXTS
    ]
    start = threading.Barrier(len(proposals) + 1, timeout=60)
    errors: list[str] = []

    def object_to(person, proposal_id: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                services.raise_objection(session, person, proposal_id=proposal_id, reason="No.")
            except Refused as refusal:  # adopted first: "Cannot object now"
                if "Cannot object now" not in refusal.message:
                    errors.append(f"{refusal.message} {refusal.__cause__!r}")
            except Exception as error:  # reported below, with the others
                errors.append(repr(error))

    def schedule() -> None:
        start.wait()
        report = services.run_due(
            lambda: Session(engine, expire_on_commit=False), now=utcnow() + timedelta(days=8)
        )
        errors.extend(report.failed)

    threads = [
        threading.Thread(target=object_to, args=(person, pid))
        for person, pid in zip(world.members, proposals, strict=True)
    ]
    threads.append(threading.Thread(target=schedule))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    assert errors == []
    with Session(engine) as check:
        for pid in proposals:
            proposal = check.get(Proposal, pid)
            objected = check.exec(select(Objection).where(Objection.proposal_id == pid)).all()
            # Adopted with nobody objecting first, or blocked by the objection that came first.
            assert (proposal.state, bool(objected)) in (("adopted", False), ("objection", True))
        assert audit.verify_chain(check).ok
