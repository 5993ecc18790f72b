"""The OpenAPI description is valid 3.1 and describes exactly the routes the app serves."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest
from openapi_spec_validator import validate

from agreements.api import META_ENDPOINTS, document_schemas
from agreements.api.spec import openapi_document
from agreements.audit import records


def test_the_served_document_is_valid_openapi_3_1(api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert document == openapi_document()


def _served_operations(app) -> set[tuple[str, str]]:
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint in META_ENDPOINTS:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
        served |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return served


def test_every_route_is_described_and_every_description_is_served(app):
    described = {
        (method, path)
        for path, methods in openapi_document()["paths"].items()
        for method in methods
    }
    assert described == _served_operations(app)


def test_every_request_and_response_schema_is_a_component():
    document = openapi_document()
    components = document["components"]["schemas"]
    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', str(document).replace("'", '"'))
    assert refs and set(refs) <= set(components)


def test_the_reference_page_lists_every_operation_without_scripts(api):
    page = api.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for path, methods in openapi_document()["paths"].items():
        for method in methods:
            assert f"{method.upper()} {path}" in html
    assert "<script>" not in html and "style=" not in html


@pytest.mark.parametrize(
    ("published", "internal"),
    [
        (document_schemas.DecisionRecord, records.DecisionRecord),
        (document_schemas.RecordStance, records.StanceEntry),
        (document_schemas.RecordObjection, records.ObjectionEntry),
    ],
)
def test_the_published_decision_record_keeps_every_field_of_the_record(published, internal):
    """A field added to the record must be published (or this test consciously changed)."""
    assert set(published.model_fields) - {"markdown"} == {field.name for field in fields(internal)}
