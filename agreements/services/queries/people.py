"""People as pages name them: users by id, a community's members and its organisations.

Pages show who wrote, objected or adopted something; these queries read those people in
one statement per page instead of one per name. The members list is a facilitator's view
(it shows roles and organisations), so it checks that role itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Table, bindparam, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from ...access import require_manager
from ...models import Community, Membership, Organisation, RoundParticipant, User

# Pages name people on every view: these statements are built once, with their values as
# parameters (building a statement and computing its cache key cost more than running it),
# and read plain columns of the tables, not the models' attributes (no ORM step per row).
_USERS: Table = User.__table__  # type: ignore[attr-defined]
_PARTICIPANTS: Table = RoundParticipant.__table__  # type: ignore[attr-defined]
_ORGANISATION_ROWS: Table = Organisation.__table__  # type: ignore[attr-defined]
_NAMES = sa_select(_USERS.c.id, _USERS.c.display_name).where(
    _USERS.c.id.in_(bindparam("ids", expanding=True))
)
# A round's participants by the round, not as a list of a hundred ids to send and expand.
_PARTICIPANT_NAMES = (
    sa_select(_USERS.c.id, _USERS.c.display_name)
    .join(_PARTICIPANTS, _PARTICIPANTS.c.user_id == _USERS.c.id)
    .where(_PARTICIPANTS.c.round_id == bindparam("round_id"))
)
_NAMES_AND_PARTICIPANTS = union_all(_NAMES, _PARTICIPANT_NAMES)  # a name twice is harmless
_ORGANISATIONS = sa_select(_ORGANISATION_ROWS.c.id, _ORGANISATION_ROWS.c.name).where(
    _ORGANISATION_ROWS.c.community_id == bindparam("community_id")
)


class Named(NamedTuple):
    """A person as pages name them (their whole account is more than a name needs)."""

    id: int
    display_name: str


class NamedOrganisation(NamedTuple):
    """An organisation as pages name it."""

    id: int
    name: str


def people(session: Session, ids: set[int | None], round_id: int | None = None) -> dict[int, Named]:
    """People by id, for showing names next to what they wrote; with `round_id`, that
    round's participants too, in the same statement (read by the round: a round may have
    hundreds, which `ids` need not list)."""
    wanted = sorted(user_id for user_id in ids if user_id is not None)
    if round_id is not None:
        rows = session.execute(_NAMES_AND_PARTICIPANTS, {"ids": wanted, "round_id": round_id})
    elif wanted:
        rows = session.execute(_NAMES, {"ids": wanted})
    else:
        return {}
    return {user_id: Named(user_id, name) for user_id, name in rows}


@dataclass(frozen=True)
class MemberRow:
    """A member as the members page lists them."""

    membership: Membership
    user: User
    organisation: NamedOrganisation | None


def members_query(
    session: Session, actor: User | None, community: Community
) -> Select[Membership, User]:
    """The SELECT behind members_of, for a caller that pages it in SQL (facilitators and admins).

    Ordered by name, then id, so that pages of people with the same name never overlap.
    """
    require_manager(session, actor, community)
    return (
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.community_id == community.id)
        .order_by(col(User.display_name), col(User.id))
    )


def member_rows(
    session: Session, community: Community, pairs: Iterable[tuple[Membership, User]]
) -> list[MemberRow]:
    """The (membership, user) pairs of members_query with their organisations."""
    organisations = organisations_of(session, community)
    return [MemberRow(m, u, organisations.get(m.organisation_id)) for m, u in pairs]


def members_of(session: Session, actor: User | None, community: Community) -> list[MemberRow]:
    """The community's members with roles and organisations (facilitators and admins)."""
    statement = members_query(session, actor, community)
    return member_rows(session, community, session.exec(statement).all())


def organisations_of(session: Session, community: Community) -> dict[int, NamedOrganisation]:
    """The community's organisations by id."""
    rows = session.execute(_ORGANISATIONS, {"community_id": community.id})
    return {org_id: NamedOrganisation(org_id, name) for org_id, name in rows}
