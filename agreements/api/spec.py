"""The OpenAPI 3.1 description of the API, generated from the operation registry.

Component schemas come from the very pydantic models the dispatcher validates input with
and serialises responses through (request models in their "validation" form, responses in
their "serialization" form), so the document is a by-product of the implementation.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, JsonSchemaValue, models_json_schema

from ..limits import MAX_ID
from ..text.slugs import SLUG_PATTERN
from .idempotent import IDEMPOTENCY_HEADER
from .operations import OPERATIONS, Operation, is_numeric_param
from .schemas import Problem

REF = "#/components/schemas/{model}"
# Each (model, mode) pair's {"$ref": ...}; pydantic types the key loosely (dataclasses too).
SchemaRefs = dict[tuple[Any, JsonSchemaMode], JsonSchemaValue]
API_VERSION = "1.0.0"
PROBLEM_MEDIA_TYPE = "application/problem+json"
STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "Done, nothing to return",
    401: "No valid API token (or one is needed)",
    403: "The caller's role does not allow this",
    404: "Not there, or not visible to the caller",
    409: "Not possible in the current state (a protocol refusal)",
    412: "The proposal changed since the caller read it (stale If-Match)",
    413: "A text is over its maximum size",
    422: "The input is malformed or incomplete",
}


def _schema_refs() -> tuple[SchemaRefs, dict[str, Any]]:
    models: set[tuple[type[BaseModel], JsonSchemaMode]] = {(Problem, "serialization")}
    for op in OPERATIONS:
        if op.body is not None:
            models.add((op.body, "validation"))
        if op.query is not None:
            models.add((op.query, "validation"))
        if op.response is not None:
            models.add((op.response, "serialization"))
    ordered = sorted(models, key=lambda pair: (pair[0].__name__, pair[1]))
    refs, top = models_json_schema(ordered, ref_template=REF)
    return refs, top.get("$defs", {})


def _path_parameter(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = (
        {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        if is_numeric_param(name)
        else {"type": "string", "pattern": SLUG_PATTERN}
    )
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query_parameters(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {key: value for key, value in prop.items() if key != "title"},
            **({"description": prop["description"]} if "description" in prop else {}),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _problem(status: int) -> dict[str, Any]:
    return {
        "description": STATUS_TEXT.get(status, "A problem"),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": REF.format(model="Problem")}}},
    }


def _operation(op: Operation, refs: SchemaRefs, defs: dict[str, Any]) -> dict[str, Any]:
    parameters = [_path_parameter(name) for name in op.path_params]
    if op.query is not None:
        query_ref = refs[(op.query, "validation")]["$ref"].rsplit("/", 1)[-1]
        parameters += _query_parameters(defs[query_ref])
    if op.if_match:
        parameters.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": 'The ETag from GET (W/"rev-N"); 412 if a newer revision exists.',
                "schema": {"type": "string", "pattern": r'^(\*|(W/)?"rev-[0-9]{1,9}")$'},
            }
        )
    if op.is_idempotent:
        parameters.append(
            {
                "name": IDEMPOTENCY_HEADER,
                "in": "header",
                "required": False,
                "description": "Any unique key: a repeat with the same key and body gets the "
                "first answer, with nothing created twice; with another body, 422.",
                "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
            }
        )
    success: dict[str, Any] = {"description": STATUS_TEXT[op.status]}
    if op.response is not None:
        success["content"] = {"application/json": {"schema": refs[(op.response, "serialization")]}}
    if op.etag:
        success["headers"] = {
            "ETag": {
                "description": "The latest revision, for If-Match.",
                "schema": {"type": "string"},
            }
        }
    document: dict[str, Any] = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "description": op.description,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": {
            str(op.status): success,
            **{str(status): _problem(status) for status in op.error_statuses},
            "default": _problem(500),
        },
        "security": [{"bearerAuth": []}] if op.needs_token else [{}, {"bearerAuth": []}],
    }
    if op.body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    return document


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document (computed once: the registry is fixed at import)."""
    refs, defs = _schema_refs()
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op, refs, defs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Accord API",
            "version": API_VERSION,
            "description": (
                "Read and act on communities, agreements and proposals with the same rules "
                "as the pages. Authenticate with a personal API token "
                "(Account \u2192 API tokens) sent as `Authorization: Bearer <token>`. "
                "Errors are RFC 9457 problem details."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
