"""The instance administrator's page: the instance's health, new communities and accounts.

Only administrators (`User.is_admin`) get it; the header links to it for them alone. Each
form calls one use case (create_community, create_account), the same the API and the
command line use, so the rules and the audit trail are the same everywhere. People are
invited from each community's members page, which administrators may also use.
"""

from __future__ import annotations

from flask import request, url_for
from werkzeug.wrappers import Response

from .. import services
from ..auth import current_actor
from ..models import User
from ..services import queries
from ..services.queries.mail import outbox_status
from ..storage.sessions import get_session
from ..wording import _
from . import forms
from .blueprint import bp
from .responses import perform, render


def _admin_page(**extra: object) -> Response:
    session, actor = get_session(), current_actor()
    health = queries.instance_health(session, actor)
    return render(
        "admin.html",
        "partials/admin.html",
        health=health,
        status=outbox_status(session),
        communities=queries.visible_communities(session, actor),
        **extra,
    )


@bp.get("/admin")
def admin() -> Response:
    """Counts, database, migration and audit chain; the forms to create communities and
    accounts."""
    return _admin_page()


@bp.post("/admin/communities")
def admin_create_community() -> Response:
    """Create a community with its first facilitator (an existing or a new account)."""
    form = request.form
    create = form.get("facilitator_account") == "new"
    return perform(
        lambda: services.create_community(
            get_session(),
            current_actor(),
            slug=forms.text(form, "slug"),
            name=forms.text(form, "name"),
            description=forms.text(form, "description"),
            is_private=forms.checkbox(form, "is_private"),
            facilitator_email=forms.text(form, "facilitator_email"),
            create_facilitator=create,
            facilitator_name=forms.text(form, "facilitator_name") if create else "",
            facilitator_password=forms.text(form, "facilitator_password") if create else "",
        ),
        success=lambda community: _(
            "%(name)s is created. Its facilitator can now sign in, add an agreement and invite "
            "the members.",
            name=community.name,
        ),
        location=lambda community: url_for("web.community", slug=community.slug),
        show=_admin_page,
    )


@bp.post("/admin/accounts")
def admin_create_account() -> Response:
    """Create an account for someone (they can change the password on their account page)."""
    form = request.form
    return perform(
        lambda: services.create_account(
            get_session(),
            current_actor(),
            email=forms.text(form, "email"),
            display_name=forms.text(form, "display_name"),
            password=forms.text(form, "password"),
            is_admin=forms.checkbox(form, "is_admin"),
        ),
        success=_account_created,
        location=url_for("web.admin"),
        show=_admin_page,
    )


def _account_created(user: User) -> str:
    return _(
        "The account for %(email)s is created. Tell %(name)s their password in person or by "
        "phone, not by email, and ask them to change it.",
        email=user.email,
        name=user.display_name,
    )
