"""A person's notifications, their delivery preferences, the links in emails (one-click
unsubscribe, one-step answers), and the administrator's mail page.

The unsubscribe address is the one route that answers a POST without a session and
without a CSRF token: RFC 8058 mail programs POST `List-Unsubscribe=One-Click` to it
directly. Its signed token can do one thing only: stop one person's mail from one community.

A notification is said in the language of whoever reads the list (it was kept as what it
means when its event happened: agreements.stored_wording).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from flask import make_response, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from .. import services
from ..auth import current_actor
from ..delivery.links import read_answer_token, read_unsubscribe_token
from ..errors import NotFound
from ..models import Notification
from ..saying import say_kept
from ..security.protections import csrf
from ..services import answer_links, notifications, queries
from ..services.answer_links import AnswerTarget
from ..storage.sessions import get_session
from ..wording import _, n_
from . import forms
from .blueprint import bp
from .responses import perform, render


class UnreadBadge(NamedTuple):
    """The header's unread count, and how the badge shows it ("99+" past what is counted)."""

    number: int
    shown: str


@bp.app_template_global("unread_notifications")
def unread_notifications() -> UnreadBadge:
    """The header's unread count (base.html calls it for signed-in people only).

    An error page must still render when the database is what failed: then no badge."""
    count = 0
    if current_user.is_authenticated:
        with suppress(SQLAlchemyError):
            count = notifications.unread_count(get_session(), current_actor())
    if count >= notifications.UNREAD_COUNTED:
        return UnreadBadge(count, f"{notifications.UNREAD_COUNTED - 1}+")
    return UnreadBadge(count, str(count))


@dataclass(frozen=True)
class ShownNotification:
    """A notification as its reader sees it: its text in their language."""

    id: int | None
    proposal_id: int | None
    created_at: datetime
    read_at: datetime | None
    text: str

    @classmethod
    def of(cls, notice: Notification) -> ShownNotification:
        """Say the notification's kept text in the current language."""
        text = say_kept(notice.text)
        return cls(notice.id, notice.proposal_id, notice.created_at, notice.read_at, text)


def _notifications_page(**extra: object) -> Response:
    session, actor = get_session(), current_actor()
    return render(
        "notifications.html",
        "partials/notifications.html",
        notices=[
            ShownNotification.of(notice)
            for notice in notifications.notifications_of(session, actor)
        ],
        communities=notifications.member_communities(session, actor),
        **extra,
    )


@bp.get("/notifications", endpoint="notifications")
def notifications_page() -> Response:
    """Newest first, each with its link; mark one or all read."""
    return _notifications_page()


@bp.post("/notifications/read")
def read_all_notifications() -> Response:
    """Mark every notification read."""
    return perform(
        lambda: notifications.mark_read(get_session(), current_actor()),
        success=_("All your notifications are marked read."),
        location=url_for("web.notifications"),
        show=_notifications_page,
    )


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int) -> Response:
    """Mark one notification read."""
    return perform(
        lambda: notifications.mark_read(
            get_session(), current_actor(), notification_id=notification_id
        ),
        success=_("Marked read."),
        location=url_for("web.notifications"),
        show=_notifications_page,
    )


def _preferences_page(slug: str, **extra: object) -> Response:
    session, actor = get_session(), current_actor()
    community = queries.community_by_slug(session, actor, slug)
    return render(
        "notification_preferences.html",
        "partials/notification_preferences.html",
        prefs=notifications.preferences_for(session, actor, community_id=community.id),
        **extra,
    )


@bp.get("/c/<slug>/notifications")
def notification_preferences(slug: str) -> Response:
    """How this member hears from the community: each notification, a digest, or none."""
    return _preferences_page(slug)


@bp.post("/c/<slug>/notifications")
def save_notification_preferences(slug: str) -> Response:
    """Save the member's choice for this community."""
    session, actor = get_session(), current_actor()
    community = queries.community_by_slug(session, actor, slug)
    form = request.form
    return perform(
        lambda: notifications.set_delivery(
            session,
            actor,
            community_id=community.id,
            delivery=forms.text(form, "delivery"),
            digest_hour=forms.whole_number(form.get("digest_hour", "8"), "digest_hour", _("Hour")),
            time_zone=forms.text(form, "time_zone") or "UTC",
        ),
        success=_("Your choice is saved."),
        location=url_for("web.notification_preferences", slug=slug),
        show=lambda **extra: _preferences_page(slug, **extra),
    )


def _unsubscribe_target(token: str) -> tuple[int, int]:
    found = read_unsubscribe_token(token)
    if found is None:
        raise NotFound(_("This unsubscribe link is not valid."))
    return found


@bp.get("/unsubscribe/<token>")
def unsubscribe(token: str) -> Response:
    """Ask before stopping anything (link checkers and previews open links too)."""
    user_id, community_id = _unsubscribe_target(token)
    community = notifications.unsubscribe_target(
        get_session(), user_id=user_id, community_id=community_id
    )
    return render("unsubscribe.html", "unsubscribe.html", community=community, done=False)


@bp.post("/unsubscribe/<token>")
@csrf.exempt
def confirm_unsubscribe(token: str) -> Response:
    """Stop every email from the community to this person (no session needed)."""
    user_id, community_id = _unsubscribe_target(token)
    session = get_session()
    notifications.unsubscribe(session, user_id=user_id, community_id=community_id)
    community = notifications.unsubscribe_target(
        session, user_id=user_id, community_id=community_id
    )
    return render("unsubscribe.html", "unsubscribe.html", community=community, done=True)


def _admin_mail_page(**extra: object) -> Response:
    overview = notifications.mail_overview(get_session(), current_actor())
    return render("admin_mail.html", "admin_mail.html", overview=overview, **extra)


@bp.get("/admin/mail")
def admin_mail() -> Response:
    """The worker's health, pending and failed mails, and what members were sent."""
    return _admin_mail_page()


@bp.post("/admin/mail/retry")
def retry_failed_mails() -> Response:
    """Send the failed mails again (after fixing the mail server)."""
    return perform(
        lambda: notifications.retry_failed_mails(get_session(), current_actor()),
        success=lambda count: n_(
            "%(num)s mail will be tried again on the worker's next pass.",
            "%(num)s mails will be tried again on the worker's next pass.",
            count,
        ),
        location=url_for("web.admin_mail"),
        show=_admin_mail_page,
    )


def _answer_target(token: str) -> AnswerTarget:
    link = read_answer_token(token)
    if link is None:
        raise NotFound(_("This answer link is not valid."))
    return answer_links.answer_target(
        get_session(),
        user_id=link.user_id,
        round_id=link.round_id,
        text_sha256=link.text_sha256,
        position=link.position,
    )


@bp.get("/answer/<token>")
def answer(token: str) -> Response:
    """Show the text an emailed answer link would consent to (or stand aside from)."""
    target = _answer_target(token)
    return render("answer.html", "answer.html", target=target, done=False)


@bp.post("/answer/<token>")
def confirm_answer(token: str) -> Response:
    """Record the answer as the person the link was sent to, on that round and text only."""
    target = _answer_target(token)
    services.register_stance(
        get_session(),
        target.user,
        proposal_id=target.proposal.id,
        position=target.position,
        round_id=target.round.id,
        text_sha256=target.revision.text_sha256,
    )
    return render("answer.html", "answer.html", target=target, done=True)


@bp.get("/notifications/unread")
def unread_badge() -> Response:
    """The header's unread count alone, for htmx to refresh while a page stays open."""
    response = make_response(render_template("partials/_unread.html"))
    response.headers["Cache-Control"] = "no-store"
    return response
