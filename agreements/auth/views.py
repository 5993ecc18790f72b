"""Pages for signing in and out, passwords, invitations and joining a community.

These are plain forms (no htmx). Each POST calls one use case; a refusal re-renders the
form with the message and the refusal's status. Messages never reveal whether an address
has an account.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from .. import services
from ..errors import DomainError, InvalidInput, NotAuthenticated
from ..models import Community, User
from ..saying import say
from ..security import form_tokens
from ..security.protections import (
    ACCOUNT_SIGN_IN_LIMIT,
    RESET_LIMIT,
    SIGN_IN_LIMIT,
    is_within_account_reset_limit,
    limiter,
    signing_in_account,
)
from ..services import accounts, invitations, queries
from ..storage.sessions import get_session
from ..wording import _
from .sessions import current_actor, end_session, refresh_stamp, start_session

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = _("That email address and password do not match an account.")
RESET_SENT = _(
    "If an account exists for that address, we sent a link to reset its password. "
    "It works once, within one hour."
)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a path on this site (no open redirect).

    A target that is the sign-in page itself (however deeply nested) collapses to the
    page it was meant to return to, so `next=` never grows with each visit; what is left
    must still be a local path, or the person goes home.
    """
    sign_in_path = url_for("auth.sign_in")
    while target and _is_local_path(target):
        parts = urlsplit(target)
        if parts.path != sign_in_path:
            return target
        target = parse_qs(parts.query).get("next", [""])[0]
    return url_for("web.index")


def _is_local_path(target: str) -> bool:
    """A path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc)


def form_page(template: str, error: DomainError | None = None, **context: Any) -> Response:
    """Render a form page; after a refusal, with its message and status."""
    status = error.status if error is not None else 200
    return make_response(render_template(template, error=error, **context), status)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
@limiter.limit(ACCOUNT_SIGN_IN_LIMIT, methods=["POST"], key_func=signing_in_account)
def sign_in() -> Response:
    """Sign in with email and password."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return form_page("auth/sign_in.html", next=target, email="")
    email = request.form.get("email", "")
    user = services.authenticate(get_session(), email=email, password=request.form.get("password"))
    if user is None:
        failed = NotAuthenticated(SIGN_IN_FAILED)
        return form_page("auth/sign_in.html", error=failed, next=target, email=email)
    start_session(user)
    return redirect(target, 303)


@bp.post("/sign-out")
def sign_out() -> Response:
    """Sign out here and end every other session of the account."""
    actor = current_actor()
    if actor is not None:
        accounts.end_sessions(get_session(), actor)
    end_session()
    flash(say(_("You are signed out.")), "success")
    return redirect(url_for("auth.sign_in"), 303)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response:
    """Change one's password (other sessions of the account end)."""
    if request.method == "GET":
        return form_page("auth/account.html")
    form = request.form
    try:
        if form.get("new_password") != form.get("confirm_password"):
            raise InvalidInput(_("The two new passwords are not the same."), "confirm_password")
        user = services.change_password(
            get_session(),
            current_actor(),
            current_password=form.get("current_password", ""),
            new_password=form.get("new_password", ""),
        )
    except DomainError as error:
        return form_page("auth/account.html", error=error)
    refresh_stamp(user)
    flash(
        say(
            _("Your password is changed. Other browsers signed in to your account are signed out.")
        ),
        "success",
    )
    return redirect(url_for("auth.account"), 303)


@bp.post("/account/preferences")
@login_required
def preferences() -> Response:
    """Choose the interface language (or the browser's) and the time zone of every date."""
    try:
        services.set_preferences(
            get_session(),
            current_actor(),
            language=request.form.get("language") or None,
            time_zone=request.form.get("time_zone", ""),
        )
    except DomainError as error:
        return form_page("auth/account.html", error=error)
    flash(say(_("Your language and time zone are saved.")), "success")
    return redirect(url_for("auth.account"), 303)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(RESET_LIMIT, methods=["POST"])
def forgot_password() -> Response:
    """Ask for a reset link; the answer is the same whether the address has an account."""
    if request.method == "GET":
        return form_page("auth/forgot_password.html")
    email = request.form.get("email", "")
    if is_within_account_reset_limit(email):
        services.request_password_reset(get_session(), None, email=email)
    flash(say(RESET_SENT), "info")
    return redirect(url_for("auth.sign_in"), 303)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(RESET_LIMIT, methods=["POST"])
