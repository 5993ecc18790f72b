"""Who is calling the API: the owner of the Bearer token, and nobody else.

The API never looks at the session cookie, so a browser that is signed in cannot be made
to call it from another site: that is what makes exempting /api/v1 from CSRF safe.
Without an Authorization header the caller is anonymous (public communities only); a
malformed, unknown or revoked token is refused with 401 rather than treated as anonymous,
so an integrator notices at once that their token stopped working.
"""

from __future__ import annotations

from flask import g, request

from ..errors import NotAuthenticated
from ..models import User
from ..services.tokens import user_for_token
from ..storage.sessions import get_session
from ..wording import _

MAX_TOKEN_CHARS = 200


def bearer_actor() -> User | None:
    """The token's owner, None without an Authorization header; 401 for a bad token."""
    if "api_actor" in g:
        return g.api_actor
    header = request.headers.get("Authorization")
    actor = None
    if header is not None:
        scheme, _space, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_CHARS:
            raise NotAuthenticated(_("Send your API token as 'Authorization: Bearer <token>'."))
        actor = user_for_token(get_session(), token)
        if actor is None:
            raise NotAuthenticated(_("This API token is unknown or was revoked."))
    g.api_actor = actor
    return actor
