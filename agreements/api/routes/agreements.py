"""Agreements and their adopted versions: texts, renderings, diffs and decision records."""

from __future__ import annotations

from sqlmodel import Session, col

from ... import services
from ...models import Agreement, Proposal, User
from ...saying import say
from ...services import queries
from ...wording import _
from .. import bodies, document_schemas, schemas
from ..operations import operation
from ..paging import events_page, paged, paged_select
from ..presenters import agreement_out, diff_out, proposal_out, version_out
from .communities import on_community

TAG = "Agreements"
AGREEMENT = "/communities/{slug}/agreements/{agreement_slug}"


def find_agreement(
    session: Session, actor: User | None, slug: str, agreement_slug: str
) -> Agreement:
    """The agreement at this address, if the caller may see its community."""
    return queries.agreement_at(session, actor, slug, agreement_slug)[1]


@operation(
    "get",
    "/communities/{slug}/agreements",
    summary="List a community's agreements",
    tag=TAG,
    response=schemas.Page[schemas.Agreement],
    query=bodies.PageQuery,
)
def list_agreements(
    session: Session, actor: User | None, *, slug: str, query: bodies.PageQuery
) -> schemas.Page[schemas.Agreement]:
    """Each agreement with the number of its current version."""
    community = queries.community_by_slug(session, actor, slug)
    agreements = queries.agreements_of(session, community)
    return paged(
        schemas.Agreement, agreements, query, convert=lambda a: agreement_out(session, a, slug)
    )


@operation(
    "post",
    "/communities/{slug}/agreements",
    summary="Start an agreement",
    tag=TAG,
    body=bodies.AgreementCreate,
    response=schemas.Agreement,
)
def create_agreement(
    session: Session, actor: User | None, *, slug: str, body: bodies.AgreementCreate
) -> schemas.Agreement:
    """Facilitators only; the text becomes version 1."""
    _community, agreement = on_community(
        session, actor, slug, services.create_agreement, **body.model_dump()
    )
    return agreement_out(session, agreement, slug)


@operation("get", AGREEMENT, summary="Read an agreement", tag=TAG, response=schemas.Agreement)
def get_agreement(
    session: Session, actor: User | None, *, slug: str, agreement_slug: str
) -> schemas.Agreement:
    """An agreement and the number of its current version."""
    return agreement_out(session, find_agreement(session, actor, slug, agreement_slug), slug)


@operation(
    "put",
    AGREEMENT + "/review-date",
    summary="Set the review date",
    tag=TAG,
    body=bodies.ReviewDate,
    response=schemas.Agreement,
)
def set_review_date(
    session: Session,
    actor: User | None,
    *,
    slug: str,
    agreement_slug: str,
    body: bodies.ReviewDate,
) -> schemas.Agreement:
    """Facilitators only: the day the agreement is to be reviewed (null removes it). Setting
    the next date once a review was due records that review as done."""
    agreement = find_agreement(session, actor, slug, agreement_slug)
    services.set_review_date(session, actor, agreement_id=agreement.id, review_on=body.review_on)
    return agreement_out(session, agreement, slug)


@operation(
    "get",
    AGREEMENT + "/versions",
    summary="List adopted versions",
    tag=TAG,
    response=schemas.Page[schemas.VersionSummary],
    query=bodies.PageQuery,
)
def list_versions(
    session: Session, actor: User | None, *, slug: str, agreement_slug: str, query: bodies.PageQuery
) -> schemas.Page[schemas.VersionSummary]:
    """The adopted history, oldest first; each names the proposal that adopted it."""
    agreement = find_agreement(session, actor, slug, agreement_slug)
    return paged_select(session, schemas.VersionSummary, queries.versions_query(agreement), query)


@operation(
    "get",
    AGREEMENT + "/versions/{number}",
    summary="Read a version",
    tag=TAG,
    response=schemas.Version,
)
def get_version(
    session: Session, actor: User | None, *, slug: str, agreement_slug: str, number: int
) -> schemas.Version:
    """The adopted Markdown text and its sanitised HTML rendering."""
    agreement = find_agreement(session, actor, slug, agreement_slug)
    return version_out(queries.version_by_number(session, agreement, number))


