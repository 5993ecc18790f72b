"""Rounds and stances: opening and closing rounds, and registering people's positions.

A stance is bound to the exact text it was given on (the revision's sha256). Registering
one locks the round row first, so a stance racing the round's closing is either counted
(it committed before the close) or refused as late; none is lost (invariant 3).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, literal
from sqlmodel import Session, col, select

from .. import audit
from ..errors import Forbidden, InvalidInput, Refused
from ..limits import MAX_DISCUSSION_CHARS, choice, clean_text
from ..models import Membership, Objection, Proposal, Round, RoundParticipant, Stance, User, utcnow
from ..wording import _
from ._context import ProposalContext, load_proposal
from ._unit import use_case

# What happens once a round's deadline has passed, told to whoever answers too late.
AFTER_DEADLINE = {
    ("consent", "objection"): _(
        "A facilitator opens the consent round next (you can still object there) or extends "
        "the deadline."
    ),
    ("consent", "consent"): _(
        "If enough people answered, a facilitator adopts it; otherwise it closes without a "
        "decision. A facilitator may still extend the deadline."
    ),
    ("lazy_consensus", "objection"): _(
        "It is adopted unless an objection is still open. A facilitator may still extend the "
        "deadline."
    ),
}


def default_deadline(ctx: ProposalContext, now: datetime) -> datetime | None:
    """The community's default round length from now; none when it is 0 days.

    Lazy consensus always has one (adoption by silence needs a moment to happen at), so 0
    falls back to a week there.
    """
    days = ctx.community.default_round_days
    if not days and ctx.protocol.name == "lazy_consensus":
        days = 7
    return now + timedelta(days=days) if days else None


def require_before_deadline(ctx: ProposalContext, round_: Round) -> None:
    """Deadlines are hard: an answer after a round's deadline is refused, whether or not the
    scheduler has closed the round yet.

    Except in a lazy round not yet announced: nobody was told of it, and its deadline moves
    once the announcement is delivered (services/outbox.py), so an objection stays welcome.
    """
    if round_.deadline is None or round_.deadline > utcnow():
        return
    if ctx.protocol.name == "lazy_consensus" and round_.announced_at is None:
        return
    when = {"date": f"{round_.deadline:%Y-%m-%d}", "time": f"{round_.deadline:%H:%M}"}
    if round_.kind == "consent":
        passed = _(
            "The consent round's deadline passed on %(date)s at %(time)s UTC, so it takes no "
            "more answers.",
            **when,
        )
    else:
        passed = _(
            "The objection round's deadline passed on %(date)s at %(time)s UTC, so it takes no "
            "more answers.",
            **when,
        )
    what_next = AFTER_DEADLINE.get((ctx.protocol.name, round_.kind))
    if what_next is None:
        raise Refused(passed)
    raise Refused(_("%(refusal)s %(what_next)s", refusal=passed, what_next=what_next))


def open_round(
    ctx: ProposalContext,
    kind: str,
    *,
    deadline: datetime | None = None,
    quorum_rule: str | None = None,
    quorum_percent: int | None = None,
) -> Round:
    """Open a round on the latest revision and snapshot who is eligible."""
    now = utcnow()
    if deadline is not None and deadline <= now:
        raise InvalidInput(_("The deadline must be in the future."), "deadline")
    if deadline is None:
        deadline = default_deadline(ctx, now)
    round_ = Round(
        proposal_id=ctx.proposal.id,  # type: ignore[arg-type]
        revision_id=ctx.latest_revision().id,  # type: ignore[arg-type]
        kind=kind,
        opened_at=now,
        opened_by_id=ctx.actor.id if ctx.actor else None,
        deadline=deadline,
        quorum_rule=quorum_rule or ctx.community.quorum_rule,
        quorum_percent=ctx.community.quorum_percent if quorum_percent is None else quorum_percent,
    )
    ctx.session.add(round_)
    ctx.session.flush()
    members = select(
        literal(round_.id), col(Membership.user_id), col(Membership.organisation_id)
    ).where(Membership.community_id == ctx.community.id)
    snapshot = insert(RoundParticipant).from_select(
        ["round_id", "user_id", "organisation_id"], members.order_by(col(Membership.id))
    )  # one statement, however many members: no object per participant
    ctx.session.execute(snapshot)
    return round_


def close_round(ctx: ProposalContext, outcome: str) -> Round | None:
    """Close the open round (if any) with an outcome; later stances are refused."""
    round_ = ctx.open_round(for_update=True)
    if round_ is None:
        return None
    round_.closed_at = utcnow()
    round_.closed_by_id = ctx.actor.id if ctx.actor else None
    round_.outcome = outcome
    ctx.session.add(round_)
    ctx.session.flush()
    return round_


def sync_rounds(ctx: ProposalContext, trigger: str, **round_options: object) -> None:
    """After a move: close the round of the state left, open the round of the state entered."""
    close_round(ctx, trigger)
    kind = ctx.protocol.state(ctx.proposal.state).round_kind
    if kind is not None:
        open_round(ctx, kind, **round_options)  # type: ignore[arg-type]


# Built once: registering a stance is the most frequent write, and building a statement
# costs SQLAlchemy more than running it.
_CURRENT_STANCE = select(Stance).where(
    Stance.round_id == bindparam("round_id"),
    Stance.participant_id == bindparam("user_id"),
    col(Stance.is_current),
)
_PARTICIPANT = select(RoundParticipant).where(
    RoundParticipant.round_id == bindparam("round_id"),
    RoundParticipant.user_id == bindparam("user_id"),
)


def _current_stance(session: Session, round_: Round, user: User) -> Stance | None:
    return session.exec(_CURRENT_STANCE, params={"round_id": round_.id, "user_id": user.id}).first()


def _consent_round(ctx: ProposalContext) -> Round:
    round_ = ctx.open_round(for_update=True)
    if round_ is None or round_.kind != "consent":
        raise Refused(
            _("There is no consent round open on this proposal; stances cannot be given now.")
        )
    who = {"round_id": round_.id, "user_id": ctx.actor.id}  # type: ignore[union-attr]
    eligible = ctx.session.exec(_PARTICIPANT, params=who).first()
    if eligible is None and not any(
        member.user_id == ctx.actor.id  # type: ignore[union-attr]
        for member in ctx.late_joiners(round_)
    ):
        raise Forbidden(_("You were not a participant when this round opened."))
    require_before_deadline(ctx, round_)
    return round_


def _cast(ctx: ProposalContext, round_: Round, position: str, reason: str) -> Stance:
    assert ctx.actor is not None
    previous = _current_stance(ctx.session, round_, ctx.actor)
    if previous is not None:
        previous.is_current = False
        ctx.session.add(previous)
        ctx.session.flush()
    revision = ctx.latest_revision()
    stance = Stance(
        round_id=round_.id,  # type: ignore[arg-type]
        participant_id=ctx.actor.id,  # type: ignore[arg-type]
        revision_id=revision.id,  # type: ignore[arg-type]
        text_sha256=revision.text_sha256,
        position=position,
        reason=reason,
    )
    ctx.session.add(stance)
    ctx.session.flush()
    return stance


@use_case
def register_stance(
    session: Session,
    actor: User | None,
    *,
    proposal_id: int,
    position: str,
    reason: str = "",
    round_id: int | None = None,
    text_sha256: str | None = None,
) -> Stance:
    """A participant consents, stands aside or objects to the text now on the table.

    An object stance opens an objection (with its reason) and moves the proposal back to
    the objection round, as the consent protocol says. With `round_id` and `text_sha256`
    (an emailed answer link), it is refused unless that round is still open on that text.
    """
    ctx = load_proposal(session, actor, proposal_id)
    ctx.require_participant()
    position = choice(position, ctx.protocol.stance_positions or ("consent",), field="position")
    reason = clean_text(
        reason, field="reason", limit=MAX_DISCUSSION_CHARS, required=position == "object"
    )
    round_ = _consent_round(ctx)
    if (round_id is not None and round_id != round_.id) or (
        text_sha256 is not None and text_sha256 != ctx.latest_revision().text_sha256
    ):
        raise Refused(
            _(
                "The round you were asked about has closed or its text has changed since; "
                "open the proposal to read the text as it is now."
            )
        )
    stance = _cast(ctx, round_, position, reason)
    payload: dict[str, object] = {
        "round_id": round_.id,
        "position": position,
        "reason": reason,
        "revision_sha256": stance.text_sha256,
    }
    if position == "object":
        objection = Objection(
            proposal_id=ctx.proposal.id,  # type: ignore[arg-type]
            revision_id=stance.revision_id,
            author_id=actor.id,  # type: ignore[union-attr]
            reason=reason,
        )
        session.add(objection)
        session.flush()
        ctx.flow().fire("object", ctx.roles)
        sync_rounds(ctx, "object")
        payload |= {"objection_id": objection.id, "state": ctx.proposal.state}
    audit.record(session, actor, "stance.registered", ctx.subject("stance", stance.id), payload)
    return stance


@use_case
def reconfirm_stance(session: Session, actor: User | None, *, proposal_id: int) -> Stance:
    """Give the same stance again on the new text, in one action, after a revision."""
    ctx = load_proposal(session, actor, proposal_id)
    ctx.require_participant()
    round_ = _consent_round(ctx)
    previous = _current_stance(session, round_, actor)  # type: ignore[arg-type]
    latest = ctx.latest_revision()
    if previous is None:
        raise Refused(_("You have no earlier stance to confirm; give your stance instead."))
    if previous.text_sha256 == latest.text_sha256:
        raise Refused(_("Your stance already applies to the current text."))
    if previous.position == "object":
        raise Refused(_("An objection is not confirmed in one click; give your stance again."))
    stance = _cast(ctx, round_, previous.position, previous.reason)
    audit.record(
        session,
        actor,
        "stance.reconfirmed",
        ctx.subject("stance", stance.id),
        {
            "round_id": round_.id,
            "position": stance.position,
            "from_sha256": previous.text_sha256,
            "revision_sha256": stance.text_sha256,
        },
    )
    return stance


def proposal_rounds(session: Session, proposal: Proposal) -> list[Round]:
    """Every round of a proposal, oldest first."""
    return list(session.exec(_ROUNDS, params={"proposal_id": proposal.id}))


# The proposal page reads this on every view: built once, with the proposal as a parameter
# (building a statement and computing its cache key cost more than running it).
_ROUNDS = select(Round).where(Round.proposal_id == bindparam("proposal_id")).order_by(col(Round.id))
