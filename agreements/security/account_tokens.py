"""The secrets that stand in for a person: reset links, invitation links, session stamps.

- Password-reset tokens are signed with SECRET_KEY (itsdangerous), expire after an hour
  and carry a fingerprint of the password hash, so they die as soon as the password
  changes: a used link cannot be used again.
- Invitation tokens are random; only their sha256 is stored, so a database leak does not
  leak working links. Single use and expiry are kept on the Invitation row.
- A session stamp (an HMAC of the password hash and the account's session_version) is
  kept in the signed session cookie; signing out or changing the password changes it, so
  an old or copied cookie stops working.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..errors import NotFound, Refused
from ..models import User
from ..wording import _

RESET_MAX_AGE_SECONDS = 3600
RESET_SALT = "accord.password-reset"
INVALID_RESET = _("This password reset link is not valid. Ask for a new one.")


def _secret() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode("utf-8")


def _keyed_digest(purpose: str, value: str) -> str:
    return hmac.new(_secret(), f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()


def password_fingerprint(user: User) -> str:
    """A short keyed digest of the current password hash (changes with the password)."""
    return _keyed_digest("password", user.password_hash)[:32]


def session_stamp(user: User) -> str:
    """What a valid session of this user carries; changes on sign-out and password change."""
    return _keyed_digest("session", f"{user.password_hash}|{user.session_version}")[:32]


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(), salt=RESET_SALT)


def make_reset_token(user: User) -> str:
    """A signed, hour-long token naming the user and their current password."""
    return _reset_serializer().dumps({"user": user.id, "password": password_fingerprint(user)})


def read_reset_token(token: str) -> tuple[int, str]:
    """The user id and password fingerprint in a token; refuses expired or tampered ones."""
    try:
        data = _reset_serializer().loads(token, max_age=RESET_MAX_AGE_SECONDS)
    except SignatureExpired as error:
        raise Refused(_("This password reset link has expired. Ask for a new one.")) from error
    except BadSignature as error:
        raise NotFound(INVALID_RESET) from error
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        raise NotFound(INVALID_RESET)
    return data["user"], str(data.get("password", ""))


def new_invitation_token() -> tuple[str, str]:
    """A fresh random token and the sha256 that is stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, invitation_token_hash(token)


def invitation_token_hash(token: str) -> str:
    """The stored form of an invitation token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
