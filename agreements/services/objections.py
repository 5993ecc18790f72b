"""The objection lifecycle: raise, integrate, resolve or reopen, withdraw, overrule, reclassify.

The lifecycle itself is data (workflows.OBJECTION_LIFECYCLE); these use cases add who is
who, the required reasons and the audit record. An objection blocks adoption until it is
resolved, withdrawn, overruled or reclassified as a concern.
"""

from __future__ import annotations

from sqlmodel import Session

from workflows import OBJECTION_LIFECYCLE, Flow
from workflows.protocols import FACILITATOR, OBJECTOR, PROPOSER

from .. import audit
from ..errors import Refused
from ..limits import MAX_DISCUSSION_CHARS, clean_text
from ..models import Concern, Objection, Revision, User, utcnow
from ..wording import Wording, _
from ._context import ProposalContext, load_proposal
from ._unit import get_or_404, use_case
from .rounds import require_before_deadline, sync_rounds


def clean_passage(ctx: ProposalContext, passage: str | None) -> str | None:
    """An optional quoted span, which must occur in the text being decided on."""
    if not passage or not passage.strip():
        return None
    passage = clean_text(passage, field="passage", limit=MAX_DISCUSSION_CHARS)
    if passage.strip() not in ctx.latest_revision().text:
        # A conflict with the text as it stands (it may have been revised since it was read).
        raise Refused(_("The quoted passage is not in the current text: quote it as it reads now."))
    return passage.strip()


@use_case
def raise_objection(
    session: Session,
    actor: User | None,
    *,
    proposal_id: int,
    reason: str,
    passage: str | None = None,
) -> Objection:
    """A participant objects to the current text, with a required reason.

    During a consent round, an objection sends the proposal back to the objection round.
    """
    ctx = load_proposal(session, actor, proposal_id)
    ctx.require_participant()
    if ctx.proposal.state not in ctx.protocol.objection_states:
        stage = ctx.protocol.state(ctx.proposal.state).label
        raise Refused(
            _(
                "Cannot object now: the proposal is at the \u201c%(stage)s\u201d stage.",
                stage=_(stage),
            )
        )
    round_ = ctx.open_round(for_update=True)
    if round_ is not None:
        require_before_deadline(ctx, round_)
    objection = Objection(
        proposal_id=ctx.proposal.id,  # type: ignore[arg-type]
        revision_id=ctx.latest_revision().id,  # type: ignore[arg-type]
        author_id=actor.id,  # type: ignore[union-attr]
        reason=clean_text(reason, field="reason", limit=MAX_DISCUSSION_CHARS),
        passage=clean_passage(ctx, passage),
    )
    session.add(objection)
    session.flush()
    payload: dict[str, object] = {"reason": objection.reason, "passage": objection.passage}
    if ctx.proposal.state == "consent":
        ctx.flow().fire("object", ctx.roles)
        sync_rounds(ctx, "object")
        payload["state"] = ctx.proposal.state
    audit.record(
        session, actor, "objection.raised", ctx.subject("objection", objection.id), payload
    )
    return objection


def integrate(ctx: ProposalContext, objection: Objection, revision: Revision) -> None:
    """Mark an objection as being integrated by the proposer's new revision."""
    Flow(objection, OBJECTION_LIFECYCLE, words=Wording).fire("integrate", {PROPOSER})
    objection.integrated_by_revision_id = revision.id
    objection.updated_at = utcnow()
    ctx.session.add(objection)


def _objection_context(
    session: Session, actor: User | None, objection_id: int
) -> tuple[ProposalContext, Objection, set[str]]:
    objection = get_or_404(session, Objection, objection_id)
    ctx = load_proposal(session, actor, objection.proposal_id)
    ctx.require_participant()
    roles = {role for role in ctx.roles if role in (FACILITATOR, PROPOSER)}
    if actor is not None and actor.id == objection.author_id:
        roles.add(OBJECTOR)
    if ctx.protocol.state(ctx.proposal.state).is_final:
        raise Refused(_("The decision on this proposal is closed."))
    return ctx, objection, roles


def _settle(
    session: Session,
    actor: User | None,
    objection_id: int,
    trigger: str,
    reason: str,
    *,
    reason_required_for_facilitator: bool = False,
) -> tuple[ProposalContext, Objection]:
    ctx, objection, roles = _objection_context(session, actor, objection_id)
    flow = Flow(objection, OBJECTION_LIFECYCLE, words=Wording)
    acting_as_facilitator = OBJECTOR not in roles
    move = flow.transition(trigger)
    needs_reason = bool(move and move.needs_reason)
    reason = clean_text(reason, field="reason", limit=MAX_DISCUSSION_CHARS, required=needs_reason)
    if reason_required_for_facilitator and acting_as_facilitator and not reason.strip():
        # Who acts decides this, not the form of the input: a refusal, not invalid input.
        raise Refused(
            _(
                "Reason is required when a facilitator settles someone's objection: "
                "say why, so the objector and everyone else can read it."
            )
        )
    flow.fire(trigger, roles)
    objection.settled_by_id = actor.id if actor else None
    objection.settlement_reason = reason
    objection.updated_at = utcnow()
    session.add(objection)
    audit.record(
        session,
        actor,
        f"objection.{trigger}",
        ctx.subject("objection", objection.id),
        {"state": objection.state, "reason": reason, "by_facilitator": acting_as_facilitator},
    )
    return ctx, objection


@use_case
def confirm_resolved(
    session: Session, actor: User | None, *, objection_id: int, reason: str = ""
) -> Objection:
    """The objector confirms the new text resolves it (a facilitator may, with a reason)."""
    return _settle(
        session,
        actor,
        objection_id,
        "confirm_resolved",
        reason,
        reason_required_for_facilitator=True,
    )[1]


@use_case
def reopen_objection(
    session: Session, actor: User | None, *, objection_id: int, reason: str = ""
) -> Objection:
    """The objector says the new text still triggers the objection."""
    return _settle(session, actor, objection_id, "reopen", reason)[1]


@use_case
def withdraw_objection(
    session: Session, actor: User | None, *, objection_id: int, reason: str = ""
) -> Objection:
    """The objector withdraws their objection."""
    return _settle(session, actor, objection_id, "withdraw", reason)[1]


@use_case
def overrule_objection(
    session: Session, actor: User | None, *, objection_id: int, reason: str
) -> Objection:
    """A facilitator rules the objection not paramount, with a required reason."""
    return _settle(session, actor, objection_id, "overrule", reason)[1]


@use_case
def reclassify_objection(
    session: Session, actor: User | None, *, objection_id: int, reason: str = ""
) -> Concern:
    """The objector or a facilitator turns the objection into a non-blocking concern."""
    _ctx, objection = _settle(
        session, actor, objection_id, "reclassify", reason, reason_required_for_facilitator=True
    )
    concern = Concern(
        proposal_id=objection.proposal_id,
        revision_id=objection.revision_id,
        author_id=objection.author_id,
        text=objection.reason,
        passage=objection.passage,
        from_objection_id=objection.id,
    )
    session.add(concern)
    session.flush()
    return concern
