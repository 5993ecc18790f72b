"""Who may do what: the checks every service runs before it acts.

Authorisation lives here and in the services, never only in views, so no page or API
route can forget it. Private communities are invisible to outsiders: they get NotFound,
not Forbidden, so a community's existence does not leak.
"""

from __future__ import annotations

from sqlalchemy import and_, bindparam
from sqlmodel import Session, col, select

from .errors import Forbidden, NotAuthenticated, NotFound
from .models import Community, Membership, User
from .storage.remembered import remember, remembered
from .wording import _

# Every page asks this: the statement is built once, with the ids as parameters (building
# a statement and computing its cache key cost more than running it).
_MEMBERSHIP = select(Membership).where(
    Membership.community_id == bindparam("community_id"),
    Membership.user_id == bindparam("user_id"),
)


# The reader's membership of the community a larger read joins (outer join: None for an
# outsider or nobody signed in), with the reader's id as the parameter `user_id`.
READER_MEMBERSHIP = and_(
    col(Membership.community_id) == Community.id,
    col(Membership.user_id) == bindparam("user_id"),
)


def membership_of(session: Session, user: User | None, community: Community) -> Membership | None:
    """The user's membership of the community, if any."""
    if user is None or user.id is None:
        return None
    user_id = user.id

    def read() -> Membership | None:
        params = {"community_id": community.id, "user_id": user_id}
        return session.exec(_MEMBERSHIP, params=params).first()

    return remembered(session, ("membership", community.id, user_id), read)  # asked often


def remember_membership(
    session: Session, user_id: int, community_id: int, membership: Membership | None
) -> None:
    """Keep a membership (or its absence) read as part of a larger read, for the checks
    that ask `membership_of` in the same transaction."""
    remember(session, ("membership", community_id, user_id), membership)


def can_see(session: Session, user: User | None, community: Community) -> bool:
    """Public communities are readable by anyone; private ones by members and admins."""
    if not community.is_private or (user is not None and user.is_admin):
        return True
    return membership_of(session, user, community) is not None


def require_visible(session: Session, user: User | None, community: Community) -> None:
    """Refuse with NotFound when the community is private to this user."""
    if not can_see(session, user, community):
        raise NotFound()


def require_member(session: Session, user: User | None, community: Community) -> Membership:
    """The actor's membership; anonymous -> 401, outsider -> 404 (private) or 403 (public)."""
    if user is None:
        raise NotAuthenticated(_("Please sign in to take part."))
    require_visible(session, user, community)
    found = membership_of(session, user, community)
    if found is None:
        raise Forbidden(_("Only members of %(community)s can do that.", community=community.name))
    return found


def require_facilitator(session: Session, user: User | None, community: Community) -> Membership:
    """The actor's membership, which must carry the facilitator role."""
    found = require_member(session, user, community)
    if found.role != "facilitator":
        raise Forbidden(_("Only a facilitator of this community can do that."))
    return found


def require_manager(session: Session, user: User | None, community: Community) -> None:
    """Membership is managed by the community's facilitators and by instance administrators."""
    if user is not None and user.is_admin:
        return
    require_facilitator(session, user, community)


def require_admin(user: User | None) -> User:
    """An instance administrator (who alone creates communities)."""
    if user is None:
        raise NotAuthenticated(_("Please sign in."))
    if not user.is_admin:
        raise Forbidden(_("Only an administrator of this Accord instance can do that."))
    return user
