"""Reads a request repeats, answered from the database once per transaction.

One page asks the same question many times: whether the person is a member of the
community is asked by its visibility check, by the links it offers, by the context of each
open proposal it lists and by the choice of interface language. `remembered(session, key,
read)` reads the answer the first time and keeps it in the session; the next asks get the
same answer without a statement.

An answer can only go stale through a write, so the session forgets every answer when it
writes: on any flush, on any INSERT, UPDATE or DELETE statement, and when its transaction
ends (commit or rollback); while it holds changes not yet flushed (new, changed or deleted
rows), it reads afresh instead (the read flushes them first, as any query does). A locking
read (services' `locked`, which refreshes the rows it reads) forgets them too: from there on
a use case relies on the freshest rows, which another transaction may have just committed.
Nothing is kept beyond the transaction, so no other process's writes are ever hidden.

`has_written(session)` says whether the transaction has written anything yet: an answer
kept beyond the transaction (services' kept tallies) may only be computed from rows others
can see, never from a write that may still be rolled back.

`hold(session, row)` keeps a row a use case read alive until its transaction ends. The
session holds what it read only weakly: once the use case returns, the proposal it acted
on is gone from the session, and the notifications written at commit (services.notices)
would read it again.

May import: SQLAlchemy (no Flask).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

T = TypeVar("T")
KEY = "accord.remembered"
HELD = "accord.held"
WROTE = "accord.wrote"


def remembered(session: Session, key: Hashable, read: Callable[[], T]) -> T:
    """The answer `read()` gives in this transaction, read at most once while nothing is written."""
    if session.new or session.deleted or session.dirty:
        return read()
    answers: dict[Hashable, Any] = session.info.setdefault(KEY, {})
    if key not in answers:
        answers[key] = read()
    return answers[key]  # type: ignore[no-any-return]


def remember(session: Session, key: Hashable, answer: object) -> None:
    """Keep `answer` as what `key` reads in this transaction, for a caller that has just read
    it as part of a larger read (not while the session holds changes not yet flushed)."""
    if not (session.new or session.deleted or session.dirty):
        session.info.setdefault(KEY, {})[key] = answer


def forget(session: Session) -> None:
    """Drop every remembered answer of this session."""
    session.info.pop(KEY, None)


def has_written(session: Session) -> bool:
    """Whether this transaction has flushed or sent a write, or holds changes to flush."""
    return bool(session.info.get(WROTE) or session.new or session.deleted or session.dirty)


def hold(session: Session, row: object) -> None:
    """Keep `row` in the session's identity map until the transaction ends."""
    session.info.setdefault(HELD, []).append(row)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: object) -> None:
    forget(session)
    session.info[WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    forget(session)
    if transaction.parent is None:  # the transaction itself, not a flush inside it
        session.info.pop(HELD, None)
        session.info.pop(WROTE, None)


@event.listens_for(Session, "do_orm_execute")
def _on_write_or_locking_statement(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info[WROTE] = True
    if not state.is_select or state.execution_options.get("populate_existing"):
        forget(state.session)
