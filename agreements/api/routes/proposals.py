"""Proposals: reading them, revising them (with If-Match) and moving them through the protocol."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import request
from sqlmodel import Session

from ... import services
from ...errors import InvalidInput, NotFound
from ...models import Revision, User, Version
from ...services._context import ProposalContext, load_proposal
from ...services.proposals import revisions_of
from ...wording import _
from .. import bodies, document_schemas, schemas
from ..operations import Reply, operation
from ..paging import events_page, paged
from ..presenters import diff_out, proposal_out, revision_out

TAG = "Proposals"
PROPOSAL = "/proposals/{proposal_id}"
ETAG_PATTERN = re.compile(r'^(?:W/)?"rev-(\d{1,9})"$')


def etag_for(revision_number: int) -> str:
    """The proposal's ETag: its latest revision number (texts are immutable, so this suffices)."""
    return f'W/"rev-{revision_number}"'


def expected_revision() -> int | None:
    """The revision number the If-Match header says the editor started from (None: no check)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    match = ETAG_PATTERN.match(header)
    if match is None:
        raise InvalidInput(
            _('If-Match must be the ETag from reading the proposal, like W/"rev-2".'), "If-Match"
        )
    return int(match.group(1))


def _revision(session: Session, ctx: ProposalContext, number: int) -> Revision:
    found = next((r for r in revisions_of(session, ctx.proposal) if r.number == number), None)
    if found is None:
        raise NotFound(_("This proposal has no revision %(number)s.", number=number))
    return found


@operation(
    "get",
    PROPOSAL,
    summary="Read a proposal",
    tag=TAG,
    response=schemas.Proposal,
    etag=True,
)
def get_proposal(session: Session, actor: User | None, *, proposal_id: int) -> Reply:
    """State, latest revision and the moves the caller may make; the ETag names the revision."""
    view = proposal_out(session, actor, proposal_id)
    return Reply(view, {"ETag": etag_for(view.latest_revision)})


@operation(
    "get",
    PROPOSAL + "/revisions",
    summary="List revisions",
    tag=TAG,
    response=schemas.Page[schemas.RevisionSummary],
    query=bodies.PageQuery,
)
def list_revisions(
    session: Session, actor: User | None, *, proposal_id: int, query: bodies.PageQuery
) -> schemas.Page[schemas.RevisionSummary]:
    """Every text of the proposal, oldest first."""
    ctx = load_proposal(session, actor, proposal_id, for_update=False)
    return paged(schemas.RevisionSummary, revisions_of(session, ctx.proposal), query)


@operation(
    "get",
    PROPOSAL + "/revisions/{number}",
    summary="Read a revision",
    tag=TAG,
    response=schemas.Revision,
)
def get_revision(
    session: Session, actor: User | None, *, proposal_id: int, number: int
) -> schemas.Revision:
    """A revision's Markdown text and its rendering."""
    ctx = load_proposal(session, actor, proposal_id, for_update=False)
    return revision_out(_revision(session, ctx, number))


@operation(
    "get",
    PROPOSAL + "/revisions/{number}/diff",
    summary="Diff a revision",
    tag=TAG,
    response=document_schemas.Diff,
    query=bodies.RevisionDiffQuery,
)
def diff_revision(
    session: Session,
    actor: User | None,
    *,
    proposal_id: int,
    number: int,
    query: bodies.RevisionDiffQuery,
) -> document_schemas.Diff:
    """What a revision changes against its base version (or against the previous revision)."""
    ctx = load_proposal(session, actor, proposal_id, for_update=False)
    revision = _revision(session, ctx, number)
    if query.against == "previous" and number > 1:
        old = _revision(session, ctx, number - 1)
        old_text, old_label = old.text, _("revision %(number)s", number=old.number)
    else:
        base = session.get(Version, revision.base_version_id)
        assert base is not None
        old_text, old_label = base.text, _("version %(number)s", number=base.number)
    return diff_out(
        old_text,
        old_label,
        revision.text,
        _("revision %(number)s", number=revision.number),
        mode=query.mode,
    )


