"""The JSON API under /api/v1: the same use cases as the pages, for integrators.

Routes are declared with `@operation` (operations.py) in the modules of routes/; this
module turns that registry into the blueprint's URL rules and serves the OpenAPI
document built from the same registry, plus a readable reference page. Errors are
answered as problem details (problems.py). Callers authenticate with a Bearer token
only, so the blueprint is exempt from CSRF: a browser's cookies never act on the API.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, render_template
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..errors import DomainError
from ..security.protections import csrf
from . import routes, settings
from .operations import OPERATIONS, InvalidRequest, Operation, dispatch
from .problems import (
    INVALID_INPUT,
    from_domain_error,
    from_http_exception,
    from_validation_error,
    problem_response,
    routing_problem,
    server_error,
)
from .reference import fields, type_text
from .spec import openapi_document

ROUTE_MODULES = (
    routes.communities,
    routes.agreements,
    routes.proposals,
    routes.discussion,
    routes.rounds,
)
META_ENDPOINTS = ("api.openapi_json", "api.reference")

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _view_for(op: Operation) -> Any:
    @functools.wraps(op.view)
    def view(**path_args: Any) -> Response:
        return dispatch(op, path_args)

    return view


for _op in OPERATIONS:
    bp.add_url_rule(
        _op.flask_rule,
        endpoint=_op.endpoint,
        view_func=_view_for(_op),
        methods=[_op.method.upper()],
    )


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())


@bp.get("/docs")
def reference() -> str:
    """A readable reference of every operation, rendered from the OpenAPI document."""
    return render_template(
        "api/reference.html", spec=openapi_document(), type_text=type_text, fields=fields
    )


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError) -> Response:
    return from_domain_error(error)


@bp.errorhandler(InvalidRequest)
def _invalid_request(error: InvalidRequest) -> Response:
    if error.error is None:
        return problem_response(422, INVALID_INPUT, error.message)
    return from_validation_error(error.error, error.where)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    if isinstance(error, InternalServerError):
        return server_error(error)
    return from_http_exception(error)


@bp.errorhandler(ValidationError)
def _response_model_error(error: ValidationError) -> Response:
    """A response that does not fit its own schema is our bug, never the caller's."""
    return server_error(error)


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    """Any other failure under /api/v1 is a problem too, never the pages' HTML 500."""
    return server_error(error)


def init_app(app: Flask) -> None:
    """Register the API; call before security.init_app so routing errors stay JSON."""
    csrf.exempt(bp)
    app.before_request(routing_problem)
    app.register_blueprint(bp)
    app.register_blueprint(settings.bp)
