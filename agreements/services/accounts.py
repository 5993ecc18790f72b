"""Use cases for accounts: creating one, signing in, changing and resetting the password.

Sign-in and reset never say whether an address has an account (no enumeration): an unknown
address costs the same password check as a known one, and a reset request gets the same
answer either way.
"""

from __future__ import annotations

from sqlmodel import Session, select

from .. import audit, mail
from ..access import require_admin
from ..errors import InvalidInput, NotAuthenticated, NotFound, Refused
from ..languages import check_interface_language, check_time_zone
from ..limits import MAX_NAME_CHARS, clean_line
from ..models import User
from ..security import account_tokens
from ..security.passwords import (
    MAX_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
    hash_password,
    password_matches,
)
from ..wording import _
from ._unit import get_or_404, use_case

# Checked when no account matches, so an unknown address takes as long as a wrong password.
_UNKNOWN_ACCOUNT_HASH = hash_password("no account has this password")


def clean_email(value: object) -> str:
    """A trimmed, lower-cased address with one @ and a dot in its domain."""
    email = clean_line(value, field="email", limit=254).lower()
    local, _at, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise InvalidInput(_("Please give a valid email address."), "email")
    return email


def check_password(password: object) -> str:
    """A password long enough to resist guessing (length beats composition rules)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(
            _("Choose a password of at least %(length)s characters.", length=MIN_PASSWORD_CHARS),
            "password",
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput(_("That password is too long."), "password")
    return password


def new_user(session: Session, *, email: str, display_name: str, password: str) -> User:
    """Validate and add an account to the session (callers record the audit event)."""
    email = clean_email(email)
    if session.exec(select(User).where(User.email == email)).first():
        raise Refused(_("An account with that email address already exists."))
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


def authenticate(session: Session, *, email: object, password: object) -> User | None:
    """The active account with this address and password, or None (never says which failed)."""
    address = email.strip().lower() if isinstance(email, str) else ""
    secret = password if isinstance(password, str) else ""
    user = session.exec(select(User).where(User.email == address)).first() if address else None
    if user is None or len(secret) > MAX_PASSWORD_CHARS:
        password_matches(_UNKNOWN_ACCOUNT_HASH, secret[:MAX_PASSWORD_CHARS])
        return None
    if not password_matches(user.password_hash, secret) or not user.is_active:
        return None
    return user


def set_password(user: User, password: object) -> None:
    """Store a new password; every existing session of the account stops working."""
    user.password_hash = hash_password(check_password(password))
    user.session_version += 1


def _account_subject(user: User) -> audit.Subject:
    return audit.Subject("user", user.id)


@use_case
def change_password(
    session: Session, actor: User | None, *, current_password: str, new_password: str
) -> User:
    """A signed-in person changes their password, proving they know the current one."""
    if actor is None:
        raise NotAuthenticated(_("Please sign in."))
    user = session.get(User, actor.id)
    if user is None or not password_matches(user.password_hash, current_password or ""):
        raise InvalidInput(_("Your current password is not right."), "current_password")
    set_password(user, new_password)
    session.add(user)
    audit.record(session, user, "account.password_changed", _account_subject(user))
    return user


@use_case
def set_preferences(
    session: Session, actor: User | None, *, language: str | None, time_zone: str
) -> User:
    """A signed-in person chooses their interface language (None: the browser's) and the
    time zone their dates are shown in."""
    if actor is None:
        raise NotAuthenticated(_("Please sign in."))
    user = get_or_404(session, User, actor.id)
    user.language = check_interface_language(language)
    user.time_zone = check_time_zone(time_zone)
    session.add(user)
    audit.record(
        session,
        user,
        "account.preferences_changed",
        _account_subject(user),
        {"language": user.language, "time_zone": user.time_zone},
    )
    return user


@use_case
def request_password_reset(session: Session, actor: User | None, *, email: str) -> str | None:
    """Email a one-hour, single-use reset link if an active account has this address.

    Returns the token (None when there is no such account); the caller tells the person
    the same thing either way. Only a real request for a real account is recorded.
    """
    address = email.strip().lower() if isinstance(email, str) else ""
    user = session.exec(select(User).where(User.email == address)).first() if address else None
    if user is None or not user.is_active:
        return None
    token = account_tokens.make_reset_token(user)
    audit.record(session, actor, "account.password_reset_requested", _account_subject(user))
    link = mail.absolute_url("auth.reset_password", token=token)
    mail.send_password_reset(user.email, user.display_name, link, user.language)
    return token


@use_case
def reset_password(session: Session, actor: User | None, *, token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link dies with the old password."""
    user = check_reset_token(session, token)
    set_password(user, new_password)
    session.add(user)
    audit.record(session, user, "account.password_reset", _account_subject(user))
    return user


def end_sessions(session: Session, user: User) -> None:
    """Sign the account out everywhere: every session cookie issued so far stops working.

    Not a use case: sessions are not part of the community's record, so no audit event.
    """
    account = session.get(User, user.id)
    if account is None:
        return
    account.session_version += 1
    session.add(account)
    session.commit()


def check_reset_token(session: Session, token: str) -> User:
    """The account a reset link is for, refusing expired, tampered or used links."""
    user_id, fingerprint = account_tokens.read_reset_token(token)
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound(account_tokens.INVALID_RESET)
    if fingerprint != account_tokens.password_fingerprint(user):
        raise Refused(_("This password reset link has already been used. Ask for a new one."))
    return user
