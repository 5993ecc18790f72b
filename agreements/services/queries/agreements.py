"""An agreement's text over time: its versions, its proposals, and where each paragraph
comes from.

Callers pass a community they already read through `community_by_slug`, so visibility is
checked once, at the community, and these lookups only scope by it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from ...models import Agreement, Community, Proposal, User, Version
from ...text.merge import paragraph_provenance
from ._rows import first_or_not_found
from .communities import community_by_slug


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
    return first_or_not_found(
        session,
        select(Agreement).where(Agreement.community_id == community.id, Agreement.slug == slug),
        "There is no such agreement.",
    )


def agreement_at(
    session: Session, actor: User | None, slug: str, agreement_slug: str
) -> tuple[Community, Agreement]:
    """The community and agreement at an address, if the actor may see the community."""
    community = community_by_slug(session, actor, slug)
    return community, agreement_by_slug(session, community, agreement_slug)


def versions_query(agreement: Agreement) -> SelectOfScalar[Version]:
    """The SELECT behind versions_of, for a caller that pages it in SQL."""
    return select(Version).where(Version.agreement_id == agreement.id).order_by(col(Version.number))


def versions_of(session: Session, agreement: Agreement) -> list[Version]:
    """An agreement's adopted versions, oldest first (numbers are dense: 1, 2, ...)."""
    return list(session.exec(versions_query(agreement)))


def version_by_number(session: Session, agreement: Agreement, number: int) -> Version:
    """Version `number` of the agreement, or NotFound."""
    return first_or_not_found(
        session,
        select(Version).where(Version.agreement_id == agreement.id, Version.number == number),
        f"{agreement.title} has no version {number}.",
    )


def proposals_query(agreement: Agreement, *, open_only: bool = False) -> SelectOfScalar[Proposal]:
    """The SELECT behind proposals_of, for a caller that pages it in SQL."""
    statement = select(Proposal).where(
        Proposal.agreement_id == agreement.id, Proposal.state != "draft"
    )
    if open_only:
        statement = statement.where(col(Proposal.closed_at).is_(None))
    return statement.order_by(col(Proposal.id).desc())


def proposals_of(
    session: Session, agreement: Agreement, *, open_only: bool = False
) -> list[Proposal]:
    """An agreement's proposals, newest first; drafts are left out (they are private)."""
    return list(session.exec(proposals_query(agreement, open_only=open_only)))


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
