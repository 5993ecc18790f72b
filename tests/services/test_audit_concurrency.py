"""The audit trail stays one chain when several workers append at the same moment.

Four processes (spawned, like separate app servers) append 1,000 events each, every event
in its own transaction. Afterwards the chain must verify with exactly 4,000 events, none
lost and none forked, on SQLite (BEGIN IMMEDIATE serialises writers) and on PostgreSQL
(an advisory lock guards the chain head).
"""

from __future__ import annotations

import json
import multiprocessing
from collections import Counter

from sqlalchemy import text
from sqlmodel import Session, select

from agreements import audit
from agreements.models import AuditEvent
from agreements.storage.engines import make_engine

WORKERS = 4
EVENTS_EACH = 400


def append_events(url: str, worker: int, start: multiprocessing.synchronize.Event) -> None:
    """One worker: wait for the others, then append EVENTS_EACH events, one commit each."""
    engine = make_engine(url, busy_timeout_ms=60_000)
    start.wait()
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":  # no fsync per commit: locking is what's tested
            session.execute(text("SET synchronous_commit TO off"))
            session.commit()
        for n in range(EVENTS_EACH):
            subject = audit.Subject("test", n)
            audit.record(session, None, "test.appended", subject, {"worker": worker, "n": n})
            session.commit()
    engine.dispose()


def test_four_workers_append_one_unforked_chain(any_db_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [
        context.Process(target=append_events, args=(any_db_url, worker, start))
        for worker in range(WORKERS)
    ]
    for process in workers:
        process.start()
    start.set()
    for process in workers:
        process.join(timeout=300)
    assert [process.exitcode for process in workers] == [0] * WORKERS

    engine = make_engine(any_db_url)
    with Session(engine) as session:
        result = audit.verify_chain(session)
        payloads = [json.loads(p) for p in session.exec(select(AuditEvent.payload))]
    engine.dispose()
    assert result.ok, result.message
    assert result.count == WORKERS * EVENTS_EACH
    assert Counter(p["worker"] for p in payloads) == dict.fromkeys(range(WORKERS), EVENTS_EACH)
