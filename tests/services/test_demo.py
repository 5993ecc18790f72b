"""The demo reads like a real community: each open proposal has its own discussion."""

from __future__ import annotations

from sqlmodel import Session, col, select

from agreements.demo import PROPOSALS, seed_demo
from agreements.models import Comment, Concern, Proposal, Round


def test_each_open_proposal_has_its_own_question_answer_and_concern(db: Session) -> None:
    """...and every open round has a deadline, as real ones do."""
    seed_demo(db)
    seen: set[str] = set()
    for demo in PROPOSALS:
        proposal = db.exec(select(Proposal).where(Proposal.title == demo.title)).one()
        comments = db.exec(select(Comment).where(Comment.proposal_id == proposal.id)).all()
        question = next(c for c in comments if c.kind == "question")
        answer = next(c for c in comments if c.parent_id == question.id)
        concern = db.exec(select(Concern).where(Concern.proposal_id == proposal.id)).one()
        assert answer.author_id == proposal.proposer_id
        assert question.author_id != proposal.proposer_id
        texts = {question.body, answer.body, concern.text}
        assert not texts & seen, "the same words appear on two proposals"
        seen |= texts
    open_rounds = db.exec(select(Round).where(col(Round.closed_at).is_(None))).all()
    assert open_rounds and all(round_.deadline for round_ in open_rounds)


def test_the_large_community_is_made_of_real_decisions_at_any_scale(db: Session) -> None:
    """A scaled-down `demo --large`: every version from a decision, a waiting proposal with
    its comments (a quarter replies) and stances, one shared hash, and a chain that verifies."""
    from agreements import audit
    from agreements.demo_large import SLUG, Scale, seed_large
    from agreements.models import Agreement, Community, Stance, User, Version

    scale = Scale(members=6, organisations=3, versions=4, comments=8, stances=6, events=100)
    assert seed_large(db, scale) is True
    community = db.exec(select(Community).where(Community.slug == SLUG)).one()
    agreement = db.exec(select(Agreement).where(Agreement.community_id == community.id)).one()
    versions = db.exec(select(Version).where(Version.agreement_id == agreement.id)).all()
    assert len(versions) == scale.versions
    assert all(v.proposal_id for v in versions if v.number > 1)
    waiting = db.exec(
        select(Proposal).where(Proposal.agreement_id == agreement.id, Proposal.state == "consent")
    ).one()
    comments = db.exec(select(Comment).where(Comment.proposal_id == waiting.id)).all()
    assert len(comments) == scale.comments
    assert sum(c.parent_id is not None for c in comments) == scale.comments // 4
    round_ids = select(Round.id).where(Round.proposal_id == waiting.id)
    stances = db.exec(select(Stance).where(col(Stance.round_id).in_(round_ids))).all()
    assert len(stances) == scale.stances
    seeded = db.exec(select(User).where(col(User.email).like("%@network.accord"))).all()
    assert len(seeded) == scale.members - 1 and len({u.password_hash for u in seeded}) == 1
    assert audit.count_events(db) >= scale.events
    assert audit.verify_chain(db).ok
    assert seed_large(db, scale) is False  # only once


def test_the_large_seed_relaxes_durability_for_its_own_connection_only(sqlite_url: str) -> None:
    """`demo --large` seeds without fsync on its connection; afterwards that connection is
    back to the app's settings and everything seeded is in the file for the next reader."""
    from agreements import audit
    from agreements.demo_large import Scale, seed_large, seeding_session
    from agreements.storage.engines import make_engine

    engine = make_engine(sqlite_url)
    with seeding_session(engine) as session:
        synchronous = session.connection().exec_driver_sql("PRAGMA synchronous").scalar()
        assert synchronous == 0  # OFF while seeding
        seed_large(session, Scale(members=4, organisations=2, versions=2, comments=2, stances=2))
    with engine.connect() as connection:  # the pool hands back the seeding connection
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
    engine.dispose()
    reader = make_engine(sqlite_url)
    with Session(reader) as session:
        assert audit.count_events(session) > 0 and audit.verify_chain(session).ok
    reader.dispose()


def test_the_large_seed_on_postgresql_leaves_statistics_for_the_planner(postgres_url: str) -> None:
    """On PostgreSQL `demo --large` commits without waiting for the disk on its own
    connection only (the pool gets it back as the app's), and right after it the planner
    knows how big each table is, so the pages measured on the seed use their indexes
    (autovacuum may not have run yet)."""
    from agreements.demo_large import Scale, seed_large, seeding_session
    from agreements.storage.engines import make_engine

    engine = make_engine(postgres_url)
    with engine.connect() as connection:
        started = connection.exec_driver_sql("SELECT clock_timestamp()").scalar()
    with seeding_session(engine) as session:
        waits = session.connection().exec_driver_sql("SHOW synchronous_commit").scalar()
        assert waits == "off"
        seed_large(session, Scale(members=4, organisations=2, versions=2, comments=2, stances=2))
    with engine.connect() as connection:  # the pool's one connection: the seed's
        assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
        analysed = connection.exec_driver_sql(
            "SELECT relname FROM pg_stat_user_tables WHERE last_analyze >= %(started)s",
            {"started": started},
        ).scalars()
        assert {"audit_event", "proposal", "comment", "version"} <= set(analysed)
    engine.dispose()
