"""Two small rules every read-side query keeps, written once.

A lookup by address (a slug, a version number) answers NotFound with a message people can
read, never None; and a row read from the database always has its id, which SQLModel types
as `int | None` only because a new row has none until it is flushed.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from ...errors import NOTHING_HERE, NotFound


class Stored(Protocol):
    """A table row: its id is set once the row is in the database."""

    @property
    def id(self) -> int | None: ...


Row = TypeVar("Row")


def first_or_not_found(
    session: Session, statement: SelectOfScalar[Row], message: str = NOTHING_HERE
) -> Row:
    """The first row the statement finds, or NotFound saying what is missing (by default
    the message that also answers what the actor may not see)."""
    found = session.exec(statement).first()
    if found is None:
        raise NotFound(message)
    return found


def stored_id(row: Stored) -> int:
    """The id of a row read from the database (never None there)."""
    assert row.id is not None, "the row was never saved"
    return row.id
