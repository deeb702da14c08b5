"""The OpenAPI document's finishing: every refusal the API can answer, with its body's shape.

A post-processing hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``), so that an operation
added later is described the same way without repeating it:

- 400 ``FieldErrors`` (``{field: [message]}``) where the operation takes parameters or a body;
- 401, 403 and 429 (an address locked out after failed sign-ins) ``Error`` (``{detail}``) on all;
- 404 ``Error`` where the path names an object; path ids are whole numbers from 1;
- 409 keeps the shape the view gave it, else ``Error``;
- request bodies are JSON objects; the ones named in ``STRICT_BODIES`` are required and refuse
  unknown fields and an empty change, as their views do.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse

from saleschannel.api.params import MAX_ID, NO_NUL

FIELD_ERRORS = {
    "type": "object",
    "description": "each refused field (or non_field_errors) with what is wrong with it",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "minProperties": 1,
}
ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
#: A 409 of a change the rules refuse as the account's settings stand; the field named, as a 400.
RULES_REFUSED = OpenApiResponse(
    response={"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
              "minProperties": 1},
    description="refused by the rules as the account's settings stand: {field: [message]}",
)
DESCRIPTIONS = {
    "400": "refused input: {field: [message]}, each field named",
    "401": "not authenticated",
    "403": "not allowed: reading needs staff rights, changes need a manager",
    "404": "no such object",
    "409": "refused as things stand",
    "429": "too many failed sign-ins from this address",
}
#: Request bodies that refuse unknown fields and an empty change (settings changed field by field).
STRICT_BODIES = {"OrderSettings", "PatchedOrderSettings", "StockSettings", "PatchedStockSettings"}


def _ref(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _error_response(code: str, given: dict[str, Any] | None) -> dict[str, Any]:
    response = dict(given or {})
    response.setdefault("description", DESCRIPTIONS.get(code, ""))
    if not response.get("content"):
        response["content"] = _ref("FieldErrors" if code == "400" else "Error")
    return response


def finish(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    schemas.setdefault("Error", ERROR)
    for name in STRICT_BODIES & set(schemas):
        schemas[name] = {**schemas[name], "additionalProperties": False, "minProperties": 1}
    for path, item in result.get("paths", {}).items():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            params = operation.get("parameters", [])
            for param in params:
                if param.get("in") != "path":
                    continue
                schema = param.setdefault("schema", {})
                if schema.get("type") == "integer":
                    schema.update({"minimum": 1, "maximum": MAX_ID, "format": "int64"})
                elif schema.get("type") == "string" and "pattern" not in schema:
                    schema.update({"pattern": NO_NUL, "minLength": 1})
            body = operation.get("requestBody")
            if body:
                content = body.get("content", {})
                body["content"] = {"application/json": content.get("application/json") or {"schema": {}}}
                ref = body["content"]["application/json"].get("schema", {}).get("$ref", "")
                if ref.rsplit("/", 1)[-1] in STRICT_BODIES:
                    body["required"] = True  # no body is no change: refused
            codes = ["401", "403", "429"]
            if params or body:
                codes.append("400")
            if "{" in path:
                codes.append("404")
            if "409" in responses:
                codes.append("409")
            for code in codes:
                responses[code] = _error_response(code, responses.get(code))
    return result
