"""A person's notifications and how they want to hear from each community.

Reading a notification and choosing a delivery are personal settings, not decisions of
the community: they write no audit event and are not registered use cases, but each is
still one transaction that commits on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import available_timezones

from sqlalchemy import bindparam, func, update
from sqlmodel import Session, col, select

from ..access import require_admin, require_member
from ..errors import InvalidInput, NotAuthenticated, NotFound
from ..limits import choice
from ..models import (
    DELIVERIES,
    Community,
    Membership,
    Notification,
    NotificationPreference,
    OutboxMail,
    User,
    utcnow,
)
from ..wording import _
from ._unit import get_or_404
from .outbox import preference
from .queries.mail import OutboxStatus, outbox_status, sent_mails

PAGE_SIZE = 50


def _signed_in(actor: User | None) -> User:
    if actor is None:
        raise NotAuthenticated(_("Please sign in to see your notifications."))
    return actor


# The badge counts up to this many ("99+" beyond): every signed-in page shows it, so its cost
# must not grow with a backlog of a thousand unread notifications.
UNREAD_COUNTED = 100

# Built once, with the person as a parameter (building a statement and computing its cache
# key cost more than running it).
_UNREAD = select(func.count()).select_from(
    select(col(Notification.id))
    .where(Notification.recipient_id == bindparam("recipient_id"))
    .where(col(Notification.read_at).is_(None))
    .limit(UNREAD_COUNTED)
    .subquery()
)


def unread_count(session: Session, actor: User | None) -> int:
    """How many notifications the person has not read (the header's badge), counted up to
    UNREAD_COUNTED."""
    if actor is None or actor.id is None:
        return 0
    return session.exec(_UNREAD, params={"recipient_id": actor.id}).one()


def notifications_of(session: Session, actor: User | None) -> Sequence[Notification]:
    """The person's newest notifications first."""
    user = _signed_in(actor)
    return session.exec(
        select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(col(Notification.id).desc())
        .limit(PAGE_SIZE)
    ).all()


def mark_read(session: Session, actor: User | None, *, notification_id: int | None = None) -> int:
    """Mark one notification (or, without an id, all of them) read; returns how many."""
    user = _signed_in(actor)
    statement = update(Notification).where(
        col(Notification.recipient_id) == user.id, col(Notification.read_at).is_(None)
    )
    if notification_id is not None:
        own = session.get(Notification, notification_id)
        if own is None or own.recipient_id != user.id:
            raise NotFound()
        statement = statement.where(col(Notification.id) == notification_id)
    changed = session.execute(statement.values(read_at=utcnow())).rowcount  # type: ignore[attr-defined]
    session.commit()
    return int(changed or 0)


@dataclass(frozen=True)
class Preferences:
    """A person's delivery for one community, as the preferences page shows it."""

    community: Community
    preference: NotificationPreference


def preferences_for(session: Session, actor: User | None, *, community_id: int) -> Preferences:
    """The member's current choice for the community (the default if never chosen, its
    digest in the time zone of the person's own settings)."""
    community = get_or_404(session, Community, community_id)
    require_member(session, actor, community)
    current = preference(session, actor.id, community.id)  # type: ignore[union-attr,arg-type]
    if current.id is None and actor is not None:
        current.time_zone = actor.time_zone
    return Preferences(community, current)


def set_delivery(
    session: Session,
    actor: User | None,
    *,
    community_id: int,
    delivery: str,
    digest_hour: int = 8,
    time_zone: str = "UTC",
) -> NotificationPreference:
    """A member chooses each notification, a daily digest at an hour of their day, or none."""
    current = preferences_for(session, actor, community_id=community_id).preference
    delivery = choice(delivery, DELIVERIES, field="delivery")
    if delivery == "digest" and current.delivery != "digest":
        current.last_digest_at = utcnow()  # the first digest comes at the next chosen hour
    current.delivery = delivery
    if not 0 <= digest_hour <= 23:
        raise InvalidInput(_("The digest hour is between 0 and 23."), "digest_hour")
    if time_zone not in available_timezones():
        raise InvalidInput(_("Choose a time zone such as Europe/Brussels."), "time_zone")
    current.digest_hour, current.time_zone = digest_hour, time_zone
    session.add(current)
    session.commit()
    return current


def unsubscribe(session: Session, *, user_id: int, community_id: int) -> NotificationPreference:
    """Stop every email from the community (an unsubscribe link's signed token names whom)."""
    unsubscribe_target(session, user_id=user_id, community_id=community_id)
    current = preference(session, user_id, community_id)
    current.delivery = "none"
    session.add(current)
    session.commit()
    return current


def member_communities(session: Session, actor: User | None) -> Sequence[Community]:
    """The communities the person belongs to (each has its own preferences)."""
    user = _signed_in(actor)
    return session.exec(
        select(Community)
        .join(Membership, col(Membership.community_id) == Community.id)
        .where(Membership.user_id == user.id)
        .order_by(col(Community.name))
    ).all()


def unsubscribe_target(session: Session, *, user_id: int, community_id: int) -> Community:
    """The community an unsubscribe link stops mail from (NotFound for a stale link)."""
    community = session.get(Community, community_id)
    if community is None or session.get(User, user_id) is None:
        raise NotFound(_("This unsubscribe link is not valid any more."))
    return community


@dataclass(frozen=True)
class MailOverview:
    """The administrator's mail page: the worker's health and the mails members received."""

    status: OutboxStatus
    sent: Sequence[OutboxMail]


def mail_overview(session: Session, actor: User | None) -> MailOverview:
    """What the outbox holds and sent; instance administrators only."""
    require_admin(actor)
    return MailOverview(outbox_status(session), sent_mails(session))


def retry_failed_mails(session: Session, actor: User | None) -> int:
    """Give every failed mail a fresh set of tries (once the mail server is fixed); returns
    how many. Instance administrators only."""
    require_admin(actor)
    changed = session.execute(
        update(OutboxMail)
        .where(col(OutboxMail.status) == "failed")
        .values(status="pending", attempts=0, next_attempt_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    session.commit()
    return int(changed or 0)