@operation(
    "get",
    AGREEMENT + "/compare",
    summary="Compare two versions",
    tag=TAG,
    response=document_schemas.Diff,
    query=bodies.CompareQuery,
)
def compare_versions(
    session: Session,
    actor: User | None,
    *,
    slug: str,
    agreement_slug: str,
    query: bodies.CompareQuery,
) -> document_schemas.Diff:
    """A word-level diff from one version to another (?from=1&to=3&mode=rendered|source)."""
    agreement = find_agreement(session, actor, slug, agreement_slug)
    old = queries.version_by_number(session, agreement, query.from_version)
    new = queries.version_by_number(session, agreement, query.to_version)
    return diff_out(
        old.text,
        _("version %(number)s", number=old.number),
        new.text,
        _("version %(number)s", number=new.number),
        mode=query.mode,
    )


@operation(
    "get",
    AGREEMENT + "/versions/{number}/record",
    summary="A version's decision record",
    tag=TAG,
    response=document_schemas.DecisionRecord,
)
def get_decision_record(
    session: Session, actor: User | None, *, slug: str, agreement_slug: str, number: int
) -> document_schemas.DecisionRecord:
    """Who agreed to this version and why; 404 for versions imported rather than decided."""
    record = queries.build_record(session, actor, slug, agreement_slug, number)
    return document_schemas.DecisionRecord.model_validate(
        {**record.__dict__, "markdown": record.to_markdown(say)}
    )


@operation(
    "get",
    AGREEMENT + "/proposals",
    summary="List proposals",
    tag="Proposals",
    response=schemas.Page[schemas.ProposalSummary],
    query=bodies.ProposalListQuery,
)
def list_proposals(
    session: Session,
    actor: User | None,
    *,
    slug: str,
    agreement_slug: str,
    query: bodies.ProposalListQuery,
) -> schemas.Page[schemas.ProposalSummary]:
    """Newest first; drafts are left out. Filter with ?state=comment etc."""
    agreement = find_agreement(session, actor, slug, agreement_slug)
    statement = queries.proposals_query(agreement)
    if query.state:
        statement = statement.where(col(Proposal.state) == query.state)
    return paged_select(session, schemas.ProposalSummary, statement, query)


@operation(
    "post",
    AGREEMENT + "/proposals",
    summary="Propose an amendment",
    tag="Proposals",
    body=bodies.ProposalCreate,
    response=schemas.Proposal,
)
def create_proposal(
    session: Session,
    actor: User | None,
    *,
    slug: str,
    agreement_slug: str,
    body: bodies.ProposalCreate,
) -> schemas.Proposal:
    """A member proposes a new text against the current version (or `base_version`)."""
    agreement = find_agreement(session, actor, slug, agreement_slug)
    base_id = None
    if body.base_version is not None:
        base_id = queries.version_by_number(session, agreement, body.base_version).id
    proposal = services.propose_amendment(
        session,
        actor,
        agreement_id=agreement.id,
        title=body.title,
        text=body.text,
        rationale=body.rationale,
        base_version_id=base_id,
        submit=body.submit,
    )
    return proposal_out(session, actor, proposal.id)


@operation(
    "get",
    AGREEMENT + "/events",
    summary="An agreement's audit events",
    tag="Audit",
    response=schemas.Page[schemas.AuditEvent],
    query=bodies.PageQuery,
)
def list_agreement_events(
    session: Session, actor: User | None, *, slug: str, agreement_slug: str, query: bodies.PageQuery
) -> schemas.Page[schemas.AuditEvent]:
    """The actions on one agreement and its proposals, oldest first."""
    community, agreement = queries.agreement_at(session, actor, slug, agreement_slug)
    return events_page(session, community, query, agreement=agreement)
