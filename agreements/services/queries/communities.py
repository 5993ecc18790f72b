"""Which communities a person may read, and what a community's home and history show.

Visibility is decided here for the whole read side: `community_by_slug` is the entry point
of every page under /c/<slug>, and answers NotFound for a private community, exactly as
for one that does not exist, so outsiders cannot learn it is there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from ...access import can_see, membership_of, require_facilitator, require_visible
from ...errors import NotFound
from ...models import Agreement, AuditEvent, Community, Objection, Proposal, User
from ...storage.remembered import remember, remembered
from .._context import load_proposal, open_objections, open_rounds
from ._rows import stored_id


def visible_communities(session: Session, actor: User | None) -> list[Community]:
    """The communities this person may read: public ones, their own, all for admins."""
    communities = session.exec(select(Community).order_by(col(Community.name))).all()
    return [community for community in communities if can_see(session, actor, community)]


# Every page under /c/<slug> reads this: built once, with the slug as a parameter (building a
# statement and computing its cache key cost more than running it).
_COMMUNITY_AT = select(Community).where(Community.slug == bindparam("slug"))


def community_by_slug(session: Session, actor: User | None, slug: str) -> Community:
    """The community at this address, or NotFound (also when it is private to the actor)."""
    community = _community_at(session, slug)
    if community is None:
        raise NotFound()
    require_visible(session, actor, community)
    return community


def _community_at(session: Session, slug: str) -> Community | None:
    """The community at this address, read once per transaction (the page and the choice
    of its interface language both ask)."""
    return remembered(
        session,
        ("community", slug),
        lambda: session.exec(_COMMUNITY_AT, params={"slug": slug}).first(),
    )


def remember_community(session: Session, slug: str, community: Community) -> None:
    """Keep the community at this address, read as part of a larger read."""
    remember(session, ("community", slug), community)


def community_language(session: Session, actor: User | None, slug: str) -> str | None:
    """The default interface language of the community at this address, when the person
    may see it (None otherwise): a private community's page must answer in the same words
    as an address where nothing exists, or its language would betray it."""
    community = _community_at(session, slug)
    if community is None or not can_see(session, actor, community):
        return None
    return community.language


def facilitated_community(session: Session, actor: User | None, slug: str) -> Community:
    """The community at this address, for a page only its facilitators use (settings, new
    agreements): outsiders get NotFound as everywhere, members Forbidden."""
    community = community_by_slug(session, actor, slug)
    require_facilitator(session, actor, community)
    return community


@dataclass(frozen=True)
class Abilities:
    """Which community-wide pages a person may use, so pages offer only those links."""

    manages_members: bool = False
    facilitates: bool = False


def abilities(session: Session, actor: User | None, community: Community) -> Abilities:
    """Facilitators manage members, settings and agreements; administrators manage members.

    The same rules the services enforce (access.require_manager, require_facilitator):
    this only decides which links are worth showing.
    """
    membership = membership_of(session, actor, community)
    facilitates = membership is not None and membership.role == "facilitator"
    is_admin = actor is not None and actor.is_admin
    return Abilities(manages_members=facilitates or is_admin, facilitates=facilitates)


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
    ids = [stored_id(proposal) for proposal in open_proposals]
    if not ids:
        return found
    rounds, objections = open_rounds(session, ids), open_objections(session, ids)  # 2 reads
    for proposal in open_proposals:
        round_ = rounds.get(stored_id(proposal))
        if round_ is not None and round_.kind == "consent":
            ctx = load_proposal(session, actor, stored_id(proposal), for_update=False)
            entry = next((p for p in ctx.tally(round_).participants if p.user_id == actor.id), None)
            if entry is not None and entry.status in ("pending", "stale"):
                found.rounds_to_answer.append((proposal, entry.status))
        for objection in objections.get(stored_id(proposal), []):
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
