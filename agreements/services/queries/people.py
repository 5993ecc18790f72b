"""People as pages name them: users by id, a community's members and its organisations.

Pages show who wrote, objected or adopted something; these queries read those people in
one statement per page instead of one per name. The members list is a facilitator's view
(it shows roles and organisations), so it checks that role itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import bindparam
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from ...access import require_manager
from ...models import Community, Membership, Organisation, User
from ._rows import by_id

# Pages name people on every view: these statements are built once, with their values as
# parameters (building a statement and computing its cache key cost more than running it).
_NAMES = select(User.id, User.display_name).where(
    col(User.id).in_(bindparam("ids", expanding=True))
)
_ORGANISATIONS = select(Organisation).where(Organisation.community_id == bindparam("community_id"))


class Named(NamedTuple):
    """A person as pages name them (their whole account is more than a name needs)."""

    id: int
    display_name: str


def people(session: Session, ids: set[int | None]) -> dict[int, Named]:
    """People by id, for showing names next to what they wrote."""
    wanted = sorted(user_id for user_id in ids if user_id is not None)
    if not wanted:
        return {}
    rows = session.execute(_NAMES, {"ids": wanted})
    return {user_id: Named(user_id, name) for user_id, name in rows}


@dataclass(frozen=True)
class MemberRow:
    """A member as the members page lists them."""

    membership: Membership
    user: User
    organisation: Organisation | None


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


def organisations_of(session: Session, community: Community) -> dict[int, Organisation]:
    """The community's organisations by id."""
    return by_id(session.exec(_ORGANISATIONS, params={"community_id": community.id}))
