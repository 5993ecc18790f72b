"""Invariant 3 under real concurrency: a stance is counted or refused as late, never lost."""

from __future__ import annotations

import threading

from sqlmodel import Session, select

from agreements import audit, services
from agreements.errors import Refused
from agreements.models import Round, Stance
from agreements.storage.engines import make_engine
from tests.factories import Factory

PARTICIPANTS = 20


def test_stances_race_the_closing_of_the_round(any_db_url):
    # A generous busy timeout: a loaded machine makes the race slower, never a false failure.
    engine = make_engine(any_db_url, busy_timeout_ms=60_000)
    with Session(engine, expire_on_commit=False) as setup:
        make = Factory(setup)
        world = make.community(members=PARTICIPANTS, quorum_percent=0)
        proposal = make.proposal(world, stage="consent")
        people = list(world.members)
        facilitator = world.facilitator

    start = threading.Barrier(PARTICIPANTS + 1, timeout=60)
    outcomes: dict[int, str] = {}
    closed: list[bool] = []

    def give_stance(person) -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                services.register_stance(
                    session, person, proposal_id=proposal.id, position="consent"
                )
                outcomes[person.id] = "counted"
            except Refused as refusal:
                outcomes[person.id] = f"refused: {refusal.message}"

    def close_round() -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            services.reject_proposal(
                session, facilitator, proposal_id=proposal.id, reason="Closing now."
            )
            closed.append(True)

    threads = [threading.Thread(target=give_stance, args=(p,)) for p in people]
    threads.append(threading.Thread(target=close_round))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    assert closed == [True]

    with Session(engine) as session:
        round_ = session.exec(
            select(Round).where(Round.proposal_id == proposal.id, Round.kind == "consent")
        ).one()
        stored = session.exec(select(Stance).where(Stance.round_id == round_.id)).all()
        assert round_.closed_at is not None
        assert len(outcomes) == PARTICIPANTS
        counted = {pid for pid, outcome in outcomes.items() if outcome == "counted"}
        refused = [outcome for outcome in outcomes.values() if outcome != "counted"]
        assert {s.participant_id for s in stored} == counted
        assert all(s.cast_at <= round_.closed_at for s in stored)
        assert all("no consent round open" in outcome for outcome in refused), refused
        assert audit.verify_chain(session).ok
    engine.dispose()
