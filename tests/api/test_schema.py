"""The served OpenAPI document is well formed, names every route, and the answers match it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from rest_framework.test import APIClient

from saleschannel.api.tokens import api_token_create
from saleschannel.commerce.catalog.services import product_create
from tests.dashboard import factories

pytestmark = pytest.mark.django_db

ROUTES = ["/api/v1/accounts", "/api/v1/accounts/{id}", "/api/v1/accounts/{id}/settings", "/api/v1/amazon-orders",
          "/api/v1/amazon-orders/{id}", "/api/v1/amazon-orders/{id}/import", "/api/v1/amazon-orders/{id}/retry",
          "/api/v1/orders", "/api/v1/orders/{id}", "/api/v1/products", "/api/v1/stock/{sku}",
          "/api/v1/accounts/{id}/sync", "/api/v1/sync-requests/{id}"]


@pytest.fixture
def api(manager):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=manager).key}")
    return client


@pytest.fixture
def schema(api) -> dict[str, Any]:
    response = api.get("/api/v1/schema")
    assert response.status_code == 200
    return json.loads(response.content)


def as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` written the JSON Schema way, so jsonschema can check answers."""
    if isinstance(node, list):
        return [as_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: as_json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def validate(schema: dict[str, Any], path: str, method: str, status: int, body: Any) -> None:
    content = schema["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    root = as_json_schema({"components": schema["components"], **content})
    errors = sorted(Draft202012Validator(root).iter_errors(body), key=str)
    assert not errors, f"{method} {path} {status}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_the_document_is_openapi_3_and_well_formed(schema):
    assert schema["openapi"].startswith("3.") and schema["info"]["title"] == "Sales Channel API"
    assert set(ROUTES) <= set(schema["paths"])
    operation_ids = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            assert method in {"get", "post", "put", "patch", "delete"}, path
            assert op["responses"], (path, method)
            operation_ids.append(op["operationId"])
            for name in re.findall(r"{(\w+)}", path):
                assert any(p["name"] == name and p["in"] == "path" for p in op.get("parameters", [])), (path, name)
    assert len(operation_ids) == len(set(operation_ids))
    text = json.dumps(schema)
    for ref in set(re.findall(r'"\$ref": "#/components/schemas/(\w+)"', text)):
        assert ref in schema["components"]["schemas"], ref
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    Draft202012Validator.check_schema(as_json_schema(schema["components"]["schemas"]["AmazonOrderDetail"]))


def test_answers_match_the_document(api, schema, account):
    product_create(sku="SKU-1", name="Blue mug", price="9.90", qty=10)
    factories.import_enable(account)
    imported = factories.amazon_order_receive(account, factories.raw_order("302-9100000-0000001"))
    fba = factories.amazon_order_make(account, fba=True, status="SHIPPED")
    broken = factories.amazon_order_make(account, import_state="error", reason="bad")
    broken.purchase_date = None
    broken.order_total = None
    broken.save()
    checks = [
        ("/api/v1/accounts", "/api/v1/accounts", "get"),
        (f"/api/v1/accounts/{account.pk}", "/api/v1/accounts/{id}", "get"),
        (f"/api/v1/accounts/{account.pk}/settings", "/api/v1/accounts/{id}/settings", "get"),
        ("/api/v1/amazon-orders", "/api/v1/amazon-orders", "get"),
        (f"/api/v1/amazon-orders/{imported.pk}", "/api/v1/amazon-orders/{id}", "get"),
        (f"/api/v1/amazon-orders/{fba.pk}", "/api/v1/amazon-orders/{id}", "get"),
        (f"/api/v1/amazon-orders/{broken.pk}", "/api/v1/amazon-orders/{id}", "get"),
        ("/api/v1/orders", "/api/v1/orders", "get"),
        (f"/api/v1/orders/{imported.store_order_id}", "/api/v1/orders/{id}", "get"),
        ("/api/v1/products", "/api/v1/products", "get"),
        ("/api/v1/stock/SKU-1", "/api/v1/stock/{sku}", "get"),
    ]
    for url, path, method in checks:
        response = getattr(api, method)(url)
        assert response.status_code == 200, url
        validate(schema, path, method, 200, response.json())
    changed = api.patch(f"/api/v1/accounts/{account.pk}/settings", {"pending_orders": "reserve"}, format="json")
    validate(schema, "/api/v1/accounts/{id}/settings", "patch", 200, changed.json())
    outcome = api.post(f"/api/v1/amazon-orders/{fba.pk}/import")
    validate(schema, "/api/v1/amazon-orders/{id}/import", "post", outcome.status_code, outcome.json())
    refused = api.post(f"/api/v1/amazon-orders/{fba.pk}/retry")
    assert refused.status_code == 409
    validate(schema, "/api/v1/amazon-orders/{id}/retry", "post", 409, refused.json())


def test_the_validator_catches_a_mismatch(schema):
    with pytest.raises(AssertionError):
        validate(schema, "/api/v1/accounts", "get", 200, [{"id": "not a number"}])


def test_every_operation_documents_its_refusals_with_their_bodies(schema):
    """#22: each refusal the API can give is in the document, with the shape of its body."""
    for path, item in schema["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            assert {"401", "403", "429"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if op.get("parameters") or op.get("requestBody"):
                assert "400" in codes, (method, path)
                assert op["responses"]["400"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/FieldErrors"}
            for code, response in op["responses"].items():
                if not code.startswith("2"):
                    assert "application/json" in response.get("content", {}), (method, path, code)
            for param in op.get("parameters", []):
                if param["in"] == "path" and param["schema"]["type"] == "integer":
                    assert param["schema"]["minimum"] == 1, (method, path)
            if op.get("requestBody"):
                assert list(op["requestBody"]["content"]) == ["application/json"], (method, path)


def test_sync_answers_202_with_where_to_follow_it(schema, api, account):
    response = api.post(f"/api/v1/accounts/{account.pk}/sync")
    assert response.status_code == 202
    validate(schema, "/api/v1/accounts/{id}/sync", "post", 202, response.json())
    followed = api.get(response.json()["url"])
    validate(schema, "/api/v1/sync-requests/{id}", "get", 200, followed.json())
