"""What a write use case costs, in a community of 100 members against a community of one.

Every use case is one transaction with one audit event, and the notifications and queued
mails that event causes (agreements/services/notices.py). Opening a round or adopting a
proposal tells every member, so in a community of 100 it writes about 100 notifications
and 100 mails; a comment or a consent tells almost nobody. This script seeds both
communities in a temporary SQLite file, then runs complete decisions in each (proposal,
comment stage with five comments, objection and consent rounds, a quorum's
consents, adoption: what
`flask --app wsgi demo --large` repeats a thousand times), alternating the two, and prints
use cases per second for each kind of use case. In the same run it times a reference: a
bare sqlite3 INSERT and COMMIT in a file of its own. The ratios make the figures
comparable across machines and loads.

    python bench/write_bench.py [--decisions 6] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import math
import pstats
import sqlite3
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from agreements import services
from agreements.demo import PEOPLE
from agreements.demo_large import SLUG, Scale, seed_large
from agreements.models import Agreement, Community, User
from agreements.storage.engines import make_engine
from agreements.storage.migrate import upgrade

COMMENTS = 5


class Timer:
    """Seconds and calls per use case name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def run(self, name: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = call(*args, **kwargs)
        self.seconds[name] += time.perf_counter() - started
        self.calls[name] += 1
        return result

    def rate(self, name: str | None = None) -> float:
        names = [name] if name else list(self.seconds)
        return sum(self.calls[n] for n in names) / sum(self.seconds[n] for n in names)


def decide(session: Session, timer: Timer, people: list[User], agreement_id: int, n: int) -> None:
    """One complete decision, as demo --large makes them, with a few comments."""
    facilitator = people[0]
    text = f"# Agreement\n\nDecision {n} settled this wording.\n"
    proposal = timer.run(
        "propose_amendment",
        services.propose_amendment,
        session,
        people[n % len(people)],
        agreement_id=agreement_id,
        title=f"Decision {n}",
        rationale="Practice has moved on.",
        text=text,
    )
    pid = proposal.id
    timer.run("open_comments", services.open_comments, session, facilitator, proposal_id=pid)
    for number in range(COMMENTS):
        author = people[(n + number) % len(people)]
        body = f"Comment {number} on decision {n}: I have read it and it reads well."
        timer.run("add_comment", services.add_comment, session, author, proposal_id=pid, body=body)
    for step in ("open_objection_round", "open_consent_round"):
        timer.run(step, getattr(services, step), session, facilitator, proposal_id=pid)
    for person in people[: math.ceil(len(people) / 2)]:  # the quorum
        timer.run(
            "register_stance",
            services.register_stance,
            session,
            person,
            proposal_id=pid,
            position="consent",
        )
    timer.run(
        "adopt_proposal",
        services.adopt_proposal,
        session,
        facilitator,
        proposal_id=pid,
        outcome_statement="Adopted by consent.",
    )


def sqlite_reference(path: Path, count: int) -> float:
    """Inserts-and-commits per second with the bare driver, WAL as Accord's engine sets."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE row (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    started = time.perf_counter()
    for number in range(count):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO row (body) VALUES (?)", (f"row {number}",))
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return count / elapsed


def setup(session: Session, members: int) -> tuple[list[User], int, list[User], int]:
    """The large community (`members` people) and a community of its facilitator alone."""
    seed_large(session, Scale(members=members, versions=1, comments=0, stances=0, events=0))
    large = session.exec(select(Community).where(Community.slug == SLUG)).one()
    people = [
        user
        for user in session.exec(select(User).order_by(User.id))
        if user.email.endswith("@network.accord")
    ]
    facilitator = session.exec(select(User).where(User.email == PEOPLE[0][0])).one()
    admin = session.exec(select(User).where(User.is_admin, User.is_active)).first()
    solo = services.create_community(
        session, admin, slug="solo", name="Solo", description="", facilitator_id=facilitator.id
    )
    solo_agreement = services.import_agreement_history(
        session, facilitator, community_id=solo.id, title="Solo", texts=["# Solo\n\nFirst.\n"]
    )
    large_agreement = session.exec(
        select(Agreement).where(Agreement.community_id == large.id)
    ).one()
    return [facilitator, *people], large_agreement.id, [facilitator], solo_agreement.id  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--decisions", type=int, default=6)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--profile", action="store_true", help="cProfile the large community")
    parser.add_argument("--sort", default="cumulative", help="the profile's order (tottime...)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="accord-write-bench-") as temporary:
        run(args, Path(temporary))


def run(args: argparse.Namespace, folder: Path) -> None:
    """Seed, alternate the two communities' decisions with the reference, print."""
    engine = make_engine(f"sqlite:///{folder / 'accord.sqlite'}")
    upgrade(engine)
    large, solo = Timer(), Timer()
    profile = cProfile.Profile()
    references = []
    with Session(engine, expire_on_commit=False) as session:
        people, large_id, alone, solo_id = setup(session, args.members)
        for n in range(args.decisions):
            references.append(sqlite_reference(folder / f"reference-{n}.sqlite", 300))
            if args.profile:
                profile.enable()
            decide(session, large, people, large_id, n)
            profile.disable()
            decide(session, solo, alone, solo_id, n)
    engine.dispose()
    reference = sorted(references)[len(references) // 2]
    print(f"reference: bare sqlite3 INSERT + COMMIT, {reference:,.0f}/s (median)")
    print(f"{'use case':22} {args.members:>4} members/s  1 member/s  ratio  vs reference")
    for name in [*large.seconds, None]:
        label = name or "all (a decision's mix)"
        big, one = large.rate(name), solo.rate(name)
        print(f"{label:22} {big:14.1f} {one:11.1f} {big / one:6.2f} {big / reference:11.4f}")
    if args.profile:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(30)


if __name__ == "__main__":
    main()
