"""The reference page's reading of the OpenAPI document: types and fields in plain words."""

from __future__ import annotations

from typing import Any

from .spec import REF

REF_PREFIX = REF.format(model="")


def type_text(schema: dict[str, Any]) -> str:
    """A JSON schema as a short type name: "integer", "Proposal", "list of Comment", ..."""
    if "$ref" in schema:
        return schema["$ref"].removeprefix(REF_PREFIX)
    if "anyOf" in schema:
        return " or ".join(type_text(option) for option in schema["anyOf"])
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    kind = schema.get("type", "any")
    if kind == "array":
        return "list of " + type_text(schema.get("items", {}))
    if kind == "object" and "additionalProperties" in schema:
        return "object"
    if schema.get("format"):
        return f"{kind} ({schema['format']})"
    return str(kind)


def fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """A component's properties as rows: name, type, required, description."""
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "type": type_text(prop),
            "required": name in required,
            "description": prop.get("description", ""),
        }
        for name, prop in schema.get("properties", {}).items()
    ]
