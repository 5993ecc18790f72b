"""Joining a community: by a facilitator's invitation, or on one's own where it is allowed.

An invitation is a random, single-use link that expires after seven days; only its sha256
is stored with the invitation. The mail carrying the link waits in the outbox until the
worker sends it (with an SMTP server, the sent copy drops the link). Whoever holds the link
proves they read the invited mailbox, so accepting it either joins the account that already
has that address, joins the signed-in person, or creates a new account with the name and
password they choose. Nobody can register on their own unless the community turned
self-registration on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from .. import audit
from ..access import membership_of, require_facilitator, require_visible
from ..errors import Forbidden, NotFound, Refused
from ..limits import choice
from ..models import ROLES, Community, Invitation, Membership, User, utcnow
from ..security import account_tokens
from ..wording import _
from ._unit import get_or_404, use_case
from .accounts import clean_email, new_user
from .communities import organisation_named
from .outbox import queue_mail

INVITATION_DAYS = 7
INVALID_INVITATION = _("This invitation link is not valid. Ask a facilitator for a new one.")


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation and its token (the invitation row keeps only the token's hash)."""

    invitation: Invitation
    token: str


def require_manager(session: Session, actor: User | None, community: Community) -> None:
    """Facilitators of the community, and instance administrators, manage its membership."""
    if actor is not None and actor.is_admin:
        return
    require_facilitator(session, actor, community)


def _membership_subject(community: Community, membership: Membership) -> audit.Subject:
    return audit.Subject("membership", membership.id, community_id=community.id)


def _joined(
    session: Session, user: User, community: Community, membership: Membership, **how: object
) -> Membership:
    """Save a new membership and record how the person joined (one event)."""
    session.flush()
    audit.record(
        session,
        user,
        "member.joined",
        _membership_subject(community, membership),
        {"user_id": user.id, "role": membership.role, **how},
    )
    return membership


@use_case
def invite_member(
    session: Session,
    actor: User | None,
    *,
    community_id: int,
    email: str,
    role: str = "member",
    organisation: str | None = None,
) -> IssuedInvitation:
    """A facilitator invites someone by email; earlier pending invitations to them lapse."""
    community = get_or_404(session, Community, community_id)
    require_manager(session, actor, community)
    address = clean_email(email)
    role = choice(role, ROLES, field="role")
    existing = session.exec(select(User).where(User.email == address)).first()
    if existing is not None and membership_of(session, existing, community) is not None:
        raise Refused(
            _(
                "%(person)s is already a member of %(community)s.",
                person=address,
                community=community.name,
            )
        )
    now = utcnow()
    pending = session.exec(
        select(Invitation).where(
            Invitation.community_id == community.id,
            Invitation.email == address,
            col(Invitation.accepted_at).is_(None),
            col(Invitation.expires_at) > now,
        )
    ).all()
    for earlier in pending:
        earlier.expires_at = now
        session.add(earlier)
    token, token_hash = account_tokens.new_invitation_token()
    invitation = Invitation(
        community_id=community.id,  # type: ignore[arg-type]
        email=address,
        role=role,
        organisation_id=organisation_named(session, community, organisation),
        token_hash=token_hash,
        invited_by_id=actor.id,  # type: ignore[union-attr]
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        actor,
        "member.invited",
        audit.Subject("invitation", invitation.id, community_id=community.id),
        {"role": role, "organisation": organisation or None, "replaces": len(pending)},
    )
    queue_mail(
        session,
        None,
        kind="invitation",
        to_address=address,
        community_id=community.id,
        context={"token": token, "inviter": actor.display_name},  # type: ignore[union-attr]
    )
    return IssuedInvitation(invitation, token)


def pending_invitation(session: Session, token: str) -> Invitation:
    """The invitation behind a link; refuses unknown, used and expired links."""
    invitation = session.exec(
        select(Invitation).where(
            Invitation.token_hash == account_tokens.invitation_token_hash(token or "")
        )
    ).first()
    if invitation is None:
        raise NotFound(INVALID_INVITATION)
    if invitation.accepted_at is not None:
        raise Refused(_("This invitation has already been used. Sign in, or ask for a new one."))
    if invitation.expires_at <= utcnow():
        raise Refused(_("This invitation has expired. Ask a facilitator for a new one."))
    return invitation


def account_for_invitation(session: Session, invitation: Invitation) -> User | None:
    """The existing account with the invited address, if there is one."""
    return session.exec(select(User).where(User.email == invitation.email)).first()


@use_case
def accept_invitation(
    session: Session,
    actor: User | None,
    *,
    token: str,
    display_name: str | None = None,
    password: str | None = None,
) -> Membership:
    """Join the community with the invited role and organisation (once, before expiry).

    The signed-in person joins as themselves; otherwise the account with the invited
    address joins, or a new account is made with the chosen name and password.
    """
    invitation = pending_invitation(session, token)
    community = session.get(Community, invitation.community_id)
    assert community is not None
    user = actor or account_for_invitation(session, invitation)
    created = user is None
    if user is None:
        user = new_user(
            session,
            email=invitation.email,
            display_name=display_name or "",
            password=password or "",
        )
    if membership_of(session, user, community) is not None:
        raise Refused(_("You are already a member of %(community)s.", community=community.name))
    membership = Membership(
        community_id=community.id,  # type: ignore[arg-type]
        user_id=user.id,  # type: ignore[arg-type]
        role=invitation.role,
        organisation_id=invitation.organisation_id,
    )
    invitation.accepted_at = utcnow()
    session.add_all([membership, invitation])
    return _joined(
        session, user, community, membership,
        via="invitation", invitation_id=invitation.id, account_created=created,
    )  # fmt: skip


@use_case
def join_community(
    session: Session,
    actor: User | None,
    *,
    community_id: int,
    email: str | None = None,
    display_name: str | None = None,
    password: str | None = None,
) -> Membership:
    """Join as a member where the community allows self-registration.

    A signed-in person joins as themselves; a visitor registers an account at the same
    time. Everywhere else people join by invitation only.
    """
    community = get_or_404(session, Community, community_id)
    if not community.allow_self_registration:
        require_visible(session, actor, community)
        raise Forbidden(
            _("%(community)s welcomes new members by invitation only.", community=community.name)
        )
    created = actor is None
    user = actor or new_user(
        session, email=email or "", display_name=display_name or "", password=password or ""
    )
    if membership_of(session, user, community) is not None:
        raise Refused(_("You are already a member of %(community)s.", community=community.name))
    membership = Membership(community_id=community.id, user_id=user.id, role="member")  # type: ignore[arg-type]
    session.add(membership)
    return _joined(
        session, user, community, membership, via="self_registration", account_created=created
    )
