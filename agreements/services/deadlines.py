"""The scheduler: acting on deadlines, reminders and review dates as they come.

`run_due` is the one entry point, called by `flask --app wsgi rounds close-due` and by each
pass of the worker. It reads what is due without locking anything, then handles each item
(closing one round, one reminder, one review date) as its own use case in its own session
and transaction, so each takes its locks in the order every use case does (proposal, then
round, then the audit chain head) and holds them only for that item: a member's objection
racing the scheduler waits for one round, never deadlocks with a batch, and one item that
fails rolls back nothing else.

A due round ends in adoption (lazy consensus with no open objection) or in a lapse (consent
without quorum), so this module sits above both rounds and adoption and is the only place
that dispatches between them; rounds and adoption never import each other. A due round that
cannot close (a lazy proposal blocked by an open objection, a consent round that met quorum
and waits for a facilitator) is remembered with the proposal's newest event seq
(`Round.close_blocked_seq`) and looked at again only after something happened to the
proposal: a settled objection, a stance, an extended deadline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from workflows.protocols import SYSTEM

from ..errors import DomainError, Forbidden, Refused
from ..models import AuditEvent, Round, User, utcnow
from ..wording import _
from ._context import load_proposal
from ._unit import get_or_404, is_system, system_actor, use_case
from .adoption import finish_adoption, finish_lapse
from .announcements import silence_counts
from .reviews import notice_review_due, reviews_due
from .round_deadlines import (
    CLOSING_SOON_HOURS,
    REMINDER_HOURS,
    is_closing_soon_due,
    reminder_due,
    send_reminder,
    warn_closing_soon,
)

DEADLINE_ADOPTION = "Adopted: the deadline passed with no open objection."
DEADLINE_LAPSE = (
    "Closed without a decision: the deadline passed before enough people answered (quorum)."
)
log = logging.getLogger(__name__)


class CannotCloseYet(Refused):
    """A due round whose protocol does not let the scheduler close it now."""


@use_case
def close_due_round(
    session: Session, actor: User | None, *, round_id: int, now: datetime | None = None
) -> int:
    """Act on one round whose deadline has passed; returns the proposal's id.

    Lazy consensus: adopt when no objection is open. Consent: lapse when quorum is not met
    (a consent round that met quorum waits for a facilitator to adopt it). Anything else is
    refused with CannotCloseYet, and nothing is written.
    """
    now = now or utcnow()
    if not is_system(actor):
        raise Forbidden(_("Only the scheduler closes rounds by deadline."))
    round_ = get_or_404(session, Round, round_id)
    ctx = load_proposal(session, actor, round_.proposal_id)  # the proposal's lock first
    current = ctx.open_round(for_update=True)
    if current is None or current.id != round_id or not current.deadline:
        raise Refused(_("This round is closed already."))
    if current.deadline > now:
        raise Refused(_("This round's deadline was moved; it is not due."))
    flow = ctx.flow(now)
    refusals = []
    for trigger, finish, outcome in (
        ("adopt", finish_adoption, DEADLINE_ADOPTION),
        ("lapse", finish_lapse, DEADLINE_LAPSE),
    ):
        refusal = flow.refusal(trigger, {SYSTEM})
        if refusal is None:
            try:
                finish(ctx, flow, outcome)
            except Refused as error:  # e.g. a conflict with a version adopted meanwhile
                raise CannotCloseYet(error.message) from error
            return ctx.proposal.id  # type: ignore[return-value]
        refusals.append(refusal)
    raise CannotCloseYet(f"Cannot close this round by its deadline: {'; '.join(refusals)}.")


@dataclass
class DueReport:
    """What one pass of the scheduler did."""

    moved: list[int] = field(default_factory=list)  # proposals adopted or lapsed
    blocked: int = 0  # due rounds that cannot close until something changes
    reminders: int = 0
    closing_soon: int = 0
    reviews: int = 0
    failed: list[str] = field(default_factory=list)


OpenSession = Callable[[], Session]


def _newest_seq(proposal_id: object) -> object:
    """The proposal's newest audit event seq, as a correlated subquery."""
    return (
        select(func.coalesce(func.max(AuditEvent.seq), 0))
        .where(AuditEvent.proposal_id == proposal_id)
        .scalar_subquery()
    )


