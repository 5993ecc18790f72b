"""A lived-in community for measuring Accord at size: `flask --app wsgi demo --large`.

A hundred members in twenty-five organisations, an agreement of a thousand adopted
versions, each made through a complete decision (proposal, comment stage, objection and
consent rounds, stances, adoption), a proposal waiting in its consent round with two
hundred comments and a hundred stances, and at least 100,000 audit events in all. Every
row is written by the same use cases as real work, so the audit trail verifies and the
pages show what a community would see after years of use.

Its facilitator is the demo's facilitator, so one sign-in reaches both communities. The
members share the demo's published password, hashed once (see
agreements.security.passwords.one_hash_per_password). `Scale` makes a small version for
tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, select

from . import audit, services
from .demo import DEMO_PASSWORD, PEOPLE, seed_demo
from .models import Agreement, Community, User
from .security.passwords import one_hash_per_password

SLUG = "open-justice-network"
SECTIONS = 40
TOPICS = (
    "how members share case materials",
    "how new members are welcomed",
    "how facilitators are chosen",
    "how conflicts of interest are declared",
    "how we speak with the press",
    "how funding is shared between organisations",
    "how meetings are run across languages",
    "how we support members under pressure",
)


@dataclass(frozen=True)
class Scale:
    """How big the large community is (the defaults are what `demo --large` seeds)."""

    members: int = 100
    organisations: int = 25
    versions: int = 1000
    comments: int = 200
    stances: int = 100
    events: int = 100_000


# Seeding-only SQLite settings: no fsync (a seed cut short is simply run again on a fresh
# file), the write-ahead log checkpointed every 400 MB instead of every 4 MB (hot index
# pages are copied back once, not once every seventy use cases), a 256 MB page cache.
SEEDING_PRAGMAS = {"synchronous": "OFF", "wal_autocheckpoint": "100000", "cache_size": "-262144"}


@contextmanager
def seeding_session(engine: Engine) -> Iterator[Session]:
    """A session for `demo --large` that trades durability for speed.

    The seed is over 100,000 use cases, each its own transaction. On SQLite, on a file of
    hundreds of megabytes, checkpointing the log every seventy of them costs more as the
    file grows; on PostgreSQL, each commit would wait for the log to reach the disk. The
    settings are one connection's, for the seed only: at the end they are put back (on
    SQLite one checkpoint then writes everything into the database file, durably). The
    app's engine and configuration are untouched. On PostgreSQL the seed ends with
    ANALYZE: without table statistics (until autovacuum gets round to it) the planner may
    scan a whole table where an index would answer.
    """
    if engine.dialect.name != "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("SET synchronous_commit TO OFF")  # this connection's
            connection.commit()
            try:
                with Session(bind=connection, expire_on_commit=False) as session:
                    yield session
            finally:
                connection.rollback()
                connection.exec_driver_sql("RESET synchronous_commit")
                connection.commit()
        with engine.begin() as connection:  # statistics for the planner, as after any bulk load
            connection.exec_driver_sql("ANALYZE")
        return
    with engine.connect() as connection:
        sqlite = connection.connection.driver_connection  # outside any transaction
        assert sqlite is not None
        before = {name: sqlite.execute(f"PRAGMA {name}").fetchone()[0] for name in SEEDING_PRAGMAS}
        for name, value in SEEDING_PRAGMAS.items():
            sqlite.execute(f"PRAGMA {name}={value}")
        try:
            with Session(bind=connection, expire_on_commit=False) as session:
                yield session
        finally:
            for name, value in before.items():
                sqlite.execute(f"PRAGMA {name}={value}")
            sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _paragraph(section: int, decision: int) -> str:
    topic = TOPICS[section % len(TOPICS)]
    if decision == 0:
        return f"This section describes {topic}. It was written when the network was founded."
    return (
        f"This section describes {topic}. Decision {decision} settled the current wording: "
        f"members agree to revisit it whenever practice has moved on, and to say so openly."
    )


def _text(paragraphs: list[str]) -> str:
    parts = ["# Network Agreement\n"]
    for number, paragraph in enumerate(paragraphs, start=1):
        parts.append(f"## Section {number}\n{paragraph}\n")
    return "\n".join(parts)


def _comment(number: int) -> str:
    """One to three paragraphs, as people write them."""
    sentences = (
        "I have read the new wording twice and I think it says what we agreed in the meeting.",
        "Our organisation discussed this last week; most of us are comfortable with it.",
        "Could we add an example? People who join later will not know the history.",
        "I am not sure the second sentence is needed, but I will not stand in the way.",
    )
    count = 1 + number % 3
    return "\n\n".join(
        f"{sentences[(number + k) % len(sentences)]} (point {number}.{k + 1})" for k in range(count)
    )


def _members(session: Session, facilitator: User, community_id: int, scale: Scale) -> list[User]:
    """The facilitator plus `scale.members - 1` new accounts, spread over the organisations."""
    admin = session.exec(select(User).where(User.is_admin, User.is_active)).first()
    members = [facilitator]
    with one_hash_per_password():
        for number in range(1, scale.members):
            user = services.create_account(
                session,
                admin,
                email=f"member{number:03d}@network.accord",
                display_name=f"Member {number:03d}",
                password=DEMO_PASSWORD,
            )
            services.add_member(
                session,
                facilitator,
                community_id=community_id,
                user_id=user.id,
                organisation=f"Organisation {number % scale.organisations + 1:02d}",
            )
            members.append(user)
    return members


def _stances_per_decision(session: Session, scale: Scale) -> int:
    """Enough stances in each decision that the seed reaches `scale.events` events in all."""
    # Each decision also writes five events (propose, three rounds, adopt); the waiting
    # proposal writes its comments, stances and four moves.
    later = scale.versions * 5 + scale.comments + scale.stances + 4
    missing = scale.events - audit.count_events(session) - later
    quorum = math.ceil(scale.members / 2)
    wanted = math.ceil(max(missing, 0) / max(scale.versions, 1))
    return min(scale.members, max(quorum, wanted))


def _decide(
    session: Session,
    facilitator: User,
    members: list[User],
    agreement_id: int,
    text: str,
    number: int,
    stances: int,
) -> None:
    """One complete decision: proposal, rounds, stances, adoption."""
    proposer = members[number % len(members)]
    proposal = services.propose_amendment(
        session,
        proposer,
        agreement_id=agreement_id,
        title=f"Update section {number % SECTIONS + 1} (decision {number})",
        rationale="Practice has moved on since this section was written.",
        text=text,
    )
    pid = proposal.id
    services.open_comments(session, facilitator, proposal_id=pid)
    services.open_objection_round(session, facilitator, proposal_id=pid)
    services.open_consent_round(session, facilitator, proposal_id=pid)
    for offset in range(stances):
        person = members[(number + offset) % len(members)]
        services.register_stance(session, person, proposal_id=pid, position="consent")
    services.adopt_proposal(
        session,
        facilitator,
        proposal_id=pid,
        outcome_statement=f"Adopted by consent of {stances} participants.",
    )


def _waiting_proposal(
    session: Session,
    facilitator: User,
    members: list[User],
    agreement_id: int,
    scale: Scale,
    paragraphs: list[str],
) -> None:
    """The proposal in its consent round, with a long discussion and every stance given."""
    paragraphs = [*paragraphs, "A new section on how we review this agreement every year."]
    proposal = services.propose_amendment(
        session,
        members[1 % len(members)],
        agreement_id=agreement_id,
        title="Review this agreement every year",
        rationale="A yearly review keeps the agreement close to how we actually work.",
        text=_text(paragraphs),
    )
    pid = proposal.id
    services.open_comments(session, facilitator, proposal_id=pid)
    threads: list[int] = []
    for number in range(scale.comments):
        author = members[(number * 7) % len(members)]
        reply_to = threads[number % len(threads)] if number % 4 == 3 and threads else None
        comment = services.add_comment(
            session,
            author,
            proposal_id=pid,
            body=_comment(number),
            kind=("question", "reaction", "suggestion")[number % 3],
            parent_id=reply_to,
        )
        if reply_to is None:
            threads.append(comment.id)  # type: ignore[arg-type]
    services.open_objection_round(session, facilitator, proposal_id=pid)
    services.open_consent_round(session, facilitator, proposal_id=pid)
    for number, person in enumerate(members[: scale.stances]):
        aside = number % 10 == 9
        services.register_stance(
            session,
            person,
            proposal_id=pid,
            position="stand_aside" if aside else "consent",
            reason="I trust the group on this one." if aside else "",
        )


def seed_large(
    session: Session, scale: Scale = Scale(), progress: Callable[[str], None] = lambda _: None
) -> bool:
    """Seed the demo if it is absent, then the large community; False if it already exists."""
    if session.exec(select(Community).where(Community.slug == SLUG)).first() is not None:
        return False
    if session.exec(select(User).where(User.email == PEOPLE[0][0])).first() is None:
        seed_demo(session)
    facilitator = session.exec(select(User).where(User.email == PEOPLE[0][0])).one()
    admin = session.exec(select(User).where(User.is_admin, User.is_active)).first()
    community = services.create_community(
        session,
        admin,
        slug=SLUG,
        name="Open Justice Network",
        description="A large network of legal organisations, with years of history.",
        facilitator_id=facilitator.id,
    )
    members = _members(session, facilitator, community.id, scale)  # type: ignore[arg-type]
    progress(f"{len(members)} members")
    paragraphs = [_paragraph(section, 0) for section in range(SECTIONS)]
    agreement: Agreement = services.import_agreement_history(
        session,
        facilitator,
        community_id=community.id,
        title="Network Agreement",
        texts=[_text(paragraphs)],
    )
    stances = _stances_per_decision(session, scale)
    for number in range(1, scale.versions):
        paragraphs[number % SECTIONS] = _paragraph(number % SECTIONS, number)
        _decide(session, facilitator, members, agreement.id, _text(paragraphs), number, stances)  # type: ignore[arg-type]
        if number % 100 == 0:
            progress(f"version {number + 1}")
    _waiting_proposal(session, facilitator, members, agreement.id, scale, paragraphs)  # type: ignore[arg-type]
    return True
