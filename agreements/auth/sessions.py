"""Who the current person is: the signed-in account, kept in Flask's session cookie.

flask-login keeps the account id in Flask's signed session cookie. A cookie alone is not
enough: it must also carry the account's session stamp (see security/account_tokens),
which changes when the person signs out or changes their password, so a copied or old
cookie stops working. Sessions last PERMANENT_SESSION_LIFETIME (12 hours by default).
"""

from __future__ import annotations

from flask import session
from flask_login import LoginManager, current_user, login_user, logout_user

from ..models import User
from ..saying import say
from ..security import account_tokens
from ..storage.by_id import row_by_id
from ..storage.sessions import get_session
from ..wording import _

SESSION_STAMP_KEY = "_accord_stamp"

login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = _("Please sign in to see that page.")
login_manager.localize_callback = say  # flashed in the reader's language
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in account, or None when it is gone, inactive or the session is stale."""
    try:
        user = row_by_id(get_session(), User, int(user_id))
    except ValueError:
        return None
    if user is None or not user.is_active:
        return None
    stamp = session.get(SESSION_STAMP_KEY)
    if stamp is not None and stamp != account_tokens.session_stamp(user):
        return None
    return user


def current_actor() -> User | None:
    """The person making this request, or None for an anonymous visitor."""
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[no-any-return]
    return None


def start_session(user: User) -> None:
    """Sign in with a fresh session (no fixation: nothing of the old session survives)."""
    session.clear()
    login_user(user)
    session.permanent = True
    session[SESSION_STAMP_KEY] = account_tokens.session_stamp(user)


def refresh_stamp(user: User) -> None:
    """Keep this session valid after the person changed their own password."""
    session[SESSION_STAMP_KEY] = account_tokens.session_stamp(user)


def end_session() -> None:
    """Forget the signed-in person in this browser."""
    logout_user()
    session.clear()