def _due_rounds(session: Session, now: datetime) -> list[tuple[int, int]]:
    """Open rounds past their deadline that may close now: (round id, newest event seq)."""
    newest = _newest_seq(Round.proposal_id)
    rows = session.exec(
        select(Round.id, newest)  # type: ignore[call-overload]
        .where(
            col(Round.closed_at).is_(None),
            col(Round.deadline) <= now,
            or_(col(Round.close_blocked_seq).is_(None), col(Round.close_blocked_seq) < newest),
            silence_counts(),  # a lazy round decides by silence only once announced (outbox)
        )
        # The round due first closes first (the database's own row order changes as rows
        # are updated, and a pass should not depend on it).
        .order_by(col(Round.deadline), col(Round.id))
    ).all()
    return [(int(round_id), int(seq)) for round_id, seq in rows]


def _closing_within(session: Session, now: datetime, hours: int) -> list[Round]:
    return list(
        session.exec(
            select(Round)
            .where(
                col(Round.closed_at).is_(None),
                col(Round.deadline) > now,
                col(Round.deadline) <= now + timedelta(hours=hours),
            )
            .order_by(col(Round.deadline), col(Round.id))
        )
    )


def _remember_blocked(open_session: OpenSession, round_id: int, seq: int) -> None:
    """Scheduler bookkeeping, not a decision (no audit event): skip this round until the
    proposal has an event newer than `seq`."""
    with open_session() as session:
        session.exec(
            update(Round).where(col(Round.id) == round_id).values(close_blocked_seq=seq)  # type: ignore[call-overload]
        )
        session.commit()


def run_due(open_session: OpenSession, now: datetime | None = None) -> DueReport:
    """One pass of the scheduler: close due rounds, write due reminders, "closing soon"
    warnings and review notices, each item in its own transaction.

    `open_session` makes a new session (one per item, so nothing carries over between
    them). A failing item is logged and reported, and the rest go on.
    """
    now = now or utcnow()
    report = DueReport()
    with open_session() as session:
        system_id = system_actor(session).id
        due = _due_rounds(session, now)
        reminders = [
            r.id for r in _closing_within(session, now, max(REMINDER_HOURS)) if reminder_due(r, now)
        ]
        warnings = [
            r.id
            for r in _closing_within(session, now, CLOSING_SOON_HOURS)
            if is_closing_soon_due(r, now)
        ]
        reviews = [agreement.id for agreement in reviews_due(session, now)]
        session.commit()

    def attempt(what: str, use_case: Callable[..., Any], **arguments: Any) -> tuple[str, Any]:
        """Run one use case in its own session: ("done", its result), or "blocked",
        "skipped" (e.g. a round someone closed meanwhile) or "failed" with None."""
        with open_session() as session:
            system = session.get(User, system_id)
            try:
                return "done", use_case(session, system, now=now, **arguments)
            except CannotCloseYet:
                return "blocked", None
            except DomainError as error:
                log.info("scheduler: %s skipped: %s", what, error.message)
                return "skipped", None
            except Exception:  # one item's failure must not stop the others
                log.exception("scheduler: %s failed", what)
                report.failed.append(what)
                return "failed", None

    for round_id, seq in due:
        outcome, moved = attempt(f"closing round {round_id}", close_due_round, round_id=round_id)
        if outcome == "done":
            report.moved.append(moved)
        elif outcome == "blocked":
            _remember_blocked(open_session, round_id, seq)
            report.blocked += 1
    for reminded in reminders:
        outcome, _sent = attempt(f"reminding round {reminded}", send_reminder, round_id=reminded)
        report.reminders += outcome == "done"
    for warned in warnings:
        outcome, _told = attempt(f"warning round {warned}", warn_closing_soon, round_id=warned)
        report.closing_soon += outcome == "done"
    for agreement_id in reviews:
        outcome, _noticed = attempt(
            f"review of agreement {agreement_id}", notice_review_due, agreement_id=agreement_id
        )
        report.reviews += outcome == "done"
    return report
