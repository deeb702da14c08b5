"""Amazon's models for the tests: the project's own unmodified copies (the sandbox's
``amazon_models/``, see its SOURCE.txt), their static sandbox cases, and JSON-schema
validators that resolve the models' ``#/definitions``."""

from __future__ import annotations

import datetime as dt
import functools
import json
from importlib import resources
from typing import Any

import jsonschema

MODELS = resources.files("saleschannel.spapi.sandbox").joinpath("amazon_models")


@functools.cache
def model(name: str) -> dict[str, Any]:
    return json.loads(MODELS.joinpath(name).read_text(encoding="utf-8"))


def orders_model() -> dict[str, Any]:
    return model("orders_2026-01-01.json")


def v0_model() -> dict[str, Any]:
    return model("ordersV0.json")


def operation(doc: dict[str, Any], operation_id: str) -> dict[str, Any]:
    for ops in doc["paths"].values():
        for op in ops.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return op
    raise KeyError(operation_id)


def static_cases(doc: dict[str, Any], operation_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(status code, case) for every static sandbox case of one operation."""
    cases = []
    for code, response in operation(doc, operation_id)["responses"].items():
        for case in response.get("x-amzn-api-sandbox", {}).get("static", []):
            cases.append((code, case))
    return cases


_formats = jsonschema.FormatChecker()


@_formats.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("no time zone")
    return True


@functools.cache
def _validator(model_name: str, definition: str) -> jsonschema.Draft4Validator:
    doc = model(model_name)
    schema = {"$ref": f"#/definitions/{definition}", "definitions": doc["definitions"]}
    return jsonschema.Draft4Validator(schema, format_checker=_formats)


def validate(model_name: str, definition: str, instance: object) -> None:
    """Raise jsonschema.ValidationError when ``instance`` breaks the model's definition."""
    _validator(model_name, definition).validate(instance)


def response_definition(doc: dict[str, Any], operation_id: str, status: int) -> str | None:
    """The definition a response of that status must follow, or None for no body."""
    response = operation(doc, operation_id)["responses"].get(str(status))
    if response is None:
        raise AssertionError(f"{operation_id} does not define a {status} response")
    schema = response.get("schema")
    return None if schema is None else schema["$ref"].split("/")[-1]


@functools.cache
def _notification_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(model("OrderChangeNotification.json"), format_checker=_formats)


def validate_notification(instance: object) -> None:
    _notification_validator().validate(instance)
