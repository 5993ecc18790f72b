"""Use cases that create a proposal, revise it and move it through its protocol."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from workflows.protocols import PROPOSER

from .. import audit
from ..access import require_member
from ..audit.canonical import sha256_text
from ..errors import Forbidden, InvalidInput, PreconditionFailed, Refused
from ..limits import MAX_DISCUSSION_CHARS, MAX_TITLE_CHARS, clean_line, clean_text
from ..models import Agreement, Community, Objection, Proposal, Revision, User, Version, utcnow
from ..wording import _
from ._context import ProposalContext, load_proposal
from ._unit import get_or_404, use_case
from .adoption import current_version
from .documents import agreement_text
from .objections import integrate
from .rounds import sync_rounds


def _add_revision(
    ctx: ProposalContext, text: str, *, base: Version, number: int, note: str
) -> Revision:
    revision = Revision(
        proposal_id=ctx.proposal.id,  # type: ignore[arg-type]
        number=number,
        base_version_id=base.id,  # type: ignore[arg-type]
        text=text,
        text_sha256=sha256_text(text),
        author_id=ctx.actor.id if ctx.actor else None,
        note=note,
    )
    ctx.session.add(revision)
    ctx.session.flush()
    return revision


@use_case
def propose_amendment(
    session: Session,
    actor: User | None,
    *,
    agreement_id: int,
    title: str,
    text: str,
    rationale: str = "",
    base_version_id: int | None = None,
    submit: bool = True,
) -> Proposal:
    """A member proposes a new text for the agreement, against a base version.

    With `submit` (the default) it goes straight to "proposed"; otherwise it stays a
    draft only its proposer sees.
    """
    agreement = get_or_404(session, Agreement, agreement_id)
    community = session.get(Community, agreement.community_id)
    assert community is not None
    require_member(session, actor, community)
    if base_version_id is None:
        base = current_version(session, agreement.id)  # type: ignore[arg-type]
    else:
        base = get_or_404(session, Version, base_version_id)
        if base.agreement_id != agreement.id:
            raise InvalidInput(_("The base version belongs to another agreement."), "base_version")
    text = agreement_text(text)
    if text == base.text:
        raise InvalidInput(
            _("The proposed text is the same as the base version; change something."), "text"
        )
    return _create(
        session,
        actor,
        agreement=agreement,
        base=base,
        title=clean_line(title, field="title", limit=MAX_TITLE_CHARS),
        rationale=clean_text(
            rationale, field="rationale", limit=MAX_DISCUSSION_CHARS, required=False
        ),
        text=text,
        protocol=community.protocol,
        submit=submit,
        note="First text.",
    )


def _create(
    session: Session,
    actor: User | None,
    *,
    agreement: Agreement,
    base: Version,
    title: str,
    rationale: str,
    text: str,
    protocol: str,
    submit: bool,
    note: str,
    **recorded: object,
) -> Proposal:
    """Create a proposal with its first revision, submit it if asked, and record it."""
    proposal = Proposal(
        agreement_id=agreement.id,  # type: ignore[arg-type]
        base_version_id=base.id,  # type: ignore[arg-type]
        proposer_id=actor.id,  # type: ignore[union-attr]
        title=title,
        rationale=rationale,
        protocol=protocol,
    )
    session.add(proposal)
    session.flush()
    ctx = load_proposal(session, actor, proposal.id)  # type: ignore[arg-type]
    revision = _add_revision(ctx, text, base=base, number=1, note=note)
    if submit:
        ctx.flow().fire("submit", ctx.roles)
    audit.record(
        session,
        actor,
        "proposal.created",
        ctx.subject(),
        {
            "title": proposal.title,
            "base_version": base.number,
            "revision_sha256": revision.text_sha256,
            "state": proposal.state,
            **recorded,
        },
    )
    return proposal


@use_case
def propose_again(session: Session, actor: User | None, *, proposal_id: int) -> Proposal:
    """The proposer proposes a lapsed proposal again, from its last revision, in one action.

    A lapse means too few people answered, not that anyone objected, so the same text may
    well pass another time. The new proposal starts at "proposed", against the same base
    version (the page offers the usual rebase if the agreement moved on since), under the
    community's protocol of today.
    """
    ctx = load_proposal(session, actor, proposal_id)
    ctx.require_participant()
    if PROPOSER not in ctx.roles:
        raise Forbidden(_("Only the proposer can propose this again."))
    if ctx.proposal.state != "lapsed":
        stage = ctx.protocol.state(ctx.proposal.state).label
        raise Refused(
            _(
                "Only a proposal closed without a decision can be proposed again; this one is "
                "\u201c%(stage)s\u201d.",
                stage=_(stage),
            )
        )
    latest = ctx.latest_revision()
    return _create(
        session,
        actor,
        agreement=ctx.agreement,
        base=get_or_404(session, Version, latest.base_version_id),
        title=ctx.proposal.title,
        rationale=ctx.proposal.rationale,
        text=latest.text,
        protocol=ctx.community.protocol,
        submit=True,
        note=f"Proposed again: revision {latest.number} of a proposal closed without a decision.",
        proposed_again_from=ctx.proposal.id,
    )


def _move(
    ctx: ProposalContext,
    trigger: str,
    payload: dict[str, object] | None = None,
    **round_options: object,
) -> Proposal:
    """Fire a protocol move, keep rounds in step, and record one event."""
    previous = ctx.proposal.state
    ctx.flow().fire(trigger, ctx.roles)
    if ctx.protocol.state(ctx.proposal.state).is_final:
        ctx.proposal.closed_at = utcnow()
    ctx.session.add(ctx.proposal)
    sync_rounds(ctx, trigger, **round_options)
    audit.record(
        ctx.session,
        ctx.actor,
        f"proposal.{trigger}",
        ctx.subject(),
        {"from": previous, "to": ctx.proposal.state, **(payload or {})},
    )
    return ctx.proposal


@use_case
def submit_proposal(session: Session, actor: User | None, *, proposal_id: int) -> Proposal:
    """The proposer submits a draft so the community can see it."""
    return _move(load_proposal(session, actor, proposal_id), "submit")


@use_case
def open_comments(session: Session, actor: User | None, *, proposal_id: int) -> Proposal:
    """A facilitator opens the proposal for comments."""
    return _move(load_proposal(session, actor, proposal_id), "open_comments")


def _round_options(
    deadline: datetime | None, quorum_percent: int | None, quorum_rule: str | None
) -> dict[str, object]:
    if quorum_percent is not None and not 0 <= int(quorum_percent) <= 100:
        raise InvalidInput(_("Quorum must be between 0 and 100 percent."), "quorum_percent")
    if quorum_rule is not None and quorum_rule not in ("person", "organisation"):
        raise InvalidInput(_("Quorum is counted per person or per organisation."), "quorum_rule")
    return {"deadline": deadline, "quorum_percent": quorum_percent, "quorum_rule": quorum_rule}


@use_case
def open_objection_round(
    session: Session,
    actor: User | None,
    *,
    proposal_id: int,
    deadline: datetime | None = None,
) -> Proposal:
    """A facilitator opens the objection round (lazy consensus: the objection period)."""
    ctx = load_proposal(session, actor, proposal_id)
    payload = {"deadline": deadline}
    return _move(ctx, "open_objection_round", payload, **_round_options(deadline, None, None))


@use_case
def open_consent_round(
    session: Session,
    actor: User | None,
    *,
    proposal_id: int,
    deadline: datetime | None = None,
    quorum_percent: int | None = None,
    quorum_rule: str | None = None,
) -> Proposal:
    """A facilitator opens the consent round once no objection is open."""
    ctx = load_proposal(session, actor, proposal_id)
    options = _round_options(deadline, quorum_percent, quorum_rule)
    return _move(ctx, "open_consent_round", dict(options), **options)


@use_case
def withdraw_proposal(session: Session, actor: User | None, *, proposal_id: int) -> Proposal:
    """The proposer withdraws their proposal."""
    return _move(load_proposal(session, actor, proposal_id), "withdraw")


@use_case
def reject_proposal(
    session: Session, actor: User | None, *, proposal_id: int, reason: str
) -> Proposal:
    """A facilitator rejects a proposal, with a written reason."""
    ctx = load_proposal(session, actor, proposal_id)
    reason = clean_text(reason, field="reason", limit=MAX_DISCUSSION_CHARS)
    ctx.proposal.outcome_statement = reason
    return _move(ctx, "reject", {"reason": reason})


@use_case
def revise_proposal(
    session: Session,
    actor: User | None,
    *,
    proposal_id: int,
    text: str,
    note: str = "",
    integrates: list[int] | tuple[int, ...] = (),
    expected_revision: int | None = None,
    rebase: bool = False,
) -> Revision:
    """The proposer posts a new text, citing the objections it integrates.

    Stances given on earlier texts become stale (they are bound to the text hash). With
    `expected_revision`, a proposer editing a stale copy is refused (412) instead of
    overwriting a newer revision. With `rebase`, the new text is against the current
    version (how a proposer resolves a merge conflict).
    """
    ctx = load_proposal(session, actor, proposal_id)
    if PROPOSER not in ctx.roles:
        raise Forbidden(_("Only the proposer can revise this proposal."))
    if ctx.protocol.state(ctx.proposal.state).is_final:
        raise Refused(_("Cannot revise: the decision on this proposal is closed."))
    latest = ctx.latest_revision()
    if expected_revision is not None and expected_revision != latest.number:
        raise PreconditionFailed(
            _(
                "Revision %(revision)s was posted after the one you edited; "
                "review it and make your change again.",
                revision=latest.number,
            )
        )
    text = agreement_text(text)
    if text == latest.text:
        raise InvalidInput(_("The new text is the same as the current revision."), "text")
    base = (
        current_version(session, ctx.agreement.id)  # type: ignore[arg-type]
        if rebase
        else get_or_404(session, Version, latest.base_version_id)
    )
    cited = []
    for objection_id in dict.fromkeys(integrates):
        objection = session.get(Objection, objection_id)
        if objection is None or objection.proposal_id != ctx.proposal.id:
            raise InvalidInput(
                _("A cited objection does not belong to this proposal."), "integrates"
            )
        if objection.state != "open":
            raise Refused(
                _(
                    "Objection %(objection)s is not open, so it cannot be integrated.",
                    objection=objection_id,
                )
            )
        cited.append(objection)
    revision = _add_revision(
        ctx,
        text,
        base=base,
        number=latest.number + 1,
        note=clean_text(note, field="note", limit=MAX_DISCUSSION_CHARS, required=False),
    )
    for objection in cited:
        integrate(ctx, objection, revision)
    audit.record(
        session,
        actor,
        "proposal.revised",
        ctx.subject("revision", revision.id),
        {
            "revision": revision.number,
            "revision_sha256": revision.text_sha256,
            "base_version": base.number,
            "integrates": [objection.id for objection in cited],
        },
    )
    return revision


def revisions_of(session: Session, proposal: Proposal) -> list[Revision]:
    """A proposal's revisions, oldest first."""
    return list(session.exec(_REVISIONS, params={"proposal_id": proposal.id}))


# The proposal page reads this on every view: built once, with the proposal as a parameter
# (building a statement and computing its cache key cost more than running it).
_REVISIONS = (
    select(Revision)
    .where(Revision.proposal_id == bindparam("proposal_id"))
    .order_by(col(Revision.number))
)
