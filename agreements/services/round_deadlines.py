"""A round's deadline: extending it, and telling people before it passes.

Consent by busy people lives on being told at the right moment, once. These use cases only
record what is due ("round.reminder_due", "round.closing_soon", "round.reminded",
"round.deadline_extended"); who hears of it, and how, is decided by services/notices.py from
those events. Each reminder threshold is written once per round (`Round.reminded_hours`),
the facilitator's "closing soon" once (`Round.closing_soon_at`), and a facilitator's own
"remind them" at most once a day (`Round.reminded_at`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from workflows.protocols import FACILITATOR

from .. import audit
from ..errors import Forbidden, InvalidInput, Refused
from ..limits import MAX_DISCUSSION_CHARS, clean_text
from ..models import Comment, Membership, Objection, Round, User, utcnow
from ..wording import Moment, _
from ._context import ProposalContext, load_proposal
from ._unit import get_or_404, is_system, lock, use_case
from .rounds import require_before_deadline

REMINDER_HOURS = (48, 24)  # before the deadline; the smaller one is also "closing soon"
CLOSING_SOON_HOURS = 24
REMIND_EVERY = timedelta(days=1)


def as_utc(moment: datetime) -> datetime:
    """A moment in UTC (a naive one is read as UTC, as the pages' date fields are)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def not_answered(ctx: ProposalContext, round_: Round) -> list[int]:
    """Eligible people who have not answered the round, by user id.

    In a consent round, an answer is a stance that counts on the current text (a stale one
    needs giving again). In an objection round nobody owes a stance: raising an objection or
    commenting since the round opened is the answer.
    """
    tally = ctx.tally(round_)
    waiting = [p.user_id for p in tally.participants if p.status in ("pending", "stale")]
    if round_.kind == "consent":
        return sorted(waiting)
    spoke = set(
        ctx.session.exec(
            select(Objection.author_id).where(
                Objection.proposal_id == ctx.proposal.id,
                col(Objection.created_at) >= round_.opened_at,
            )
        )
    ) | set(
        ctx.session.exec(
            select(Comment.author_id).where(
                Comment.proposal_id == ctx.proposal.id,
                col(Comment.created_at) >= round_.opened_at,
            )
        )
    )
    return sorted(set(waiting) - spoke)


def due_threshold(round_: Round, now: datetime, thresholds: tuple[int, ...]) -> int | None:
    """The reminder threshold (hours before the deadline) that is due now, if any.

    Only the nearest threshold already reached is considered (a scheduler that was down does
    not send a stale 48-hour reminder after the 24-hour one is due), and none for a round
    that opened inside it: its opening announcement told people already.
    """
    if round_.closed_at is not None or round_.deadline is None or round_.deadline <= now:
        return None
    reached = [h for h in thresholds if round_.deadline - timedelta(hours=h) <= now]
    if not reached:
        return None
    hours = min(reached)
    if round_.opened_at > round_.deadline - timedelta(hours=hours):
        return None
    return hours


def reminder_due(round_: Round, now: datetime) -> int | None:
    """The reminder threshold due now and not yet written for this round, if any."""
    hours = due_threshold(round_, now, REMINDER_HOURS)
    if hours is None or (round_.reminded_hours is not None and round_.reminded_hours <= hours):
        return None
    return hours


def is_closing_soon_due(round_: Round, now: datetime) -> bool:
    """Whether the facilitators are yet to be told that the round closes within a day."""
    return (
        round_.closing_soon_at is None
        and due_threshold(round_, now, (CLOSING_SOON_HOURS,)) is not None
    )


def _facilitating(session: Session, actor: User | None, proposal_id: int) -> ProposalContext:
    ctx = load_proposal(session, actor, proposal_id)
    ctx.require_participant()
    if FACILITATOR not in ctx.roles:
        raise Forbidden(_("Only a facilitator can change a round's deadline or remind people."))
    return ctx


def _open_round(ctx: ProposalContext) -> Round:
    round_ = ctx.open_round(for_update=True)
    if round_ is None:
        raise Refused(_("No round is open on this proposal."))
    return round_


@use_case
def extend_deadline(
    session: Session,
    actor: User | None,
    *,
    proposal_id: int,
    deadline: datetime | None,
    reason: str,
) -> Round:
    """A facilitator gives the open round more time, saying why (the reason is announced).

    Also after the deadline passed, as long as the scheduler has not closed the round. The
    reminders start again from the new deadline.
    """
    ctx = _facilitating(session, actor, proposal_id)
    reason = clean_text(reason, field="reason", limit=MAX_DISCUSSION_CHARS)
    round_ = _open_round(ctx)
    if deadline is None:
        raise InvalidInput(_("Give the new deadline."), "deadline")
    deadline = as_utc(deadline)
    if deadline <= utcnow():
        raise InvalidInput(_("The new deadline must be in the future."), "deadline")
    previous = round_.deadline
    if previous is not None and deadline <= previous:
        raise InvalidInput(
            _(
                "The new deadline must be later than the current one (%(deadline)s).",
                deadline=Moment(previous),
            ),
            "deadline",
        )
    round_.deadline = deadline
    round_.reminded_hours = None
    round_.closing_soon_at = None
    round_.close_blocked_seq = None
    session.add(round_)
    audit.record(
        session,
        actor,
        "round.deadline_extended",
        ctx.subject("round", round_.id),
        {
            "from": previous.isoformat() if previous else None,
            "to": deadline.isoformat(),
            "reason": reason,
        },
    )
    return round_


@use_case
def remind_non_answerers(session: Session, actor: User | None, *, proposal_id: int) -> list[int]:
    """A facilitator reminds everyone eligible who has not answered; at most once a day."""
    ctx = _facilitating(session, actor, proposal_id)
    round_ = _open_round(ctx)
    require_before_deadline(ctx, round_)
    now = utcnow()
    if round_.reminded_at is not None and round_.reminded_at + REMIND_EVERY > now:
        again = round_.reminded_at + REMIND_EVERY
        raise Refused(
            _(
                "A reminder for this round went out on %(sent)s. Accord reminds at most once "
                "a day, so the next one can go after %(again)s.",
                sent=Moment(round_.reminded_at),
                again=Moment(again),
            )
        )
    waiting = [user_id for user_id in not_answered(ctx, round_) if user_id != actor.id]  # type: ignore[union-attr]
    if not waiting:
        raise Refused(_("Everyone eligible has answered: there is nobody to remind."))
    round_.reminded_at = now
    session.add(round_)
    audit.record(session, actor, "round.reminded", ctx.subject("round", round_.id), {"to": waiting})
    return waiting


def _system_round(
    session: Session, actor: User | None, round_id: int
) -> tuple[ProposalContext, Round]:
    """The round, locked after its proposal (the order every use case takes them in)."""
    if not is_system(actor):
        raise Forbidden(_("Only the scheduler sends reminders."))
    round_ = get_or_404(session, Round, round_id)
    ctx = load_proposal(session, actor, round_.proposal_id)
    return ctx, lock(session, Round, round_id)


@use_case
def send_reminder(
    session: Session, actor: User | None, *, round_id: int, now: datetime | None = None
) -> list[int]:
    """The scheduler records that a reminder is due to eligible people who have not answered,
    48 and again 24 hours before the deadline, each once."""
    now = now or utcnow()
    ctx, round_ = _system_round(session, actor, round_id)
    hours = reminder_due(round_, now)
    if hours is None:
        raise Refused(_("No reminder is due for this round."))
    waiting = not_answered(ctx, round_)
    round_.reminded_hours = hours
    session.add(round_)
    audit.record(
        session,
        actor,
        "round.reminder_due",
        ctx.subject("round", round_.id),
        {"to": waiting, "hours": hours},
    )
    return waiting


@use_case
def warn_closing_soon(
    session: Session, actor: User | None, *, round_id: int, now: datetime | None = None
) -> list[int]:
    """The scheduler tells the facilitators, once, that a round closes within a day and who
    has not answered yet."""
    now = now or utcnow()
    ctx, round_ = _system_round(session, actor, round_id)
    if not is_closing_soon_due(round_, now):
        raise Refused(_("This round is not closing soon, or its facilitators were told already."))
    facilitators = sorted(
        session.exec(
            select(Membership.user_id).where(
                Membership.community_id == ctx.community.id, Membership.role == "facilitator"
            )
        )
    )
    round_.closing_soon_at = now
    session.add(round_)
    audit.record(
        session,
        actor,
        "round.closing_soon",
        ctx.subject("round", round_.id),
        {"to": facilitators, "not_answered": not_answered(ctx, round_)},
    )
    return facilitators
