"""An agreement's text over time: its versions, its proposals, and where each paragraph
comes from.

Callers pass a community they already read through `community_by_slug`, so visibility is
checked once, at the community, and these lookups only scope by it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from ...models import Agreement, Community, Proposal, User, Version
from ...text.merge import provenance_paragraphs
from ...wording import _
from ..provenance import version_origins
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
        _("There is no such agreement."),
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


def latest_version(session: Session, agreement: Agreement) -> Version:
    """The agreement's current version (every agreement has at least one)."""
    return session.exec(
        select(Version)
        .where(Version.agreement_id == agreement.id)
        .order_by(col(Version.number).desc())
        .limit(1)
    ).one()


def recent_versions(session: Session, agreement: Agreement, limit: int) -> list[Version]:
    """The newest `limit` versions, newest first, without their texts (a list shows only
    numbers, dates and decisions; loading a thousand full texts would cost megabytes)."""
    return list(
        session.exec(
            select(Version)
            .options(defer(Version.text), defer(Version.provenance))  # type: ignore[arg-type]
            .where(Version.agreement_id == agreement.id)
            .order_by(col(Version.number).desc())
            .limit(limit)
        )
    )


def version_count(session: Session, agreement: Agreement) -> int:
    """How many versions the agreement has (also the newest number: numbers are dense)."""
    return session.exec(
        select(func.count()).select_from(Version).where(Version.agreement_id == agreement.id)
    ).one()


def version_by_number(session: Session, agreement: Agreement, number: int) -> Version:
    """Version `number` of the agreement, or NotFound."""
    return first_or_not_found(
        session,
        select(Version).where(Version.agreement_id == agreement.id, Version.number == number),
        _("%(agreement)s has no version %(number)s.", agreement=agreement.title, number=number),
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


def proposals_by_id(
    session: Session, agreement: Agreement, ids: set[int | None]
) -> dict[int | None, Proposal]:
    """The agreement's proposals with these ids (drafts left out), without their long texts:
    a page names the decisions behind what it shows, not all thousand of them."""
    found = session.exec(
        proposals_query(agreement)
        .options(defer(Proposal.rationale), defer(Proposal.outcome_statement))  # type: ignore[arg-type]
        .where(col(Proposal.id).in_({i for i in ids if i is not None}))
    )
    return {proposal.id: proposal for proposal in found}


@dataclass(frozen=True)
class Provenance:
    """One paragraph of a version and the version that last changed it."""

    text: str
    version: Version


def provenance(session: Session, agreement: Agreement, version: Version) -> list[Provenance]:
    """For each paragraph of `version`, the version (and so the decision) that last changed it."""
    blame = provenance_paragraphs(version.text, version_origins(session, version))
    origins = session.exec(
        select(Version)
        .options(defer(Version.text), defer(Version.provenance))  # type: ignore[arg-type]
        .where(
            Version.agreement_id == agreement.id,
            col(Version.number).in_({number for _text, number in blame}),
        )
    )
    by_number = {origin.number: origin for origin in origins}
    return [Provenance(text, by_number[number]) for text, number in blame]
