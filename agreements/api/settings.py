"""The settings page where a person creates and revokes their personal API tokens.

A new token is shown exactly once, in the response to the form that created it; after
that only its name and dates are listed (the database holds its hash alone).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required
from werkzeug.wrappers import Response

from .. import services
from ..auth import current_actor
from ..errors import DomainError
from ..saying import say
from ..services.tokens import tokens_of
from ..storage.sessions import get_session
from ..wording import _

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


def _page(status: int = 200, **context: object) -> Response:
    actor = current_actor()
    assert actor is not None  # login_required
    page = render_template(
        "settings/tokens.html", tokens=tokens_of(get_session(), actor), **context
    )
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"  # the page may show a token once
    return response


@bp.get("")
@login_required
def index() -> Response:
    """List the person's tokens, with the form to create one."""
    return _page()


@bp.post("")
@login_required
def create() -> Response:
    """Create a token and show it once."""
    try:
        token, plaintext = services.create_api_token(
            get_session(), current_actor(), name=request.form.get("name", "")
        )
    except DomainError as error:
        return _page(error.status, error=error)
    return _page(201, new_token=token, plaintext=plaintext)


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    """Revoke a token; programs using it are refused from now on."""
    try:
        token = services.revoke_api_token(get_session(), current_actor(), token_id=token_id)
    except DomainError as error:
        return _page(error.status, error=error)
    flash(say(_("The token “%(name)s” was revoked.", name=token.name)))
    return redirect(url_for("tokens.index"))
