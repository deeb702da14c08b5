"""Amazon's Listings Items, Feeds and listings-feed models for the tests, read from the
project's own copies (``saleschannel/spapi/sandbox/amazon_models``), and the checks of
requests and answers against them, in the manner of ``tests/spapi/contract.py``."""

from __future__ import annotations

import functools
import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote

import jsonschema

from saleschannel.spapi.sandbox.static import model

LISTINGS = "listingsItems_2021-08-01.json"
FEEDS = "feeds_2021-06-30.json"
MODELS = (LISTINGS, FEEDS)
FEED_SCHEMA = "listings-feed-schema-v2.json"
REPORT_SCHEMA = "listings-feed-processing-report-schema-v2.json"
MFN_NOTIFICATION = "ListingsItemMfnQuantityChange.json"
_formats = jsonschema.FormatChecker()


def operation(doc: dict[str, Any], operation_id: str) -> dict[str, Any]:
    for ops in doc["paths"].values():
        for op in ops.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return op
    raise KeyError(operation_id)


def static_cases(model_name: str, operation_id: str) -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for code, response in operation(model(model_name), operation_id)["responses"].items():
        for case in response.get("x-amzn-api-sandbox", {}).get("static", []):
            cases.append((code, case))
    return cases


@functools.cache
def _definition_validator(model_name: str, definition: str) -> jsonschema.Draft4Validator:
    schema = {"$ref": f"#/definitions/{definition}", "definitions": model(model_name)["definitions"]}
    return jsonschema.Draft4Validator(schema, format_checker=_formats)


def validate(model_name: str, definition: str, instance: object) -> None:
    _definition_validator(model_name, definition).validate(instance)


@functools.cache
def schema_validator(name: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(model(name), format_checker=_formats)


def validate_schema(name: str, instance: object) -> None:
    """Raise jsonschema.ValidationError when ``instance`` breaks the JSON schema ``name``."""
    schema_validator(name).validate(instance)


def _template(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + r"\Z")


def operation_for(method: str, raw_path: str) -> tuple[str, str, dict[str, Any]] | None:
    """(model, path template, operation) a request calls; ``raw_path`` still percent-encoded."""
    for name in MODELS:
        for template, ops in model(name)["paths"].items():
            op = ops.get(method.lower())
            if isinstance(op, dict) and _template(template).match(raw_path):
                return name, template, op
    return None


def _check_value(param: dict[str, Any], raw: str) -> None:
    name = param["name"]
    if param.get("type") == "array":
        values = raw.split(",")
        assert all(values), f"{name}: an empty item"
        if "maxItems" in param:
            assert len(values) <= param["maxItems"], f"{name}: more than {param['maxItems']} items"
        enum = param.get("items", {}).get("enum")
        if enum:
            assert set(values) <= set(enum), f"{name}: {values} outside {enum}"
    elif param.get("type") == "integer":
        assert raw.isdigit(), f"{name}: not an integer"
        if "maximum" in param:
            assert int(raw) <= param["maximum"], f"{name}: above {param['maximum']}"
    elif "enum" in param:
        assert raw in param["enum"], f"{name}: {raw} outside {param['enum']}"


def check_request(method: str, raw_path: str, query: str, body: bytes) -> None:
    """Assert that a Listings Items or Feeds request uses its operation as the model says:
    the path's segments, only defined query parameters with valid values, every required
    one, and a body that follows the operation's schema."""
    found = operation_for(method, raw_path)
    assert found is not None, f"{method} {raw_path} is no operation of the listings or feeds models"
    model_name, template, op = found
    segments = raw_path.split("/")
    for part, segment in zip(template.split("/"), segments, strict=True):
        if part.startswith("{"):
            assert unquote(segment), f"{part}: empty"
            assert re.fullmatch(r"[A-Za-z0-9._~%!$&'()*+,;=:@-]+", segment), f"{part}: not URL-encoded: {segment}"
    params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
    pairs = parse_qsl(query, keep_blank_values=True)
    names = [name for name, _ in pairs]
    assert len(names) == len(set(names)), f"{op['operationId']}: a parameter repeats"
    for name, raw in pairs:
        assert name in params, f"{op['operationId']} defines no parameter {name}"
        _check_value(params[name], raw)
    for name, param in params.items():
        if param.get("required"):
            assert name in names, f"{op['operationId']}: {name} is required"
    body_params = [p for p in op.get("parameters", []) if p["in"] == "body"]
    if body_params:
        validate(model_name, body_params[0]["schema"]["$ref"].split("/")[-1], json.loads(body))
    else:
        assert not body, f"{op['operationId']} takes no body"


def check_answer(method: str, raw_path: str, status: int, body: bytes) -> None:
    """Assert that an answer's body follows the schema the model gives its status."""
    found = operation_for(method, raw_path)
    assert found is not None, f"{method} {raw_path} is no operation of the listings or feeds models"
    model_name, _, op = found
    response = op["responses"].get(str(status))
    assert response is not None, f"{op['operationId']} defines no {status} answer"
    schema = response.get("schema")
    if schema is None:
        assert not body or body in (b"{}", b"null"), f"{op['operationId']} {status}: a body where none is defined"
        return
    validate(model_name, schema["$ref"].split("/")[-1], json.loads(body))
