"""The one-time form token: a double-clicked or resubmitted page form writes once.

Every write form carries a hidden random `form_token` (the `csrf()` macro in
templates/partials/_ui.html puts it beside the CSRF field, so no form can forget it). The
first submission of a token claims it in the same table as the API's Idempotency-Key
(storage/idempotency.py), scoped to the signed-in person and keyed by the token together
with what the form sent; a repeat within a day writes nothing and is answered like the
first: redirected to where the first one led (htmx: the partial re-rendered), with the
calm notice ALREADY_SAVED. A person who goes back, changes the text and sends again has
sent something else, which is saved. A submission that was refused releases its token, so
correcting the form and sending it again works.

`web/responses.perform` does this for every page action; the invitation page (auth) too.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import request, url_for
from flask_login import current_user

from ..errors import Refused
from ..storage import idempotency
from ..storage.sessions import get_session
from ..wording import _

FIELD = "form_token"
ALREADY_SAVED = _("This was already saved.")
# Fields that change between two renders of one form without changing what it asks for.
_NOT_CONTENT = ("csrf_token",)


def new_form_token() -> str:
    """A fresh random token for one rendered form (a template global)."""
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Submission:
    """One form submission: tracked under `scope`/`key`, or untracked (scope None).

    `replay_to` is set when this is a repeat: the address the first submission led to.
    `answered` is where the claim already said it leads (`claim(location=...)`).
    """

    scope: str | None = None
    key: str = ""
    replay_to: str | None = None
    answered: str | None = None


def claim(location: str | None = None) -> Submission:
    """Claim this request's form token; a repeat gets `replay_to`, a first one goes ahead.

    Forms without a token (and anonymous requests, which are sent to sign in) are untracked.
    A repeat that arrives while the first is still being saved is a repeat too. The claim
    is held for the use case to commit with its writes (storage/idempotency.py). When the
    form's `location` is known before it runs, the claim stores it at once, so success
    writes nothing more (`saved`); a refusal frees the token all the same.
    """
    token = request.form.get(FIELD, "")
    if not token or not current_user.is_authenticated:
        return Submission()
    content = sorted(
        (name, value)
        for name, values in request.form.lists()
        if name not in _NOT_CONTENT
        for value in values
    )
    key = idempotency.fingerprint(request.path, *(f"{name}={value}" for name, value in content))
    scope = f"form:{current_user.id}"
    answer = None if location is None else _redirect(location)
    try:
        stored = idempotency.claim(
            get_session(), scope=scope, key=key, request_print=key, answer=answer, held=True
        )
    except Refused:  # the first one is still running
        return Submission(replay_to=request.referrer or url_for("web.index"))
    if stored is not None:
        return Submission(replay_to=stored.headers.get("Location") or url_for("web.index"))
    return Submission(scope, key, answered=location)


def _redirect(location: str) -> idempotency.StoredResponse:
    return idempotency.StoredResponse(303, {"Location": location}, "")


def saved(submission: Submission, location: str) -> None:
    """Remember where the first submission led, for its repeats (unless the claim did)."""
    if submission.scope is not None and submission.answered != location:
        idempotency.complete(
            get_session(), scope=submission.scope, key=submission.key, response=_redirect(location)
        )


def refused(submission: Submission) -> None:
    """Free the token of a submission that wrote nothing, so it may be sent again."""
    if submission.scope is not None:
        idempotency.release(get_session(), scope=submission.scope, key=submission.key)
