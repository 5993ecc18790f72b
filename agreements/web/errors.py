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
from .responses import is_htmx, page_refusal, sign_in_redirect

FRIENDLY = {
    400: ("Something was wrong with the request", "Please go back and try again."),
    403: ("Not allowed", "Your role does not allow this."),
    404: ("Not found", "There is nothing here, or nothing you may see."),
    405: ("Not possible", "That address does not accept this kind of request."),
    409: ("Not possible now", "Someone may have changed this meanwhile; please reload."),
    413: ("Too large", "What you sent is larger than Accord accepts."),
    422: ("Please check what you entered", "Some of it could not be understood."),
    500: ("Something went wrong on our side", "It was not your fault. Please try again later."),
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
    message = error.description if status in (400, 422) and error.description else hint
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
