"""Communities, their members and their audit trail, and who the caller is."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session, col

from ... import services
from ...errors import NotAuthenticated
from ...models import Community, User
from ...services import queries
from ...wording import _
from .. import bodies, schemas
from ..operations import operation
from ..paging import events_page, fetch_page, paged
from ..presenters import community_out, member_out

TAG = "Communities"
Result = TypeVar("Result")


def on_community(
    session: Session,
    actor: User | None,
    slug: str,
    use_case: Callable[..., Result],
    **fields: object,
) -> tuple[Community, Result]:
    """Run a community-scoped use case on the community at /communities/{slug}.

    The community is read through the visibility rule first, so a private one answers 404
    to an outsider before the use case can answer 403.
    """
    community = queries.community_by_slug(session, actor, slug)
    return community, use_case(session, actor, community_id=community.id, **fields)


@operation(
    "get",
    "/me",
    summary="Who the token belongs to",
    tag="Account",
    response=schemas.Me,
    needs_token=True,
)
def get_me(session: Session, actor: User | None) -> schemas.Me:
    """Check a token: answers the person it acts for."""
    if actor is None:  # needs_token guarantees one; kept for the type checker
        raise NotAuthenticated(_("Please sign in."))
    return schemas.Me.model_validate(actor)


@operation(
    "get",
    "/communities",
    summary="List communities",
    tag=TAG,
    response=schemas.Page[schemas.Community],
    query=bodies.PageQuery,
)
def list_communities(
    session: Session, actor: User | None, *, query: bodies.PageQuery
) -> schemas.Page[schemas.Community]:
    """Public communities, the caller's own, and all of them for administrators."""
    return paged(schemas.Community, queries.visible_communities(session, actor), query)


@operation(
    "post",
    "/communities",
    summary="Create a community",
    tag=TAG,
    body=bodies.CommunityCreate,
    response=schemas.CommunityDetail,
)
def create_community(
    session: Session, actor: User | None, *, body: bodies.CommunityCreate
) -> schemas.CommunityDetail:
    """Administrators only; the creator becomes its first facilitator."""
    community = services.create_community(session, actor, **body.model_dump())
    return community_out(session, actor, community)


@operation(
    "get",
    "/communities/{slug}",
    summary="Read a community",
    tag=TAG,
    response=schemas.CommunityDetail,
)
def get_community(session: Session, actor: User | None, *, slug: str) -> schemas.CommunityDetail:
    """A community's settings and the caller's role in it."""
    return community_out(session, actor, queries.community_by_slug(session, actor, slug))


@operation(
    "put",
    "/communities/{slug}/settings",
    summary="Change a community's settings",
    tag=TAG,
    body=bodies.CommunitySettings,
    response=schemas.CommunityDetail,
)
def update_settings(
    session: Session, actor: User | None, *, slug: str, body: bodies.CommunitySettings
) -> schemas.CommunityDetail:
    """Facilitators only; proposals under way keep the protocol they started with."""
    _before, community = on_community(
        session, actor, slug, services.update_community_settings, **body.model_dump()
    )
    return community_out(session, actor, community)


def _member(
    session: Session, actor: User | None, community: Community, user_id: int
) -> schemas.Member:
    statement = queries.members_query(session, actor, community).where(col(User.id) == user_id)
    (row,) = queries.member_rows(session, community, session.exec(statement).all())
    return schemas.Member.model_validate(member_out(row))


@operation(
    "get",
    "/communities/{slug}/members",
    summary="List members",
    tag=TAG,
    response=schemas.Page[schemas.Member],
    query=bodies.PageQuery,
    needs_token=True,
)
def list_members(
    session: Session, actor: User | None, *, slug: str, query: bodies.PageQuery
) -> schemas.Page[schemas.Member]:
    """Facilitators only, as on the members page."""
    community = queries.community_by_slug(session, actor, slug)
    pairs, total = fetch_page(session, queries.members_query(session, actor, community), query)
    rows = queries.member_rows(session, community, pairs)
    return paged(schemas.Member, rows, query, total=total, convert=member_out)


@operation(
    "post",
    "/communities/{slug}/members",
    summary="Add a member",
    tag=TAG,
    body=bodies.MemberAdd,
    response=schemas.Member,
)
def add_member(
    session: Session, actor: User | None, *, slug: str, body: bodies.MemberAdd
) -> schemas.Member:
    """A facilitator adds an existing account, with a role and an organisation."""
    community, _membership = on_community(
        session, actor, slug, services.add_member, **body.model_dump()
    )
    return _member(session, actor, community, body.user_id)


@operation(
    "patch",
    "/communities/{slug}/members/{user_id}",
    summary="Change a member's role",
    tag=TAG,
    body=bodies.MemberChange,
    response=schemas.Member,
)
def change_member(
    session: Session, actor: User | None, *, slug: str, user_id: int, body: bodies.MemberChange
) -> schemas.Member:
    """A facilitator changes a role or organisation; the last facilitator stays one."""
    community, _membership = on_community(
        session, actor, slug, services.change_member, user_id=user_id, **body.model_dump()
    )
    return _member(session, actor, community, user_id)


@operation(
    "get",
    "/communities/{slug}/events",
    summary="A community's audit events",
    tag="Audit",
    response=schemas.Page[schemas.AuditEvent],
    query=bodies.PageQuery,
)
def list_community_events(
    session: Session, actor: User | None, *, slug: str, query: bodies.PageQuery
) -> schemas.Page[schemas.AuditEvent]:
    """Every recorded action in the community, oldest first, with the hash chain fields."""
    return events_page(session, queries.community_by_slug(session, actor, slug), query)
