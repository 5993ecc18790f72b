"""How fast `audit verify` checks a long chain, against the raw cost of the same work.

Builds a chain of N events (default 100,000) in a temporary SQLite file by computing each
event's hash the way audit.record does and bulk-inserting the rows, then times:
  * verify_chain (what `flask --app wsgi audit verify` runs, and the history badge at the
    first page of each process), in wall-clock and in CPU time (steadier on a shared machine);
  * a reference in the same run: read the same rows with the bare sqlite3 driver and hash
    each one with hashlib (no checks), the floor any verifier in Python pays.
The ratio makes the figure comparable across machines.

    python bench/audit_bench.py [--events 100000]
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, SQLModel

from agreements import audit
from agreements.audit.canonical import canonical_json
from agreements.models import AuditEvent
from agreements.storage.engines import make_engine
from agreements.storage.triggers import install_guards

ACTIONS = ("comment.added", "stance.registered", "objection.raised", "proposal.revised")


def build_chain(engine: object, count: int) -> str:
    """Insert `count` valid, chained events; returns the head hash."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    previous = audit.GENESIS_HASH
    rows = []
    for seq in range(1, count + 1):
        event = AuditEvent(
            seq=seq,
            occurred_at=start + timedelta(seconds=seq),
            actor_id=None,
            actor_name=f"Person {seq % 40}",
            action=ACTIONS[seq % len(ACTIONS)],
            subject_type="proposal",
            subject_id=seq % 500,
            payload=canonical_json({"body": f"A comment of ordinary length, number {seq}."}),
            prev_hash=previous,
            hash="",
        )
        event.hash = audit.compute_hash(event)
        previous = event.hash
        rows.append({c.name: getattr(event, c.name) for c in AuditEvent.__table__.columns})
    with engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(AuditEvent.__table__.insert(), rows)
    return previous


def raw_read_and_hash(path: Path) -> int:
    """The floor: fetch every row with sqlite3 and sha256 its columns, checking nothing."""
    connection = sqlite3.connect(path)
    count = 0
    for row in connection.execute("SELECT * FROM audit_event ORDER BY seq"):
        hashlib.sha256(repr(row).encode("utf-8")).hexdigest()
        count += 1
    connection.close()
    return count


def timed(fn: object) -> tuple[object, float]:
    started = time.perf_counter()
    result = fn()  # type: ignore[operator]
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    count = parser.parse_args().events
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        engine = make_engine(f"sqlite:///{path}")
        SQLModel.metadata.create_all(engine)
        with engine.begin() as connection:
            install_guards(connection)
        head, build_seconds = timed(lambda: build_chain(engine, count))
        print(f"built {count} events in {build_seconds:.1f} s")
        with Session(engine) as session:
            cpu_started = time.process_time()
            result, verify_seconds = timed(lambda: audit.verify_chain(session))
            cpu_seconds = time.process_time() - cpu_started
        assert result.ok and result.head_hash == head, result  # type: ignore[attr-defined]
        raw_count, raw_seconds = timed(lambda: raw_read_and_hash(path))
        assert raw_count == count
        verify_rate, raw_rate = count / verify_seconds, count / raw_seconds
        print(
            f"verify_chain: {verify_seconds:.2f} s "
            f"({count / cpu_seconds:,.0f} events per CPU second)"
        )
        print(f"raw read+hash: {raw_seconds:.2f} s ({raw_rate:,.0f} events/s)")
        print(
            f"verify: {verify_rate:,.0f} events/s "
            f"(ratio to raw read+hash: {verify_rate / raw_rate:.2f})"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
