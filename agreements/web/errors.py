"""Friendly error pages, and the one mapping of uncaught refusals to responses.

A refusal raised while showing a page (a private community, a missing version) becomes a
calm page with the refusal's message and its status; anonymous people are asked to sign
in instead. Under htmx the message goes to the page's flash area (HX-Retarget), since a
half-swapped error page would only confuse.
"""

from __future__ import annotations

from flask import Flask, current_app, make_response, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ..errors import DomainError, NotAuthenticated
from ..storage.sessions import rollback_session
from ..wording import Wording, _
from .responses import is_htmx, page_refusal, sign_in_redirect

FRIENDLY = {
    400: (_("Something was wrong with the request"), _("Please go back and try again.")),
    403: (_("Not allowed"), _("Your role does not allow this.")),
    404: (_("Not found"), _("There is nothing here, or nothing you may see.")),
    405: (_("Not possible"), _("That address does not accept this kind of request.")),
    409: (_("Not possible now"), _("Someone may have changed this meanwhile; please reload.")),
    413: (_("Too large"), _("What you sent is larger than Accord accepts.")),
    422: (_("Please check what you entered"), _("Some of it could not be understood.")),
    500: (
        _("Something went wrong on our side"),
        _("It was not your fault. Please try again later."),
    ),
}


# What Werkzeug and Flask-WTF say about a refused request (a form sent without a valid CSRF
# token, most often), marked so the page says it in the reader's language.
DESCRIPTIONS: dict[str, Wording] = {
    str(words): words
    for words in (
        _("The browser (or proxy) sent a request that this server could not understand."),
        _("The CSRF token is missing."),
        _("The CSRF session token is missing."),
        _("The CSRF token has expired."),
        _("The CSRF token is invalid."),
        _("The CSRF tokens do not match."),
        _("The referrer header is missing."),
        _("The referrer does not match the host."),
    )
}


def error_response(status: int, title: str, message: str) -> Response:
    """The friendly page (or, under htmx, the message in the flash area).

    The request's transaction is rolled back first: whatever failed is not kept, and the
    page's own reads (who is signed in) work even after a failed statement.
    """
    rollback_session()
    if is_htmx():
        response = make_response(render_template("partials/flash_error.html", message=message))
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
        response.headers["X-Accord-Status"] = str(status)
        response.vary.add("HX-Request")
        return response
    page = render_template("errors/error.html", status=status, title=title, message=message)
    response = make_response(page, status)
    response.vary.add("HX-Request")
    return response


def on_domain_error(error: DomainError) -> Response:
    """A refusal that reached no form: sign in, or the friendly page with its message."""
    if isinstance(error, NotAuthenticated):
        return sign_in_redirect()
    refusal = page_refusal(error)
    return error_response(refusal.status, refusal.title, refusal.message)


def on_http_error(error: HTTPException) -> Response:
    """Werkzeug's errors (unknown address, body too large, CSRF ...) as friendly pages."""
    status = error.code or 500
    title, hint = FRIENDLY.get(status, FRIENDLY[400] if status < 500 else FRIENDLY[500])
    message: str = hint
    if status in (400, 422) and error.description:
        message = DESCRIPTIONS.get(error.description, error.description)
    return error_response(status, title, message)


def on_unexpected(error: Exception) -> Response:
    """Anything else: logged with its traceback, answered by a calm 500 that leaks nothing."""
    current_app.logger.exception(
        "Unexpected error on %s %s", request.method, request.path, exc_info=error
    )
    title, message = FRIENDLY[500]
    return error_response(500, title, message)


def init_app(app: Flask) -> None:
    """Register the handlers (500 only outside testing, so tests see real tracebacks)."""
    app.register_error_handler(DomainError, on_domain_error)
    app.register_error_handler(HTTPException, on_http_error)
    if not app.testing:
        app.register_error_handler(Exception, on_unexpected)
