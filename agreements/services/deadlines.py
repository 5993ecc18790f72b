"""Acting on rounds whose deadline has passed: the scheduler's use case.

A due round ends in adoption (lazy consensus with no open objection) or in a lapse (consent
without quorum), so this module sits above both rounds and adoption and is the only place
that dispatches between them; rounds and adoption never import each other.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from workflows.protocols import SYSTEM

from ..errors import Forbidden
from ..models import Round, User, utcnow
from ._context import load_proposal
from ._unit import is_system, use_case
from .adoption import finish_adoption, finish_lapse

DEADLINE_ADOPTION = "Adopted: the deadline passed with no open objection."
DEADLINE_LAPSE = "Lapsed: the deadline passed before quorum was reached."


@use_case
def close_due_rounds(
    session: Session, actor: User | None, *, now: datetime | None = None
) -> list[int]:
    """Act on rounds whose deadline has passed: the scheduler's one job.

    Lazy consensus: adopt when no objection is open. Consent: lapse when quorum is not met
    (a consent round that met quorum waits for a facilitator to adopt it).
    Returns the ids of the proposals it moved.
    """
    now = now or utcnow()
    if not is_system(actor):
        raise Forbidden("Only the scheduler closes rounds by deadline.")
    due = session.exec(
        select(Round).where(col(Round.closed_at).is_(None), col(Round.deadline) <= now)
    ).all()
    moved = []
    for round_ in due:
        ctx = load_proposal(session, actor, round_.proposal_id)
        flow = ctx.flow(now)
        for trigger in ("adopt", "lapse"):
            if flow.refusal(trigger, {SYSTEM}) is None:
                if trigger == "adopt":
                    finish_adoption(ctx, flow, DEADLINE_ADOPTION)
                else:
                    finish_lapse(ctx, flow, DEADLINE_LAPSE)
                moved.append(round_.proposal_id)
                break
    return moved
