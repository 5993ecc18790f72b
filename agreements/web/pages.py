"""Home, community home and the members page (roles, organisations, invitations)."""

from __future__ import annotations

from flask import request, url_for
from werkzeug.wrappers import Response

from .. import services
from ..auth import current_actor
from ..models import ROLES
from ..services import queries
from ..storage.sessions import get_session
from ..wording import _
from . import forms
from .blueprint import bp
from .responses import perform, render


@bp.get("/")
def index() -> Response:
    """The communities this person can read; signed out, first what Accord is and how to try
    it (the welcome is part of the page only, so a swap of the list keeps its place)."""
    communities = queries.visible_communities(get_session(), current_actor())
    return render("index.html", "partials/index.html", communities=communities)


def community_page(slug: str, **extra: object) -> Response:
    """The community page (or its partial); its feeds panel posts back to it (feeds.py)."""
    session, actor = get_session(), current_actor()
    community = queries.community_by_slug(session, actor, slug)
    agreements = queries.agreements_of(session, community)
    return render(
        "community.html",
        "partials/community.html",
        community=community,
        agreements=agreements,
        open_proposals={
            agreement.id: queries.proposals_of(session, agreement, open_only=True)
            for agreement in agreements
        },
        needs=queries.needs_me(session, actor, community),
        decisions=queries.recent_decisions(session, community),
        can=queries.abilities(session, actor, community),
        feed=services.feed_of(session, actor, community),
        **extra,
    )


@bp.get("/c/<slug>")
def community(slug: str) -> Response:
    """A community's agreements, what needs me, and recent decisions."""
    return community_page(slug)


def _members_page(slug: str, **extra: object) -> Response:
    session, actor = get_session(), current_actor()
    community = queries.community_by_slug(session, actor, slug)
    return render(
        "members.html",
        "partials/members.html",
        community=community,
        members=queries.members_of(session, actor, community),
        roles=ROLES,
        can=queries.abilities(session, actor, community),
        **extra,
    )


@bp.get("/c/<slug>/members")
def members(slug: str) -> Response:
    """Members, roles and organisations (facilitators only)."""
    return _members_page(slug)


@bp.post("/c/<slug>/members/<int:user_id>")
def change_member(slug: str, user_id: int) -> Response:
    """A facilitator changes a member's role or organisation."""
    session, actor = get_session(), current_actor()
    community = queries.community_by_slug(session, actor, slug)
    form = request.form
    return perform(
        lambda: services.change_member(
            session,
            actor,
            community_id=community.id,
            user_id=user_id,
            role=forms.text(form, "role"),
            organisation=forms.optional_text(form, "organisation"),
        ),
        success=_("The membership is updated."),
        location=url_for("web.members", slug=slug),
        show=lambda **extra: _members_page(slug, failed_user=user_id, **extra),
    )


@bp.post("/c/<slug>/members/invite")
def invite_member(slug: str) -> Response:
    """A facilitator (or an administrator) invites someone by email, from the members page."""
    session, actor = get_session(), current_actor()
    community = queries.community_by_slug(session, actor, slug)
    form = request.form
    return perform(
        lambda: services.invite_member(
            session,
            actor,
            community_id=community.id,
            email=forms.text(form, "email"),
            role=forms.text(form, "role"),
            organisation=forms.optional_text(form, "organisation"),
        ),
        success=lambda issued: _(
            "Invitation sent to %(email)s. The link in it works once, for seven days.",
            email=issued.invitation.email,
        ),
        location=url_for("web.members", slug=slug),
        show=lambda **extra: _members_page(slug, **extra),
    )
