"""The route registry: one `@operation` both declares an API route and describes it.

Each operation names its path, its request body and query models and its response model;
the blueprint's URL rules and the OpenAPI document are both built from this registry, so
the description cannot drift from what is served. The dispatcher parses and validates the
input with the same models the spec shows, resolves the caller from the Bearer token, and
serialises the view's result through the declared response model.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app, request
from pydantic import BaseModel, ValidationError

from ..errors import NotAuthenticated
from ..limits import MAX_ID
from ..models import User
from ..storage.sessions import get_session
from ..wording import _
from .idempotent import answer_once
from .tokens import bearer_actor

PATH_PARAM = re.compile(r"{(\w+)}")


def is_numeric_param(name: str) -> bool:
    """Path parameters named *_id or number are positive integers; the rest are slugs."""
    return name.endswith("_id") or name == "number"


class InvalidRequest(Exception):
    """The request's body or query string does not match the operation's model."""

    def __init__(self, error: ValidationError | None, where: str, message: str = "") -> None:
        super().__init__(message or where)
        self.error = error
        self.where = where
        self.message = message


@dataclass(frozen=True)
class Reply:
    """A view's result with extra response headers (e.g. an ETag)."""

    model: BaseModel
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    """One API operation: what it accepts, what it answers, who may call it."""

    method: str
    path: str
    view: Callable[..., Any]
    summary: str
    tag: str
    response: type[BaseModel] | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    status: int
    needs_token: bool
    etag: bool
    if_match: bool

    @property
    def endpoint(self) -> str:
        """The Flask endpoint name, also the OpenAPI operationId."""
        return self.view.__name__

    @property
    def description(self) -> str:
        """The view's docstring: why a caller would use this operation."""
        return inspect.getdoc(self.view) or self.summary

    @property
    def path_params(self) -> list[str]:
        """Names of the path's parameters, in order."""
        return PATH_PARAM.findall(self.path)

    @property
    def flask_rule(self) -> str:
        """The path as a Werkzeug rule; ids are bounded so they never overflow a column."""

        def convert(match: re.Match[str]) -> str:
            name = match.group(1)
            if is_numeric_param(name):
                return f"<int(min=1, max={MAX_ID}):{name}>"
            return f"<{name}>"

        return PATH_PARAM.sub(convert, self.path)

    @property
    def is_idempotent(self) -> bool:
        """Whether an Idempotency-Key makes a retry safe: every operation that creates."""
        return self.method == "post" and self.status == 201

    @property
    def error_statuses(self) -> list[int]:
        """The refusals this operation can answer, for the spec and the reference page."""
        statuses = {401}
        if self.needs_token:
            statuses.add(403)
        if self.path_params:
            statuses.add(404)
        if self.method != "get":
            statuses.add(409)
        if self.if_match:
            statuses.add(412)
        if self.body is not None:
            statuses |= {413, 422}
        if self.query is not None:
            statuses.add(422)
        return sorted(statuses)


OPERATIONS: list[Operation] = []


def operation(
    method: str,
    path: str,
    *,
    summary: str,
    tag: str,
    response: type[BaseModel] | None,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    status: int | None = None,
    needs_token: bool | None = None,
    etag: bool = False,
    if_match: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view `(session, actor, **path_params[, body][, query])` as an operation.

    Reads are open to anonymous callers (the services hide private communities); writes
    need a token unless `needs_token` says otherwise.
    """

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        OPERATIONS.append(
            Operation(
                method=method,
                path=path,
                view=view,
                summary=summary,
                tag=tag,
                response=response,
                body=body,
                query=query,
                status=status or (201 if method == "post" and body is not None else 200),
                needs_token=method != "get" if needs_token is None else needs_token,
                etag=etag,
                if_match=if_match,
            )
        )
        return view

    return register


def _parse_body(model: type[BaseModel]) -> BaseModel:
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw or b"{}")
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # refuses lone surrogates
    except (ValueError, UnicodeError) as error:
        raise InvalidRequest(
            None, "request body", _("The request body is not valid JSON.")
        ) from error
    except RecursionError as error:  # e.g. 100,000 nested brackets: no body here is that deep
        raise InvalidRequest(
            None, "request body", _("The request body is nested too deeply to be read.")
        ) from error
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InvalidRequest(error, "request body") from error


def _parse_query(model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise InvalidRequest(error, "query string") from error


def dispatch(op: Operation, path_args: dict[str, Any]) -> Response:
    """Run one operation: authenticate, validate input, call the view, serialise."""
    actor = bearer_actor()
    if op.needs_token and actor is None:
        raise NotAuthenticated(_("This needs an API token: send 'Authorization: Bearer <token>'."))
    kwargs = dict(path_args)
    if op.body is not None:
        kwargs["body"] = _parse_body(op.body)
    if op.query is not None:
        kwargs["query"] = _parse_query(op.query)
    if op.is_idempotent and actor is not None:
        body = kwargs.get("body")
        parts = (op.endpoint, request.path, body.model_dump_json() if body is not None else "")
        return answer_once(actor, parts, lambda: _respond(op, actor, kwargs))
    return _respond(op, actor, kwargs)


def _respond(op: Operation, actor: User | None, kwargs: dict[str, Any]) -> Response:
    result = op.view(get_session(), actor, **kwargs)
    if op.response is None:
        return current_app.response_class(status=204)
    reply = result if isinstance(result, Reply) else Reply(result)
    if not isinstance(reply.model, op.response):
        raise TypeError(
            f"{op.endpoint} returned {type(reply.model).__name__}, not {op.response.__name__}"
        )
    response = current_app.response_class(
        reply.model.model_dump_json(), status=op.status, mimetype="application/json"
    )
    response.headers.update(reply.headers)
    return response
