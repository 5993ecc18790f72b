"""The "What needs you" page: every round, question and step waiting for the signed-in person."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ..auth import current_actor
from ..errors import NotAuthenticated
from ..services.queries.needs_you import needs_you as waiting_for
from ..storage.sessions import get_session
from ..wording import _
from .blueprint import bp
from .responses import render


@bp.get("/needs-you")
def needs_you() -> Response:
    """Open rounds you have not answered, questions to you, objections to work on, and for
    facilitators the proposals waiting for their next step (see queries/needs_you.py)."""
    actor = current_actor()
    if actor is None:
        raise NotAuthenticated(_("Please sign in to see what needs you."))
    return render(
        "needs_you.html", "partials/needs_you.html", needs=waiting_for(get_session(), actor)
    )
