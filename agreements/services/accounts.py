"""Use cases for accounts that exist before sign-in flows: creating a person's account."""

from __future__ import annotations

from sqlmodel import Session, select

from .. import audit
from ..access import require_admin
from ..errors import InvalidInput, Refused
from ..limits import MAX_NAME_CHARS, clean_line
from ..models import User
from ..passwords import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, hash_password
from ._unit import use_case


def clean_email(value: object) -> str:
    """A trimmed, lower-cased address with one @ and a dot in its domain."""
    email = clean_line(value, field="email", limit=254).lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise InvalidInput("Please give a valid email address.", "email")
    return email


def check_password(password: object) -> str:
    """A password long enough to resist guessing (length beats composition rules)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(
            f"Choose a password of at least {MIN_PASSWORD_CHARS} characters.", "password"
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput("That password is too long.", "password")
    return password


def new_user(session: Session, *, email: str, display_name: str, password: str) -> User:
    """Validate and add an account to the session (callers record the audit event)."""
    email = clean_email(email)
    if session.exec(select(User).where(User.email == email)).first():
        raise Refused("An account with that email address already exists.")
    user = User(
        email=email,
        display_name=clean_line(display_name, field="name", limit=MAX_NAME_CHARS),
        password_hash=hash_password(check_password(password)),
    )
    session.add(user)
    session.flush()
    return user


@use_case
def create_account(
    session: Session,
    actor: User | None,
    *,
    email: str,
    display_name: str,
    password: str,
    is_admin: bool = False,
) -> User:
    """An administrator creates an account (people otherwise join by invitation)."""
    require_admin(actor)
    user = new_user(session, email=email, display_name=display_name, password=password)
    user.is_admin = bool(is_admin)
    audit.record(
        session,
        actor,
        "account.created",
        audit.Subject("user", user.id),
        {"email": user.email, "is_admin": user.is_admin},
    )
    return user
