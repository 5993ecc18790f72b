"""An agreement's text over time: its versions, its proposals, and where each paragraph
comes from.

`agreement_at` reads the community and agreement at an address (with the reader's
membership, checking visibility once, at the community); other callers pass a community
they already read through `community_by_slug`, and these lookups only scope by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from ...access import READER_MEMBERSHIP, remember_membership, require_visible
from ...errors import NotFound
from ...models import Agreement, Community, Membership, Proposal, Translation, User, Version
from ...storage.remembered import remember, remembered
from ...text.merge import provenance_paragraphs
from ...wording import _
from ..adoption import current_version
from ..provenance import version_origins
from ._rows import stored_id
from .communities import remember_community


def agreements_of(session: Session, community: Community) -> list[Agreement]:
    """A community's agreements, by title."""
    return list(
        session.exec(
            select(Agreement)
            .where(Agreement.community_id == community.id)
            .order_by(col(Agreement.title))
        )
    )


# The agreement pages read these on every view: built once, with their values as parameters
# (building a statement and computing its cache key cost more than running it).
_AGREEMENT_AT = select(Agreement).where(
    Agreement.community_id == bindparam("community_id"), Agreement.slug == bindparam("slug")
)
# Each recent version as the agreement page lists it: number, adoption, adopter's name and
# decision's title, in one statement of plain rows (a decision is never a private draft).
_RECENT_VERSIONS = (
    sa_select(
        col(Version.number),
        col(Version.adopted_at),
        col(Version.proposal_id),
        col(Proposal.title),
        col(User.display_name),
    )
    .outerjoin(Proposal, and_(Proposal.id == Version.proposal_id, Proposal.state != "draft"))
    .outerjoin(User, col(User.id) == Version.adopted_by_id)
    .where(Version.agreement_id == bindparam("agreement_id"))
    .order_by(col(Version.number).desc())
    .limit(bindparam("limit"))
)
_VERSION_COUNT = (
    select(func.count())
    .select_from(Version)
    .where(Version.agreement_id == bindparam("agreement_id"))
)
_VERSION_NUMBERED = select(Version).where(
    Version.agreement_id == bindparam("agreement_id"), Version.number == bindparam("number")
)


def agreement_by_slug(session: Session, community: Community, slug: str) -> Agreement:
    """The community's agreement at this address, or NotFound (read once per transaction:
    a page and the helpers it calls may all ask)."""
    params = {"community_id": community.id, "slug": slug}
    agreement = remembered(
        session,
        ("agreement", community.id, slug),
        lambda: session.exec(_AGREEMENT_AT, params=params).first(),
    )
    if agreement is None:
        raise NotFound(_("There is no such agreement."))
    return agreement


# Every page under /c/<slug>/a/<agreement_slug> starts here: the community, the agreement
# and the reader's membership in one read (built once).
_ADDRESS = (
    select(Community, Agreement, Membership)
    .outerjoin(
        Agreement,
        and_(
            col(Agreement.community_id) == Community.id,
            col(Agreement.slug) == bindparam("agreement_slug"),
        ),
    )
    .outerjoin(Membership, READER_MEMBERSHIP)
    .where(Community.slug == bindparam("slug"))
)


def agreement_at(
    session: Session, actor: User | None, slug: str, agreement_slug: str
) -> tuple[Community, Agreement]:
    """The community and agreement at an address, if the actor may see the community
    (NotFound otherwise, as for an address where nothing is)."""
    actor_id = actor.id if actor is not None else None
    params = {"slug": slug, "agreement_slug": agreement_slug, "user_id": actor_id}
    found = session.exec(_ADDRESS, params=params).first()
    if found is None:
        raise NotFound()
    community, agreement, membership = found
    remember_community(session, slug, community)  # the checks below and the page ask again
    if actor_id is not None:
        remember_membership(session, actor_id, community.id, membership)
    require_visible(session, actor, community)
    if agreement is None:
        raise NotFound(_("There is no such agreement."))
    remember(session, ("agreement", community.id, agreement_slug), agreement)
    return community, agreement


def versions_query(agreement: Agreement) -> SelectOfScalar[Version]:
    """The SELECT behind versions_of, for a caller that pages it in SQL."""
    return select(Version).where(Version.agreement_id == agreement.id).order_by(col(Version.number))


def versions_of(session: Session, agreement: Agreement) -> list[Version]:
    """An agreement's adopted versions, oldest first (numbers are dense: 1, 2, ...)."""
    return list(session.exec(versions_query(agreement)))


def latest_version(session: Session, agreement: Agreement) -> Version:
    """The agreement's current version (every agreement has at least one)."""
    return current_version(session, stored_id(agreement))


class RecentVersion(NamedTuple):
    """A version as a list of recent versions shows it: `title` is its decision's (None for
    a version imported or created), `adopter` the name of who adopted it."""

    number: int
    adopted_at: datetime
    proposal_id: int | None
    title: str | None
    adopter: str | None


