"""How rows become API responses: the one place each response model is filled in.

Routes call the services and these presenters; keeping them apart lets several routes
(and the decision record, the diff endpoints) present the same thing the same way.
"""

from __future__ import annotations

import json

from sqlmodel import Session

from .. import services
from ..access import membership_of
from ..models import Agreement, AuditEvent, Community, Revision, User, Version
from ..saying import say
from ..services import queries
from ..services._context import ProposalContext, load_proposal
from ..services.reviews import is_review_due
from ..text.diff import Mode, diff_texts
from ..text.render import render_markdown
from . import document_schemas, schemas


def community_out(
    session: Session, actor: User | None, community: Community
) -> schemas.CommunityDetail:
    """A community with the caller's role in it."""
    membership = membership_of(session, actor, community)
    return schemas.CommunityDetail.model_validate(
        {**community.model_dump(), "my_role": membership.role if membership else None}
    )


def member_out(row: queries.MemberRow) -> dict[str, object]:
    """A member row as the API shows it (no email address)."""
    return {
        "user_id": row.user.id,
        "display_name": row.user.display_name,
        "role": row.membership.role,
        "organisation": row.organisation.name if row.organisation else None,
        "joined_at": row.membership.joined_at,
    }


def event_out(event: AuditEvent) -> dict[str, object]:
    """An audit event with its payload decoded."""
    return {**event.model_dump(), "payload": json.loads(event.payload)}


def agreement_out(session: Session, agreement: Agreement, community_slug: str) -> schemas.Agreement:
    """An agreement with its current version number."""
    current = services.current_version(session, agreement.id)
    return schemas.Agreement.model_validate(
        {
            **agreement.model_dump(),
            "community_slug": community_slug,
            "current_version": current.number,
            "review_due": is_review_due(agreement),
        }
    )


def version_out(version: Version) -> schemas.Version:
    """A version with its sanitised HTML rendering."""
    return schemas.Version.model_validate(
        {**version.model_dump(), "html": str(render_markdown(version.text))}
    )


def diff_out(
    old_text: str, old_label: str, new_text: str, new_label: str, *, mode: Mode
) -> document_schemas.Diff:
    """The diff of two texts as data: each changed paragraph spelled out word by word; its
    labels and note in the caller's language."""
    diff = diff_texts(old_text, new_text, mode=mode)
    summary = diff.summary
    return document_schemas.Diff(
        old_label=say(old_label),
        new_label=say(new_label),
        mode=diff.mode,
        summary=str(summary),
        paragraphs_changed=summary.paragraphs_changed,
        words_added=summary.words_added,
        words_removed=summary.words_removed,
        note=say(diff.note),
        paragraphs=[
            document_schemas.DiffParagraph(
                op=p.op,
                old=p.old,
                new=p.new,
                segments=[document_schemas.DiffSegment(op=s.op, text=s.text) for s in p.segments],
            )
            for p in diff.paragraphs
        ],
    )


def revision_out(revision: Revision) -> schemas.Revision:
    """A revision with its sanitised rendering."""
    return schemas.Revision.model_validate(
        {**revision.model_dump(), "html": str(render_markdown(revision.text))}
    )


def proposal_view(ctx: ProposalContext) -> schemas.Proposal:
    """A proposal with its latest revision, open round and the caller's moves."""
    proposal = ctx.proposal
    adopted = (
        ctx.session.get(Version, proposal.adopted_version_id)
        if proposal.adopted_version_id
        else None
    )
    open_round = ctx.open_round()
    return schemas.Proposal.model_validate(
        {
            **proposal.model_dump(),
            "adopted_version": adopted.number if adopted else None,
            "latest_revision": ctx.latest_revision().number,
            "open_round_id": open_round.id if open_round else None,
            "blocking_objections": len(ctx.open_objections()),
            "moves": [
                {
                    "trigger": m.transition.trigger,
                    "is_allowed": m.is_allowed,
                    "refusal": say(m.refusal),
                }
                for m in ctx.flow().moves(ctx.roles)
            ],
        }
    )


def proposal_out(session: Session, actor: User | None, proposal_id: int) -> schemas.Proposal:
    """The proposal as the caller sees it now (after a change, re-read)."""
    return proposal_view(load_proposal(session, actor, proposal_id, for_update=False))
