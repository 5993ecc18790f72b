"""Read-side queries: what pages and API routes show, with the same visibility rules as writes.

Nothing here writes. Every function that takes an actor checks that the actor may see what
it returns (private communities answer NotFound to outsiders), so a page or an API route
cannot show more than the services would let the person act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from workflows import OBJECTION_LIFECYCLE, Flow, Move
from workflows.protocols import FACILITATOR, OBJECTOR, PROPOSER, State

from ..access import can_see, require_facilitator, require_visible
from ..errors import NotFound
from ..merging import paragraph_provenance
from ..models import (
    Agreement,
    AuditEvent,
    Comment,
    Community,
    Concern,
    Membership,
    Objection,
    Organisation,
    Proposal,
    Revision,
    Round,
    Stance,
    User,
    Version,
)
from ..tally import Tally
from ._context import ProposalContext, load_proposal
from .proposals import revisions_of
from .rounds import proposal_rounds


def visible_communities(session: Session, actor: User | None) -> list[Community]:
    """The communities this person may read: public ones, their own, all for admins."""
    communities = session.exec(select(Community).order_by(col(Community.name))).all()
    return [community for community in communities if can_see(session, actor, community)]


def community_by_slug(session: Session, actor: User | None, slug: str) -> Community:
    """The community at this address, or NotFound (also when it is private to the actor)."""
    community = session.exec(select(Community).where(Community.slug == slug)).first()
    if community is None:
        raise NotFound("There is no such community.")
    require_visible(session, actor, community)
    return community


def agreements_of(session: Session, community: Community) -> list[Agreement]:
    """A community's agreements, by title."""
    return list(
        session.exec(
            select(Agreement)
            .where(Agreement.community_id == community.id)
            .order_by(col(Agreement.title))
        )
    )


def agreement_by_slug(session: Session, community: Community, slug: str) -> Agreement:
    """The community's agreement at this address, or NotFound."""
    agreement = session.exec(
        select(Agreement).where(Agreement.community_id == community.id, Agreement.slug == slug)
    ).first()
    if agreement is None:
        raise NotFound("There is no such agreement.")
    return agreement


def versions_of(session: Session, agreement: Agreement) -> list[Version]:
    """An agreement's adopted versions, oldest first (numbers are dense: 1, 2, ...)."""
    return list(
        session.exec(
            select(Version)
            .where(Version.agreement_id == agreement.id)
            .order_by(col(Version.number))
        )
    )


def version_by_number(session: Session, agreement: Agreement, number: int) -> Version:
    """Version `number` of the agreement, or NotFound."""
    version = session.exec(
        select(Version).where(Version.agreement_id == agreement.id, Version.number == number)
    ).first()
    if version is None:
        raise NotFound(f"{agreement.title} has no version {number}.")
    return version


def proposals_of(
    session: Session, agreement: Agreement, *, open_only: bool = False
) -> list[Proposal]:
    """An agreement's proposals, newest first; drafts are left out (they are private)."""
    statement = select(Proposal).where(
        Proposal.agreement_id == agreement.id, Proposal.state != "draft"
    )
    if open_only:
        statement = statement.where(col(Proposal.closed_at).is_(None))
    return list(session.exec(statement.order_by(col(Proposal.id).desc())))


def people(session: Session, ids: set[int | None]) -> dict[int, User]:
    """Users by id, for showing names next to what they wrote."""
    wanted = {user_id for user_id in ids if user_id is not None}
    if not wanted:
        return {}
    return {u.id: u for u in session.exec(select(User).where(col(User.id).in_(wanted)))}  # type: ignore[misc]


@dataclass(frozen=True)
class Provenance:
    """One paragraph of a version and the version that last changed it."""

    text: str
    version: Version


def provenance(session: Session, agreement: Agreement, version: Version) -> list[Provenance]:
    """For each paragraph of `version`, the version (and so the decision) that last changed it."""
    history = [v for v in versions_of(session, agreement) if v.number <= version.number]
    blame = paragraph_provenance([v.text for v in history])
    return [Provenance(text, history[index]) for text, index in blame]


@dataclass(frozen=True)
class MemberRow:
    """A member as the members page lists them."""

    membership: Membership
    user: User
    organisation: Organisation | None


