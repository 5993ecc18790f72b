"""People as pages name them: users by id, a community's members and its organisations.

Pages show who wrote, objected or adopted something; these queries read those people in
one statement per page instead of one per name. The members list is a facilitator's view
(it shows roles and organisations), so it checks that role itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from ...access import require_facilitator
from ...models import Community, Membership, Organisation, User
from ._rows import by_id


def people(session: Session, ids: set[int | None]) -> dict[int, User]:
    """Users by id, for showing names next to what they wrote."""
    wanted = {user_id for user_id in ids if user_id is not None}
    if not wanted:
        return {}
    return by_id(session.exec(select(User).where(col(User.id).in_(wanted))))


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
    return [MemberRow(m, u, organisations.get(m.organisation_id)) for m, u in rows]


def organisations_of(session: Session, community: Community) -> dict[int, Organisation]:
    """The community's organisations by id."""
    return by_id(
        session.exec(select(Organisation).where(Organisation.community_id == community.id))
    )
