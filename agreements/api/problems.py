"""Every API refusal as RFC 9457 problem details, and never an HTML page under /api/v1.

Domain errors keep the message the pages show; pydantic validation errors become 422 with
one entry per offending field; routing and HTTP errors (404, 405, 413, ...) are answered
in the same shape, so an integrator parses one error format.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from ..errors import DomainError, InvalidInput
from ..saying import say
from ..wording import Wording, _
from .schemas import FieldError, Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://accord.invalid/problems/"
INVALID_INPUT = _("Invalid input")
NOTHING_AT_ADDRESS = _("There is nothing at this address in the Accord API.")


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A problem+json response; `type` names the kind of problem by its status."""
    problem = Problem(
        type=f"{TYPE_BASE}{status}",
        title=say(title),
        status=status,
        detail=say(detail),
        errors=errors or [],
    )
    response = current_app.response_class(
        problem.model_dump_json(), status=status, mimetype=PROBLEM_MEDIA_TYPE
    )
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="accord"'
    response.headers.update(headers or {})
    return response


def from_domain_error(error: DomainError) -> Response:
    """A refusal from the services, with the same human message the pages show."""
    field = getattr(error, "field", None) if isinstance(error, InvalidInput) else None
    errors = [FieldError(field=field, message=say(error.message))] if field else None
    return problem_response(error.status, error.title, error.message, errors=errors)


def _field_name(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location) or "body"


# Pydantic's wording for a blank or NUL-bearing string names a regular expression; a client's
# user should read what to do instead.
_PLAIN_MESSAGES = {
    "string_too_short": _("is required: it cannot be empty"),
    "string_pattern_mismatch": _(
        "is required and must be plain text: not blank, no NUL, one line where a line is asked"
    ),
}


def _plain_message(detail: Any) -> str:
    """Our own wording in the caller's language; pydantic's other messages as it words them."""
    return say(_PLAIN_MESSAGES.get(detail["type"], detail["msg"]))


def _not_valid(where: str, summary: str) -> Wording:
    """The detail of a 422: which part of the request, and what is wrong in it."""
    if where == "query string":
        return _("The query string is not valid: %(summary)s.", summary=summary)
    return _("The request body is not valid: %(summary)s.", summary=summary)


def from_validation_error(error: ValidationError, where: str) -> Response:
    """422 listing each invalid field, e.g. "title: Field required"."""
    errors = [
        FieldError(field=_field_name(detail["loc"]), message=_plain_message(detail))
        for detail in error.errors(include_url=False)
    ]
    summary = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    return problem_response(
        422,
        INVALID_INPUT,
        _not_valid(where, summary),
        errors=errors,
    )


# Werkzeug's words for the errors an API call can meet, marked so that a client's user reads
# them in their language; any other description (a rate limit's, say) is passed on as given.
_HTTP_WORDS: dict[str, Wording] = {
    str(words): words
    for words in (
        _("Bad Request"),
        _("Not Found"),
        _("Method Not Allowed"),
        _("Request Entity Too Large"),
        _("Unsupported Media Type"),
        _("Too Many Requests"),
        _("The browser (or proxy) sent a request that this server could not understand."),
        _("The method is not allowed for the requested URL."),
        _("The data value transmitted exceeds the capacity limit."),
        _("The server does not support the media type transmitted in the request."),
    )
}


def from_http_exception(error: HTTPException) -> Response:
    """Werkzeug's errors (unknown path, wrong method, body too large) as problems."""
    status = error.code or 500
    headers: dict[str, str] = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))  # type: ignore[attr-defined]
    detail = error.description or error.name
    if status == 404:
        detail = NOTHING_AT_ADDRESS
    title = _HTTP_WORDS.get(error.name, error.name)
    return problem_response(status, title, _HTTP_WORDS.get(detail, detail), headers=headers)


def routing_problem() -> Response | None:
    """Answer a routing failure under /api/v1 before Flask's HTML error page would."""
    failure = request.routing_exception
    if isinstance(failure, RequestRedirect):
        return None  # a missing trailing slash: let Flask redirect
    if isinstance(failure, HTTPException) and request.path.startswith("/api/v1"):
        return from_http_exception(failure)
    return None


def server_error(error: Exception) -> Response:
    """An unexpected failure: logged with its traceback, answered as a problem, never a trace."""
    original = getattr(error, "original_exception", None) or error
    current_app.logger.exception(
        "Unexpected error on %s %s", request.method, request.path, exc_info=original
    )
    return problem_response(
        500,
        _("Internal server error"),
        _("Something went wrong on our side; it has been logged."),
    )
