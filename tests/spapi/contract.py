"""Checks of requests and answers against Amazon's models.

``check_request`` says whether a request to an Orders API operation uses only the
parameters that operation defines, with values of the declared types and enums, and
a body that follows its schema. ``check_answer`` validates an answer's body against
the schema the model gives for its status.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

import jsonschema

from tests.spapi import amazon

MODELS = ("orders_2026-01-01.json", "ordersV0.json")


def _template_pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + r"\Z")


def operation_for(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    """(model file, operation object) of the model operation a request calls."""
    for name in MODELS:
        doc = amazon.model(name)
        for template, ops in doc["paths"].items():
            op = ops.get(method.lower())
            if isinstance(op, dict) and _template_pattern(template).match(path):
                return name, op
    return None


def _check_value(param: dict[str, Any], raw: str) -> None:
    name = param["name"]
    if param.get("type") == "array":
        values = raw.split(",")
        assert values and all(values), f"{name}: empty array item"
        if "maxItems" in param:
            assert len(values) <= param["maxItems"], f"{name}: too many items"
        enum = param["items"].get("enum")
        if enum:
            assert set(values) <= set(enum), f"{name}: {values} outside {enum}"
    elif param.get("type") == "integer":
        assert raw.isdigit(), f"{name}: not an integer"
    elif param.get("format") == "date-time":
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", raw), (
            f"{name}: not UTC with Z: {raw}"
        )


def check_request(method: str, path: str, query: str, body: bytes) -> None:
    """Assert that a request uses its operation as the model defines it."""
    found = operation_for(method, path)
    assert found is not None, f"{method} {path} is no operation of the models"
    model_name, op = found
    params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
    names = [name for name, _ in parse_qsl(query, keep_blank_values=True)]
    assert len(names) == len(set(names)), f"{op['operationId']}: a parameter repeats: {names}"
    for name, raw in parse_qsl(query, keep_blank_values=True):
        assert name in params, f"{op['operationId']} defines no parameter {name}"
        _check_value(params[name], raw)
    body_params = [p for p in op.get("parameters", []) if p["in"] == "body"]
    if body_params:
        definition = body_params[0]["schema"]["$ref"].split("/")[-1]
        amazon.validate(model_name, definition, json.loads(body))
    else:
        assert not body, f"{op['operationId']} takes no body"


def check_answer(method: str, path: str, status: int, body: bytes) -> None:
    """Assert that an answer's body follows the schema the model gives its status."""
    found = operation_for(method, path)
    assert found is not None
    model_name, op = found
    response = op["responses"].get(str(status))
    assert response is not None, f"{op['operationId']} defines no {status} answer"
    schema = response.get("schema")
    if schema is None:
        assert not body, f"{op['operationId']} {status} has no body in the model"
        return
    try:
        amazon.validate(model_name, schema["$ref"].split("/")[-1], json.loads(body))
    except jsonschema.ValidationError as exc:
        raise AssertionError(
            f"{op['operationId']} {status}: {exc.message} at {list(exc.absolute_path)}"
        ) from None
