"""The unit of work every use case runs in, and the registry of use cases.

`@use_case` makes one service call one transaction: it commits when the function returns,
rolls back on any error, and turns protocol refusals and constraint races into domain
errors with a human message. The registry lets tests prove, for every use case, that it
checks authorisation and writes exactly one audit event.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, SQLModel, select

from workflows import NotYourMove, Refusal

from ..errors import Forbidden, NotFound, Refused
from ..models import User
from ..storage.by_id import by_id_statement, row_by_id
from ..wording import _

USE_CASES: dict[str, Callable[..., Any]] = {}
SYSTEM_EMAIL = "system@accord.invalid"

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=SQLModel)
S = TypeVar("S", bound=Select[Any])


def use_case(fn: F) -> F:
    """Run `fn(session, actor, **kwargs)` as one transaction and register it."""

    @functools.wraps(fn)
    def run(session: Session, actor: User | None, /, **kwargs: Any) -> Any:
        try:
            result = fn(session, actor, **kwargs)
            session.commit()
        except NotYourMove as refusal:
            session.rollback()
            raise Forbidden(refusal.message) from refusal
        except Refusal as refusal:
            session.rollback()
            raise Refused(refusal.message) from refusal
        except IntegrityError as error:
            session.rollback()
            raise Refused(
                _("Someone else changed this at the same moment; please reload and try again.")
            ) from error
        except OperationalError as error:
            session.rollback()
            if "locked" in str(error):
                raise Refused(_("Accord is busy; please try again in a moment.")) from error
            raise
        except BaseException:
            session.rollback()
            raise
        return result

    USE_CASES[fn.__name__] = run
    return run  # type: ignore[return-value]


def get_or_404(session: Session, model: type[M], row_id: object) -> M:
    """The row with this id, or NotFound with the one message that also answers rows the
    actor may not see (so a missing id and a hidden one look alike)."""
    row = row_by_id(session, model, row_id) if isinstance(row_id, int) else None
    if row is None:
        raise NotFound()
    return row


def locked(statement: S, of: Any = None) -> S:
    """The statement, locking the rows it reads (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    serialises) and refreshing them from the database. `of` names the model whose rows are
    locked when the statement joins others (only read).

    FOR NO KEY UPDATE, not FOR UPDATE: two use cases still queue on the same row, but a
    transaction that only inserts a row referring to it (an audit event naming the agreement
    being adopted) takes the KEY SHARE lock of its foreign key without waiting. With FOR
    UPDATE, a member's objection that held the chain head waited on the agreement an adoption
    held, while the adoption waited on the chain head: a deadlock.
    """
    return statement.with_for_update(key_share=True, of=of).execution_options(
        populate_existing=True
    )


@functools.cache
def _locked_by_id(model: type[SQLModel]) -> Any:
    """The locking read of one row by id, built once per model: nearly every use case runs
    one, and building a statement costs SQLAlchemy more than running it."""
    return locked(by_id_statement(model))


def lock(session: Session, model: type[M], row_id: int) -> M:
    """Re-read a row with a lock (see `locked`)."""
    row: M = session.exec(_locked_by_id(model), params={"row_id": row_id}).one()
    return row


def lock_or_404(session: Session, model: type[M], row_id: object) -> M:
    """`get_or_404` and `lock` in one read: the row, locked, or NotFound."""
    if not isinstance(row_id, int):
        raise NotFound()
    row: M | None = session.exec(_locked_by_id(model), params={"row_id": row_id}).first()
    if row is None:
        raise NotFound()
    return row


def system_actor(session: Session) -> User:
    """The account that command-line tools and deadlines act as (it cannot sign in)."""
    user = session.exec(select(User).where(User.email == SYSTEM_EMAIL)).first()
    if user is None:
        user = User(email=SYSTEM_EMAIL, display_name="Accord", is_admin=True, is_active=False)
        session.add(user)
        session.flush()
    return user


def is_system(actor: User | None) -> bool:
    """Whether the actor is the scheduler/command-line account."""
    return actor is not None and actor.email == SYSTEM_EMAIL