def members_of(session: Session, actor: User | None, community: Community) -> list[MemberRow]:
    """The community's members with roles and organisations (facilitators only)."""
    require_facilitator(session, actor, community)
    rows = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.community_id == community.id)
        .order_by(col(User.display_name))
    ).all()
    organisations = organisations_of(session, community)
    return [MemberRow(m, u, organisations.get(m.organisation_id)) for m, u in rows]  # type: ignore[arg-type]


def organisations_of(session: Session, community: Community) -> dict[int, Organisation]:
    """The community's organisations by id."""
    found = session.exec(select(Organisation).where(Organisation.community_id == community.id))
    return {organisation.id: organisation for organisation in found}  # type: ignore[misc]


@dataclass
class CommentNode:
    """A comment with its replies, for a threaded discussion."""

    comment: Comment
    replies: list[CommentNode] = field(default_factory=list)


def comment_threads(comments: list[Comment]) -> list[CommentNode]:
    """Arrange comments (oldest first) into threads under their parents."""
    nodes = {comment.id: CommentNode(comment) for comment in comments}
    roots: list[CommentNode] = []
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent else roots).append(nodes[comment.id])
    return roots


@dataclass(frozen=True)
class ObjectionView:
    """An objection with the moves the actor may make on it now."""

    objection: Objection
    state: State
    moves: list[Move]  # only the moves of a role the actor holds, allowed or refused


def _objection_roles(detail_roles: set[str], actor: User | None, objection: Objection) -> set[str]:
    roles = {role for role in detail_roles if role in (FACILITATOR, PROPOSER)}
    if actor is not None and actor.id == objection.author_id:
        roles.add(OBJECTOR)
    return roles


def _own_moves(flow: Flow, roles: set[str]) -> list[Move]:
    """The moves of a role the actor holds (a member is not shown the facilitator's)."""
    return [move for move in flow.moves(roles) if move.transition.roles & roles]


@dataclass
class ProposalDetail:
    """Everything the proposal page shows, read in one place."""

    ctx: ProposalContext
    revisions: list[Revision]
    base: Version
    current: Version
    comments: list[CommentNode]
    objections: list[ObjectionView]
    concerns: list[Concern]
    rounds: list[Round]
    open_round: Round | None
    tally: Tally | None
    my_stance: Stance | None
    my_status: str | None
    moves: list[Move]  # the actor's own moves on the proposal (the "object" stance aside)
    people: dict[int, User]
    organisations: dict[int, Organisation]

    @property
    def proposal(self) -> Proposal:
        """The proposal itself."""
        return self.ctx.proposal

    @property
    def latest(self) -> Revision:
        """The text being decided on."""
        return self.revisions[-1]

    @property
    def state(self) -> State:
        """The protocol state, with its label and what happens next."""
        return self.ctx.protocol.state(self.proposal.state)

    @property
    def is_open(self) -> bool:
        """Whether the decision is still under way."""
        return not self.state.is_final

    def revision(self, revision_id: int | None) -> Revision | None:
        """One of this proposal's revisions by id."""
        return next((r for r in self.revisions if r.id == revision_id), None)

    def open_objection_ids(self) -> list[int]:
        """Objections the proposer can cite as integrated by a new revision."""
        return [v.objection.id for v in self.objections if v.objection.state == "open"]  # type: ignore[misc]


def proposal_detail(session: Session, actor: User | None, proposal_id: int) -> ProposalDetail:
    """A proposal with its revisions, discussion, objections, rounds and the actor's moves."""
    ctx = load_proposal(session, actor, proposal_id, for_update=False)
    proposal = ctx.proposal
    revisions = revisions_of(session, proposal)
    comments = list(
        session.exec(
            select(Comment).where(Comment.proposal_id == proposal.id).order_by(col(Comment.id))
        )
    )
    objections = list(
        session.exec(
            select(Objection)
            .where(Objection.proposal_id == proposal.id)
            .order_by(col(Objection.id))
        )
    )
    concerns = list(
        session.exec(
            select(Concern).where(Concern.proposal_id == proposal.id).order_by(col(Concern.id))
        )
    )
    open_round = ctx.open_round()
    tally = ctx.tally(open_round) if open_round is not None else None
    my_entry = None
    if tally is not None and actor is not None:
        my_entry = next((p for p in tally.participants if p.user_id == actor.id), None)
    roles = ctx.roles
    objection_views = [
        ObjectionView(
            objection,
            OBJECTION_LIFECYCLE.state(objection.state),
            _own_moves(
                Flow(objection, OBJECTION_LIFECYCLE), _objection_roles(roles, actor, objection)
            ),
        )
        for objection in objections
    ]
    author_ids: set[int | None] = {proposal.proposer_id} | {r.author_id for r in revisions}
    author_ids |= {c.author_id for c in comments} | {o.author_id for o in objections}
    author_ids |= {c.author_id for c in concerns} | {o.settled_by_id for o in objections}
    if tally is not None:
        author_ids |= {p.user_id for p in tally.participants}
    base = session.get(Version, revisions[-1].base_version_id)
    current = session.exec(
        select(Version)
        .where(Version.agreement_id == ctx.agreement.id)
        .order_by(col(Version.number).desc())
    ).first()
    assert base is not None and current is not None
    return ProposalDetail(
        ctx=ctx,
        revisions=revisions,
        base=base,
        current=current,
        comments=comment_threads(comments),
        objections=objection_views,
        concerns=concerns,
        rounds=proposal_rounds(session, proposal),
        open_round=open_round,
        tally=tally,
        my_stance=my_entry.stance if my_entry else None,
        my_status=my_entry.status if my_entry else None,
        moves=[m for m in _own_moves(ctx.flow(), roles) if m.transition.trigger != "object"],
        people=people(session, author_ids),
        organisations=organisations_of(session, ctx.community),
    )


