"""One row by its id, read with a statement built once per model.

Session.get builds its SELECT, and that statement's cache key, on every call that misses
the session's identity map, which costs more than running it. Nearly every request reads
the signed-in account by id, and every use case on a proposal its agreement and community:
`row_by_id` answers as Session.get does, from a statement built once. The services' locking
read of a row (`_unit.lock`) is built on the same statement.

May import: SQLAlchemy, SQLModel (no Flask).
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from sqlalchemy import bindparam
from sqlalchemy.orm import util as orm_util
from sqlmodel import Session, SQLModel, select

M = TypeVar("M", bound=SQLModel)


@functools.cache
def by_id_statement(model: type[SQLModel]) -> Any:
    """`SELECT model WHERE id = :row_id`, built once per model."""
    return select(model).where(model.id == bindparam("row_id"))  # type: ignore[attr-defined]


def row_by_id(session: Session, model: type[M], row_id: int) -> M | None:
    """`session.get(model, row_id)`: the row the session holds, else the one read."""
    if orm_util.identity_key(model, row_id) in session.identity_map:
        return session.get(model, row_id)
    # No autoflush, as Session.get: reading a row by id never writes what the session holds.
    row: M | None = session.exec(
        by_id_statement(model),
        params={"row_id": row_id},
        execution_options={"autoflush": False},
    ).first()
    return row