@operation(
    "post",
    PROPOSAL + "/revisions",
    summary="Revise a proposal",
    tag=TAG,
    body=bodies.RevisionCreate,
    response=schemas.Revision,
    if_match=True,
    etag=True,
)
def revise(
    session: Session, actor: User | None, *, proposal_id: int, body: bodies.RevisionCreate
) -> Reply:
    """The proposer posts a new text; send If-Match with the ETag you read to avoid overwriting."""
    revision = services.revise_proposal(
        session,
        actor,
        proposal_id=proposal_id,
        text=body.text,
        note=body.note,
        integrates=body.integrates,
        rebase=body.rebase,
        expected_revision=expected_revision(),
    )
    return Reply(revision_out(revision), {"ETag": etag_for(revision.number)})


@operation(
    "post",
    PROPOSAL + "/rebase",
    summary="Rebase a proposal onto the current version",
    tag=TAG,
    response=schemas.Revision,
    status=201,
    etag=True,
)
def rebase(session: Session, actor: User | None, *, proposal_id: int) -> Reply:
    """Merge a stale proposal onto the newest version as a new revision (409 on conflict)."""
    revision = services.rebase_proposal(session, actor, proposal_id=proposal_id)
    return Reply(revision_out(revision), {"ETag": etag_for(revision.number)})


def _action(
    path: str, summary: str, use_case: Callable[..., Any], body: type[bodies.Body] | None = None
) -> None:
    """Register POST /proposals/{id}/<path>: one protocol move by one use case."""

    def act(
        session: Session, actor: User | None, *, proposal_id: int, body: Any = None
    ) -> schemas.Proposal:
        use_case(session, actor, proposal_id=proposal_id, **(body.model_dump() if body else {}))
        return proposal_out(session, actor, proposal_id)

    act.__name__ = path.replace("-", "_")
    act.__doc__ = use_case.__doc__
    operation(
        "post",
        f"{PROPOSAL}/{path}",
        summary=summary,
        tag=TAG,
        body=body,
        response=schemas.Proposal,
        status=200,
    )(act)


_action("submit", "Submit a draft", services.submit_proposal)
_action("open-comments", "Open for comments", services.open_comments)
_action(
    "open-objection-round",
    "Open the objection round",
    services.open_objection_round,
    bodies.ObjectionRoundOpen,
)
_action(
    "open-consent-round",
    "Open the consent round",
    services.open_consent_round,
    bodies.ConsentRoundOpen,
)
_action("withdraw", "Withdraw a proposal", services.withdraw_proposal)
_action("reject", "Reject a proposal", services.reject_proposal, bodies.RequiredReason)
_action("adopt", "Adopt the consented text", services.adopt_proposal, bodies.Adoption)
_action("lapse", "Let the consent round lapse", services.lapse_proposal, bodies.RequiredReason)
_action(
    "extend-deadline",
    "Extend the open round's deadline",
    services.extend_deadline,
    bodies.DeadlineExtension,
)
_action("remind", "Remind those who have not answered", services.remind_non_answerers)


@operation(
    "post",
    PROPOSAL + "/propose-again",
    summary="Propose a lapsed proposal again",
    tag=TAG,
    response=schemas.Proposal,
    status=201,
)
def propose_again(session: Session, actor: User | None, *, proposal_id: int) -> schemas.Proposal:
    """The proposer puts a lapsed proposal's last revision to the community again; the
    answer is the new proposal."""
    proposal = services.propose_again(session, actor, proposal_id=proposal_id)
    return proposal_out(session, actor, proposal.id)  # type: ignore[arg-type]


@operation(
    "get",
    PROPOSAL + "/events",
    summary="A proposal's audit events",
    tag="Audit",
    response=schemas.Page[schemas.AuditEvent],
    query=bodies.PageQuery,
)
def list_proposal_events(
    session: Session, actor: User | None, *, proposal_id: int, query: bodies.PageQuery
) -> schemas.Page[schemas.AuditEvent]:
    """Everything that happened to this proposal, oldest first."""
    ctx = load_proposal(session, actor, proposal_id, for_update=False)
    return events_page(session, ctx.community, query, proposal=ctx.proposal)