@dataclass
class NeedsMe:
    """What is waiting for this person in a community."""

    rounds_to_answer: list[tuple[Proposal, str]] = field(default_factory=list)
    objections_on_mine: list[tuple[Proposal, Objection]] = field(default_factory=list)
    objections_to_confirm: list[tuple[Proposal, Objection]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Nothing needs the person now."""
        return not (self.rounds_to_answer or self.objections_on_mine or self.objections_to_confirm)


def needs_me(session: Session, actor: User | None, community: Community) -> NeedsMe:
    """Consent rounds I have not answered (or answered on an older text), open objections
    on my proposals, and objections of mine waiting for me to confirm they are resolved."""
    found = NeedsMe()
    if actor is None:
        return found
    open_proposals = session.exec(
        select(Proposal)
        .join(Agreement, col(Agreement.id) == Proposal.agreement_id)
        .where(Agreement.community_id == community.id, col(Proposal.closed_at).is_(None))
        .where(Proposal.state != "draft")
        .order_by(col(Proposal.id))
    ).all()
    for proposal in open_proposals:
        ctx = load_proposal(session, actor, proposal.id, for_update=False)  # type: ignore[arg-type]
        round_ = ctx.open_round()
        if round_ is not None and round_.kind == "consent":
            entry = next((p for p in ctx.tally(round_).participants if p.user_id == actor.id), None)
            if entry is not None and entry.status in ("pending", "stale"):
                found.rounds_to_answer.append((proposal, entry.status))
        for objection in ctx.open_objections():
            if proposal.proposer_id == actor.id and objection.state == "open":
                found.objections_on_mine.append((proposal, objection))
            if objection.author_id == actor.id and objection.state == "integrating":
                found.objections_to_confirm.append((proposal, objection))
    return found


def recent_decisions(session: Session, community: Community, limit: int = 10) -> list[Proposal]:
    """Proposals whose decision closed most recently (adopted, rejected, lapsed, withdrawn)."""
    return list(
        session.exec(
            select(Proposal)
            .join(Agreement, col(Agreement.id) == Proposal.agreement_id)
            .where(Agreement.community_id == community.id, col(Proposal.closed_at).is_not(None))
            .order_by(col(Proposal.closed_at).desc())
            .limit(limit)
        )
    )


def audit_events(
    session: Session,
    community: Community,
    *,
    agreement: Agreement | None = None,
    proposal: Proposal | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AuditEvent], int]:
    """A page of a community's audit events (oldest first) and their total count.

    Narrowed to one agreement or one proposal when given; events about drafts are left
    out, as drafts are their proposer's own.
    """
    drafts = select(Proposal.id).where(Proposal.state == "draft")
    statement = select(AuditEvent).where(
        AuditEvent.community_id == community.id,
        col(AuditEvent.proposal_id).is_(None) | col(AuditEvent.proposal_id).not_in(drafts),
    )
    if agreement is not None:
        statement = statement.where(AuditEvent.agreement_id == agreement.id)
    if proposal is not None:
        statement = statement.where(AuditEvent.proposal_id == proposal.id)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(statement.order_by(col(AuditEvent.seq)).offset(offset).limit(limit))
    return list(rows), total
