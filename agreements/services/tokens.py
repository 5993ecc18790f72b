"""Personal API tokens: created and revoked by their owner, stored only as a sha256.

The plaintext token is returned once, by `create_api_token`, and never stored: a leaked
database does not leak working tokens. Revoked tokens stay as rows so the settings page
and the audit trail can show when each one stopped working.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, col, select

from .. import audit
from ..errors import NotAuthenticated, NotFound, Refused
from ..limits import clean_line
from ..models import ApiToken, User, utcnow
from ..wording import _
from ._unit import use_case

TOKEN_PREFIX = "accord_"
MAX_TOKEN_NAME_CHARS = 80


def hash_token(plaintext: str) -> str:
    """The stored form of a token (a fast hash is enough: tokens have 256 random bits)."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def _subject(token: ApiToken) -> audit.Subject:
    return audit.Subject("api_token", token.id)


@use_case
def create_api_token(session: Session, actor: User | None, *, name: str) -> tuple[ApiToken, str]:
    """A signed-in person creates a token; returns the row and the plaintext (shown once)."""
    if actor is None:
        raise NotAuthenticated(_("Please sign in to create an API token."))
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=actor.id,  # type: ignore[arg-type]
        name=clean_line(name, field="name", limit=MAX_TOKEN_NAME_CHARS),
        token_hash=hash_token(plaintext),
    )
    session.add(token)
    session.flush()
    audit.record(session, actor, "api_token.created", _subject(token), {"name": token.name})
    return token, plaintext


@use_case
def revoke_api_token(session: Session, actor: User | None, *, token_id: int) -> ApiToken:
    """The owner revokes one of their tokens; it stops working at once."""
    if actor is None:
        raise NotAuthenticated(_("Please sign in to manage your API tokens."))
    token = session.get(ApiToken, token_id) if isinstance(token_id, int) else None
    if token is None or token.user_id != actor.id:
        raise NotFound(_("There is no such API token."))
    if token.revoked_at is not None:
        raise Refused(_("This token was already revoked."))
    token.revoked_at = utcnow()
    session.add(token)
    audit.record(session, actor, "api_token.revoked", _subject(token), {"name": token.name})
    return token


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """A person's tokens, newest first (revoked ones included, marked as such)."""
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
        )
    )


def user_for_token(session: Session, plaintext: str) -> User | None:
    """The active owner of a valid, unrevoked token, or None."""
    token = session.exec(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(plaintext), col(ApiToken.revoked_at).is_(None)
        )
    ).first()
    if token is None:
        return None
    user = session.get(User, token.user_id)
    return user if user is not None and user.is_active else None
