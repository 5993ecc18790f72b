"""Rounds, their tallies, and the stances participants give in them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ... import services
from ...models import Round, Stance, User
from ...services._context import ProposalContext, load_proposal
from ...services._unit import get_or_404
from ...services.rounds import proposal_rounds
from .. import bodies, schemas
from ..operations import operation
from ..paging import paged, paged_select

TAG = "Rounds"
PROPOSAL = "/proposals/{proposal_id}"


def _stance_out(stance: Stance, latest_sha256: str) -> schemas.Stance:
    """A stance as the API shows it: stale when given on an older text than the latest."""
    stale = stance.text_sha256 != latest_sha256
    return schemas.Stance.model_validate(
        {**stance.model_dump(), "stale": stale, "counts": stance.is_current and not stale}
    )


def _round_context(
    session: Session, actor: User | None, round_id: int
) -> tuple[ProposalContext, Round]:
    round_ = get_or_404(session, Round, round_id)
    return load_proposal(session, actor, round_.proposal_id, for_update=False), round_


@operation(
    "get",
    PROPOSAL + "/rounds",
    summary="List rounds",
    tag=TAG,
    response=schemas.Page[schemas.Round],
    query=bodies.PageQuery,
)
def list_rounds(
    session: Session, actor: User | None, *, proposal_id: int, query: bodies.PageQuery
) -> schemas.Page[schemas.Round]:
    """Every objection and consent round of the proposal, oldest first."""
    ctx = load_proposal(session, actor, proposal_id, for_update=False)
    return paged(schemas.Round, proposal_rounds(session, ctx.proposal), query)


@operation(
    "get",
    "/rounds/{round_id}",
    summary="Read a round and its tally",
    tag=TAG,
    response=schemas.RoundDetail,
)
def get_round(session: Session, actor: User | None, *, round_id: int) -> schemas.RoundDetail:
    """The round, and each eligible participant's standing against the current text."""
    ctx, round_ = _round_context(session, actor, round_id)
    tally = ctx.tally(round_)
    return schemas.RoundDetail.model_validate(
        {
            **round_.model_dump(),
            "tally": {
                "counts": tally.counts,
                "quorum_met": tally.quorum_met,
                "quorum_detail": tally.quorum_detail,
                "participants": [p.__dict__ for p in tally.participants],
            },
        }
    )


@operation(
    "get",
    "/rounds/{round_id}/stances",
    summary="List a round's stances",
    tag=TAG,
    response=schemas.Page[schemas.Stance],
    query=bodies.PageQuery,
)
def list_stances(
    session: Session, actor: User | None, *, round_id: int, query: bodies.PageQuery
) -> schemas.Page[schemas.Stance]:
    """Every stance given in the round, changes included: `is_current` marks each person's
    latest answer, `stale` one given on an earlier text, and `counts` the ones the tally
    counts."""
    ctx, round_ = _round_context(session, actor, round_id)
    latest_sha256 = ctx.latest_revision().text_sha256
    statement = select(Stance).where(Stance.round_id == round_.id).order_by(col(Stance.id))
    return paged_select(
        session,
        schemas.Stance,
        statement,
        query,
        convert=lambda stance: _stance_out(stance, latest_sha256),
    )


@operation(
    "post",
    PROPOSAL + "/stances",
    summary="Give a stance",
    tag=TAG,
    body=bodies.StanceCreate,
    response=schemas.Stance,
)
def register_stance(
    session: Session, actor: User | None, *, proposal_id: int, body: bodies.StanceCreate
) -> schemas.Stance:
    """Consent, stand aside or object (with a reason) in the open consent round."""
    stance = services.register_stance(session, actor, proposal_id=proposal_id, **body.model_dump())
    return _stance_out(stance, stance.text_sha256)


@operation(
    "post",
    PROPOSAL + "/stances/reconfirm",
    summary="Reconfirm a stance on the new text",
    tag=TAG,
    response=schemas.Stance,
    status=201,
)
def reconfirm_stance(session: Session, actor: User | None, *, proposal_id: int) -> schemas.Stance:
    """After a revision, give the same stance again on the new text in one action."""
    stance = services.reconfirm_stance(session, actor, proposal_id=proposal_id)
    return _stance_out(stance, stance.text_sha256)
