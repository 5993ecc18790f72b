"""Discussion of a proposal: threaded comments that may quote a passage, and concerns."""

from __future__ import annotations

from sqlmodel import Session

from .. import audit
from ..errors import InvalidInput, Refused
from ..limits import MAX_DISCUSSION_CHARS, choice, clean_text
from ..models import COMMENT_KINDS, Comment, Concern, User
from ..wording import _
from ._context import ProposalContext, load_proposal
from ._unit import use_case
from .objections import clean_passage


def _open_for_discussion(ctx: ProposalContext) -> None:
    ctx.require_participant()
    if ctx.protocol.state(ctx.proposal.state).is_final:
        raise Refused(
            _("The decision on this proposal is closed; the discussion is kept as it was.")
        )


@use_case
def add_comment(
    session: Session,
    actor: User | None,
    *,
    proposal_id: int,
    body: str,
    kind: str = "reaction",
    parent_id: int | None = None,
    anchor: str | None = None,
) -> Comment:
    """A member comments on the current revision, replies in a thread, or quotes a passage."""
    ctx = load_proposal(session, actor, proposal_id)
    _open_for_discussion(ctx)
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.proposal_id != ctx.proposal.id:
            raise InvalidInput(_("The comment you reply to is not on this proposal."), "parent_id")
    comment = Comment(
        proposal_id=ctx.proposal.id,  # type: ignore[arg-type]
        revision_id=ctx.latest_revision().id,  # type: ignore[arg-type]
        author_id=actor.id,  # type: ignore[union-attr]
        parent_id=parent_id,
        kind=choice(kind, COMMENT_KINDS, field="kind"),
        body=clean_text(body, field="comment", limit=MAX_DISCUSSION_CHARS),
        anchor=clean_passage(ctx, anchor),
    )
    session.add(comment)
    session.flush()
    audit.record(
        session,
        actor,
        "comment.added",
        ctx.subject("comment", comment.id),
        {
            "kind": comment.kind,
            "parent_id": parent_id,
            "body": comment.body,
            "anchor": comment.anchor,
        },
    )
    return comment


@use_case
def raise_concern(
    session: Session, actor: User | None, *, proposal_id: int, text: str, passage: str | None = None
) -> Concern:
    """A member records a non-blocking worry, kept with the decision and the concern register."""
    ctx = load_proposal(session, actor, proposal_id)
    _open_for_discussion(ctx)
    concern = Concern(
        proposal_id=ctx.proposal.id,  # type: ignore[arg-type]
        revision_id=ctx.latest_revision().id,  # type: ignore[arg-type]
        author_id=actor.id,  # type: ignore[union-attr]
        text=clean_text(text, field="concern", limit=MAX_DISCUSSION_CHARS),
        passage=clean_passage(ctx, passage),
    )
    session.add(concern)
    session.flush()
    audit.record(
        session,
        actor,
        "concern.raised",
        ctx.subject("concern", concern.id),
        {"text": concern.text, "passage": concern.passage},
    )
    return concern
