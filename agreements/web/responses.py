"""The one place that decides how a page answers: a full page or an htmx partial, and how
a refusal (a DomainError) is shown.

The rule, used by every view:

- A GET renders the page template, or, for an htmx request (`request.htmx`), only its
  partial; both share one template, so a swap and a reload always agree. Every such
  response carries `Vary: HX-Request`.
- A successful POST: without JavaScript, the outcome is flashed and the browser is
  redirected (303) to the page, so reloading never repeats an action; under htmx, the
  partial is re-rendered with the outcome as a notice in it.
- A refused POST (409, 422, 413, 403 ...): the same page or partial is re-rendered with
  the message next to the form that caused it and the person's input kept. A full page
  answers with the refusal's own status (so nothing is mistaken for success); under htmx
  the status is 200, because htmx 2 does not swap 4xx responses and the message must be
  seen where the person is looking. The `X-Accord-Status` header carries the real status.
- Anonymous people who try to act are sent to sign in and brought back afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..errors import DomainError, InvalidInput, NotAuthenticated
from ..saying import say
from ..security import form_tokens
from ..storage.sessions import get_session, reads_from_here
from ..wording import _

Renderer = Callable[..., Response]


@dataclass(frozen=True)
class PageRefusal:
    """A refusal as a page shows it: the same message as the API, under a heading in
    everyday words (the API keeps its problem titles, such as "Invalid input")."""

    title: str
    message: str
    status: int


def page_refusal(error: DomainError) -> PageRefusal:
    """How a page words `error`: input that needs fixing says so plainly."""
    title = _("Please check what you entered") if isinstance(error, InvalidInput) else error.title
    return PageRefusal(title, error.message, error.status)


def is_htmx() -> bool:
    """Whether this request was sent by htmx (and so wants a partial)."""
    return bool(getattr(request, "htmx", False))


def form_name() -> str:
    """Which form was submitted: its endpoint, refined by the ids and action in the address,
    so a page can show a refusal next to exactly that form."""
    name = (request.endpoint or "").rsplit(".", 1)[-1]
    view_args = request.view_args or {}
    for key in ("objection_id", "user_id", "trigger", "closing"):
        if key in view_args:
            name += f"-{view_args[key]}"
    return name


def render(
    page: str, partial: str, *, error: DomainError | None = None, **context: Any
) -> Response:
    """Render the full page or, for htmx, its partial; a refusal sets the status (see above)."""
    status = 200
    if error is not None and not is_htmx():
        status = error.status
    template = partial if is_htmx() else page
    context.setdefault("form", request.form if error else {})  # a refused form keeps its input
    response = make_response(
        render_template(
            template,
            error=page_refusal(error) if error else None,
            error_form=form_name() if error else None,
            **context,
        ),
        status,
    )
    response.vary.add("HX-Request")
    if error is not None:
        response.headers["X-Accord-Status"] = str(error.status)
    return response


def sign_in_redirect() -> Response:
    """Send an anonymous person to sign in, returning here afterwards."""
    target = request.referrer if request.method != "GET" and request.referrer else request.full_path
    location = url_for("auth.sign_in", next=target)
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, 303)


def perform(
    action: Callable[[], object],
    *,
    success: str | Callable[[Any], str],
    location: str | Callable[[Any], str],
    show: Renderer,
) -> Response:
    """Run one use case for a POST and answer as the module docstring says.

    `show(**extra)` renders the page (or partial) the form belongs to; it is called with
    `error=` after a refusal and with `notice=` after success under htmx. `success` and
    `location` may be functions of what the use case returned, for an outcome that only
    exists afterwards (the address of a new agreement, the name of a new community).

    A form sent again with the same one-time token (form_tokens.py) runs nothing: it is
    answered like the first submission, with the notice that it was already saved.
    """
    submission = form_tokens.claim(None if callable(location) else location)
    if submission.replay_to is not None:
        if is_htmx():
            return _redraw(show, notice=form_tokens.ALREADY_SAVED)
        flash(say(form_tokens.ALREADY_SAVED), "success")
        return redirect(submission.replay_to, 303)
    try:
        result = action()
    except NotAuthenticated:
        form_tokens.refused(submission)
        return sign_in_redirect()
    except DomainError as error:
        form_tokens.refused(submission)
        return _redraw(show, error=error)
    except BaseException:
        form_tokens.refused(submission)
        raise
    target = location(result) if callable(location) else location
    form_tokens.saved(submission, target)
    message = success(result) if callable(success) else success
    if is_htmx():
        return _redraw(show, notice=message)
    flash(say(message), "success")  # the session keeps a plain str: said now, for this reader
    return redirect(target, 303)


def _redraw(show: Renderer, **extra: Any) -> Response:
    """`show` once the POST has written all it writes: the page is read anew, outside the
    write lock (storage/sessions.reads_from_here)."""
    reads_from_here(get_session())
    return show(**extra)
