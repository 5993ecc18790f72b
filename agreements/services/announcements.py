"""Lazy consensus decides by silence, so silence must be informed.

A round's announcement is the mails that tell its eligible members it opened. Once every
one of them is delivered, the worker records it (`announce_round`): a lazy round's deadline
then moves by the time the announcement took, so it stays open for its full length from
the moment people were told, and the scheduler leaves an unannounced lazy round alone
(`silence_counts`, used by deadlines.py). A failed mail keeps the round unannounced, for the
administrator to see on the mail page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from .. import audit
from ..errors import Forbidden, Refused
from ..models import OutboxMail, Proposal, Round, User, utcnow
from ..wording import _
from ._context import load_proposal
from ._unit import get_or_404, is_system, lock, use_case

LAZY = "lazy_consensus"


def _waiting_mails(round_id: object) -> Any:
    """Whether a mail about the round is not delivered yet, as an EXISTS condition."""
    return (
        select(OutboxMail.id)
        .where(OutboxMail.round_id == round_id, OutboxMail.status != "sent")
        .exists()
    )


def rounds_to_announce(session: Session) -> list[int]:
    """Open rounds whose every announcement mail was delivered but not yet recorded."""
    return list(
        session.exec(
            select(Round.id).where(
                col(Round.closed_at).is_(None),
                col(Round.announced_at).is_(None),
                ~_waiting_mails(Round.id),
            )
        )
    )


@use_case
def announce_round(
    session: Session, actor: User | None, *, round_id: int, now: datetime | None = None
) -> Round:
    """The scheduler records that a round's announcement reached every member by mail.

    A lazy round adopts by silence, and silence means something only once people were
    told: its deadline moves by the time the announcement took, so the round stays open
    for its full length from now. Other rounds keep the deadline the facilitator chose.
    """
    now = now or utcnow()
    if not is_system(actor):
        raise Forbidden(_("Only the scheduler records that a round was announced."))
    round_ = get_or_404(session, Round, round_id)
    ctx = load_proposal(session, actor, round_.proposal_id)  # the proposal's lock first
    round_ = lock(session, Round, round_id)
    if round_.closed_at is not None or round_.announced_at is not None:
        raise Refused(_("This round is closed or was announced already."))
    if session.exec(select(_waiting_mails(round_.id))).one():
        raise Refused(_("Some announcement mails of this round are not delivered yet."))
    round_.announced_at = now
    if round_.deadline is not None and ctx.proposal.protocol == LAZY:
        round_.deadline = now + (round_.deadline - round_.opened_at)
    session.add(round_)
    audit.record(
        session,
        actor,
        "round.announced",
        ctx.subject("round", round_.id),
        {"deadline": round_.deadline.isoformat() if round_.deadline else None},
    )
    return round_


def silence_counts() -> ColumnElement[bool]:
    """A condition on Round: its silence may decide (not a lazy round still unannounced)."""
    lazy = select(Proposal.id).where(Proposal.protocol == LAZY)
    return or_(col(Round.announced_at).is_not(None), col(Round.proposal_id).not_in(lazy))
