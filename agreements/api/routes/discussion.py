"""Discussion of a proposal: comments, concerns, and objections with their lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from ... import services
from ...models import Comment, Concern, Objection, User
from ...services._context import load_proposal
from ...services._unit import get_or_404
from .. import bodies, schemas
from ..operations import operation
from ..paging import paged_select

TAG = "Discussion"
PROPOSAL = "/proposals/{proposal_id}"
OBJECTION = "/objections/{objection_id}"
Discussed = TypeVar("Discussed", Comment, Concern, Objection)


def _rows_of(
    session: Session, actor: User | None, proposal_id: int, model: type[Discussed]
) -> SelectOfScalar[Discussed]:
    """A visible proposal's comments, concerns or objections, oldest first."""
    ctx = load_proposal(session, actor, proposal_id, for_update=False)
    return select(model).where(model.proposal_id == ctx.proposal.id).order_by(col(model.id))


@operation(
    "get",
    PROPOSAL + "/comments",
    summary="List comments",
    tag=TAG,
    response=schemas.Page[schemas.Comment],
    query=bodies.PageQuery,
)
def list_comments(
    session: Session, actor: User | None, *, proposal_id: int, query: bodies.PageQuery
) -> schemas.Page[schemas.Comment]:
    """Oldest first; replies carry their parent_id, so threads can be rebuilt."""
    statement = _rows_of(session, actor, proposal_id, Comment)
    return paged_select(session, schemas.Comment, statement, query)


@operation(
    "post",
    PROPOSAL + "/comments",
    summary="Comment",
    tag=TAG,
    body=bodies.CommentCreate,
    response=schemas.Comment,
)
def add_comment(
    session: Session, actor: User | None, *, proposal_id: int, body: bodies.CommentCreate
) -> schemas.Comment:
    """A member comments on the current revision, replies, or quotes a passage (anchor)."""
    comment = services.add_comment(session, actor, proposal_id=proposal_id, **body.model_dump())
    return schemas.Comment.model_validate(comment)


@operation(
    "get",
    PROPOSAL + "/concerns",
    summary="List concerns",
    tag=TAG,
    response=schemas.Page[schemas.Concern],
    query=bodies.PageQuery,
)
def list_concerns(
    session: Session, actor: User | None, *, proposal_id: int, query: bodies.PageQuery
) -> schemas.Page[schemas.Concern]:
    """Non-blocking concerns, kept with the decision record."""
    statement = _rows_of(session, actor, proposal_id, Concern)
    return paged_select(session, schemas.Concern, statement, query)


@operation(
    "post",
    PROPOSAL + "/concerns",
    summary="Raise a concern",
    tag=TAG,
    body=bodies.ConcernCreate,
    response=schemas.Concern,
)
def raise_concern(
    session: Session, actor: User | None, *, proposal_id: int, body: bodies.ConcernCreate
) -> schemas.Concern:
    """A member records a worry that does not block adoption."""
    concern = services.raise_concern(session, actor, proposal_id=proposal_id, **body.model_dump())
    return schemas.Concern.model_validate(concern)


@operation(
    "get",
    PROPOSAL + "/objections",
    summary="List objections",
    tag=TAG,
    response=schemas.Page[schemas.Objection],
    query=bodies.PageQuery,
)
def list_objections(
    session: Session, actor: User | None, *, proposal_id: int, query: bodies.PageQuery
) -> schemas.Page[schemas.Objection]:
    """Every objection and its state; open and integrating ones block adoption."""
    statement = _rows_of(session, actor, proposal_id, Objection)
    return paged_select(session, schemas.Objection, statement, query)


@operation(
    "post",
    PROPOSAL + "/objections",
    summary="Object",
    tag=TAG,
    body=bodies.ObjectionCreate,
    response=schemas.Objection,
)
def raise_objection(
    session: Session, actor: User | None, *, proposal_id: int, body: bodies.ObjectionCreate
) -> schemas.Objection:
    """A participant objects to the current text; in a consent round this reopens objections."""
    objection = services.raise_objection(
        session, actor, proposal_id=proposal_id, **body.model_dump()
    )
    return schemas.Objection.model_validate(objection)


@operation("get", OBJECTION, summary="Read an objection", tag=TAG, response=schemas.Objection)
def get_objection(session: Session, actor: User | None, *, objection_id: int) -> schemas.Objection:
    """One objection, if the caller may see its proposal."""
    objection = get_or_404(session, Objection, objection_id)
    load_proposal(session, actor, objection.proposal_id, for_update=False)
    return schemas.Objection.model_validate(objection)


def _settlement(
    path: str,
    summary: str,
    use_case: Callable[..., Any],
    body_model: type[bodies.Reason | bodies.RequiredReason] = bodies.Reason,
) -> None:
    """Register POST /objections/{id}/<path>: one step of the objection lifecycle."""

    def settle(
        session: Session,
        actor: User | None,
        *,
        objection_id: int,
        body: bodies.Reason | bodies.RequiredReason,
    ) -> schemas.Objection:
        use_case(session, actor, objection_id=objection_id, reason=body.reason)
        return schemas.Objection.model_validate(get_or_404(session, Objection, objection_id))

    settle.__name__ = f"{path}_objection"
    settle.__doc__ = use_case.__doc__
    operation(
        "post",
        f"{OBJECTION}/{path}",
        summary=summary,
        tag=TAG,
        body=body_model,
        response=schemas.Objection,
        status=200,
    )(settle)


_settlement("resolve", "Confirm an objection is resolved", services.confirm_resolved)
_settlement("reopen", "Say the objection still holds", services.reopen_objection)
_settlement("withdraw", "Withdraw an objection", services.withdraw_objection)
_settlement("overrule", "Overrule an objection", services.overrule_objection, bodies.RequiredReason)
_settlement("reclassify", "Reclassify an objection as a concern", services.reclassify_objection)
