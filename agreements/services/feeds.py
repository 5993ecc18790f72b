"""Personal feed addresses: an Atom feed of decisions and rounds and a calendar of deadlines.

A feed reader or calendar app cannot sign in, so each person gets, per community, one
secret address that works without a session. It is read-only and shows only what its person
may see at the moment it is read (losing access to the community ends it). Making a new
address ends the old one; revoking ends it without a new one. Both are recorded on the
person's account, like API tokens (no community history shows them).
"""

from __future__ import annotations

import secrets

from sqlmodel import Session, col, select

from .. import audit
from ..access import can_see, require_visible
from ..errors import NotAuthenticated, NotFound
from ..models import Community, FeedToken, User, utcnow
from ..wording import _
from ._unit import get_or_404, use_case


def _active(session: Session, user_id: int | None, community_id: int | None) -> FeedToken | None:
    return session.exec(
        select(FeedToken).where(
            FeedToken.user_id == user_id,
            FeedToken.community_id == community_id,
            col(FeedToken.revoked_at).is_(None),
        )
    ).first()


def _subject(token: FeedToken) -> audit.Subject:
    return audit.Subject("feed", token.id)


def _community_for(session: Session, actor: User | None, community_id: int) -> Community:
    if actor is None:
        raise NotAuthenticated(_("Please sign in to make a feed address."))
    community = get_or_404(session, Community, community_id)
    require_visible(session, actor, community)
    return community


@use_case
def create_feed(session: Session, actor: User | None, *, community_id: int) -> FeedToken:
    """A person who can read the community gets a new secret feed address (the old one ends)."""
    community = _community_for(session, actor, community_id)
    old = _active(session, actor.id if actor else None, community.id)
    if old is not None:
        old.revoked_at = utcnow()
        session.add(old)
    token = FeedToken(
        user_id=actor.id,  # type: ignore[union-attr,arg-type]
        community_id=community.id,  # type: ignore[arg-type]
        secret=secrets.token_urlsafe(32),
    )
    session.add(token)
    session.flush()
    audit.record(session, actor, "feed.created", _subject(token), {"replaced": old is not None})
    return token


@use_case
def revoke_feed(session: Session, actor: User | None, *, community_id: int) -> FeedToken:
    """The person ends their feed address for the community; it answers 404 from now on."""
    community = _community_for(session, actor, community_id)
    token = _active(session, actor.id if actor else None, community.id)
    if token is None:
        raise NotFound(_("You have no feed address for this community."))
    token.revoked_at = utcnow()
    session.add(token)
    audit.record(session, actor, "feed.revoked", _subject(token))
    return token


def feed_of(session: Session, actor: User | None, community: Community) -> FeedToken | None:
    """The person's active feed address for the community (for the page to show), or None."""
    return _active(session, actor.id, community.id) if actor is not None else None


def reader_of(session: Session, secret: str) -> tuple[User, Community]:
    """Who reads a feed address, and which community: NotFound for an unknown or revoked
    address, an inactive account, or a community the person may no longer see."""
    token = session.exec(
        select(FeedToken).where(FeedToken.secret == secret, col(FeedToken.revoked_at).is_(None))
    ).first()
    user = session.get(User, token.user_id) if token is not None else None
    community = session.get(Community, token.community_id) if token is not None else None
    if (
        user is None
        or community is None
        or not user.is_active
        or not can_see(session, user, community)
    ):
        raise NotFound(_("There is no such feed."))
    return user, community