def reset_password(token: str) -> Response:
    """Choose a new password from an emailed link (one hour, one use)."""
    session = get_session()
    if request.method == "GET":
        accounts.check_reset_token(session, token)
        return form_page("auth/reset_password.html", token=token)
    form = request.form
    try:
        if form.get("new_password") != form.get("confirm_password"):
            raise InvalidInput(_("The two passwords are not the same."), "confirm_password")
        services.reset_password(
            session, None, token=token, new_password=form.get("new_password", "")
        )
    except DomainError as error:
        return form_page("auth/reset_password.html", error=error, token=token)
    flash(say(_("Your password is changed. Please sign in with it.")), "success")
    return redirect(url_for("auth.sign_in"), 303)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Response:
    """Accept an invitation: join, creating an account if the address has none."""
    session, actor = get_session(), current_actor()
    invitation = invitations.pending_invitation(session, token)
    community = session.get(Community, invitation.community_id)
    assert community is not None
    has_account = (
        actor is None and invitations.account_for_invitation(session, invitation) is not None
    )
    context = {"invitation": invitation, "community": community, "has_account": has_account}
    if request.method == "GET":
        return form_page("auth/accept_invitation.html", token=token, **context)
    try:
        membership = services.accept_invitation(
            session,
            actor,
            token=token,
            display_name=request.form.get("display_name"),
            password=request.form.get("password"),
        )
    except DomainError as error:
        return form_page("auth/accept_invitation.html", error=error, token=token, **context)
    new_account = actor is None and not has_account
    return _joined(community, membership.user_id, new_account=new_account)


def _joined(community: Community, user_id: int, *, new_account: bool) -> Response:
    """After joining: a new account is signed in; an existing one signs in if it is not."""
    destination = url_for("web.community", slug=community.slug)
    flash(say(_("Welcome to %(name)s.", name=community.name)), "success")
    if new_account:
        user = get_session().get(User, user_id)
        assert user is not None
        start_session(user)
    elif current_actor() is None:
        return redirect(url_for("auth.sign_in", next=destination), 303)
    return redirect(destination, 303)


@bp.route("/c/<slug>/invite", methods=["GET", "POST"])
def invite(slug: str) -> Response:
    """A facilitator invites someone by email to join with a role."""
    session, actor = get_session(), current_actor()
    community = queries.community_by_slug(session, actor, slug)
    invitations.require_manager(session, actor, community)
    if request.method == "GET":
        return form_page("auth/invite.html", community=community, form={})
    form = request.form
    submission = form_tokens.claim()  # a double click sends one invitation
    if submission.replay_to is not None:
        flash(say(form_tokens.ALREADY_SAVED), "success")
        return redirect(submission.replay_to, 303)
    try:
        issued = services.invite_member(
            session,
            actor,
            community_id=community.id,
            email=form.get("email", ""),
            role=form.get("role", "member"),
            organisation=form.get("organisation") or None,
        )
    except DomainError as error:
        form_tokens.refused(submission)
        return form_page("auth/invite.html", error=error, community=community, form=form)
    flash(
        say(
            _(
                "Invitation sent to %(email)s; it works once, for seven days.",
                email=issued.invitation.email,
            )
        ),
        "success",
    )
    location = url_for("auth.invite", slug=slug)
    form_tokens.saved(submission, location)
    return redirect(location, 303)


@bp.route("/c/<slug>/join", methods=["GET", "POST"])
def join(slug: str) -> Response:
    """Join a community that allows self-registration (registering an account if needed)."""
    session, actor = get_session(), current_actor()
    community = queries.community_by_slug(session, actor, slug)
    if request.method == "GET":
        return form_page("auth/join.html", community=community, form={})
    form = request.form
    try:
        membership = services.join_community(
            session,
            actor,
            community_id=community.id,
            email=form.get("email"),
            display_name=form.get("display_name"),
            password=form.get("password"),
        )
    except DomainError as error:
        return form_page("auth/join.html", error=error, community=community, form=form)
    return _joined(community, membership.user_id, new_account=actor is None)