def recent_versions(session: Session, agreement: Agreement, limit: int) -> list[RecentVersion]:
    """The newest `limit` versions, newest first, as the list shows them: numbers, dates,
    names and titles, never the texts (a thousand full texts would cost megabytes)."""
    params = {"agreement_id": agreement.id, "limit": limit}
    return [RecentVersion(*row) for row in session.execute(_RECENT_VERSIONS, params)]


def version_count(session: Session, agreement: Agreement) -> int:
    """How many versions the agreement has (also the newest number: numbers are dense)."""
    return session.exec(_VERSION_COUNT, params={"agreement_id": agreement.id}).one()


def version_by_number(session: Session, agreement: Agreement, number: int) -> Version:
    """Version `number` of the agreement, or NotFound (read once per transaction)."""
    version = remembered(
        session,
        ("version", agreement.id, number),
        lambda: session.exec(
            _VERSION_NUMBERED, params={"agreement_id": agreement.id, "number": number}
        ).first(),
    )
    if version is None:
        raise NotFound(
            _("%(agreement)s has no version %(number)s.", agreement=agreement.title, number=number)
        )
    return version


def proposals_query(agreement: Agreement, *, open_only: bool = False) -> SelectOfScalar[Proposal]:
    """The SELECT behind proposals_of, for a caller that pages it in SQL."""
    return _proposals_statement(agreement.id, open_only=open_only)


def _proposals_statement(agreement_id: object, *, open_only: bool) -> SelectOfScalar[Proposal]:
    statement = select(Proposal).where(
        Proposal.agreement_id == agreement_id, Proposal.state != "draft"
    )
    if open_only:
        statement = statement.where(col(Proposal.closed_at).is_(None))
    return statement.order_by(col(Proposal.id).desc())


# proposals_of, built once (see _AGREEMENT_AT).
_PROPOSALS = _proposals_statement(bindparam("agreement_id"), open_only=False)
_OPEN_PROPOSALS = _proposals_statement(bindparam("agreement_id"), open_only=True)

_NAMED_PROPOSALS = _PROPOSALS.options(
    defer(Proposal.rationale), defer(Proposal.outcome_statement)
).where(col(Proposal.id).in_(bindparam("ids", expanding=True)))  # type: ignore[arg-type]


def proposals_of(
    session: Session, agreement: Agreement, *, open_only: bool = False
) -> list[Proposal]:
    """An agreement's proposals, newest first; drafts are left out (they are private).
    Read once per transaction: a page and the panels it shows may all ask."""
    key = ("proposals", agreement.id, open_only)
    statement = _OPEN_PROPOSALS if open_only else _PROPOSALS
    params = {"agreement_id": agreement.id}
    return list(remembered(session, key, lambda: session.exec(statement, params=params).all()))


def proposals_by_id(
    session: Session, agreement: Agreement, ids: set[int | None]
) -> dict[int | None, Proposal]:
    """The agreement's proposals with these ids (drafts left out), without their long texts:
    a page names the decisions behind what it shows, not all thousand of them."""
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    found = session.exec(_NAMED_PROPOSALS, params={"agreement_id": agreement.id, "ids": wanted})
    return {proposal.id: proposal for proposal in found}


@dataclass(frozen=True)
class Provenance:
    """One paragraph of a version and the version that last changed it."""

    text: str
    version: Version


_ORIGINS = (
    select(Version)
    .options(defer(Version.text), defer(Version.provenance))  # type: ignore[arg-type]
    .where(
        Version.agreement_id == bindparam("agreement_id"),
        col(Version.number).in_(bindparam("numbers", expanding=True)),
    )
)


def provenance(session: Session, agreement: Agreement, version: Version) -> list[Provenance]:
    """For each paragraph of `version`, the version (and so the decision) that last changed it."""
    blame = provenance_paragraphs(version.text, version_origins(session, version))
    numbers = sorted({number for _text, number in blame})
    origins = session.exec(_ORIGINS, params={"agreement_id": agreement.id, "numbers": numbers})
    by_number = {origin.number: origin for origin in origins}
    return [Provenance(text, by_number[number]) for text, number in blame]


_CONFIRMED_TRANSLATIONS = (
    select(Translation)
    .where(
        Translation.source_version_id == bindparam("version_id"),
        Translation.state == "confirmed",
    )
    .order_by(col(Translation.language), col(Translation.decided_at).desc())
)


def translations_of_version(session: Session, version: Version) -> list[Translation]:
    """The confirmed translations made from `version`, the newest of each language."""
    rows = session.exec(_CONFIRMED_TRANSLATIONS, params={"version_id": version.id})
    newest: dict[str, Translation] = {}
    for row in rows:
        newest.setdefault(row.language, row)
    return list(newest.values())
