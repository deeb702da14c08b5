"""Amazon's own static sandbox cases, read from the models they are embedded in
(``x-amzn-api-sandbox`` → ``static``): a request that matches one gets its answer."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import unquote

from saleschannel.spapi.sandbox.wire import Request, Response, json_response


@dataclass(frozen=True)
class StaticCase:
    operation: str
    status: int
    parameters: dict[str, Any]
    response: Any


@functools.cache
def model(name: str) -> dict[str, Any]:
    """One of Amazon's models shipped with the sandbox (``amazon_models/``)."""
    text = resources.files("saleschannel.spapi.sandbox").joinpath("amazon_models", name).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@functools.cache
def static_cases() -> tuple[StaticCase, ...]:
    cases = []
    for name in ("orders_2026-01-01.json", "ordersV0.json"):
        for ops in model(name)["paths"].values():
            for op in ops.values():
                if isinstance(op, dict):
                    cases.extend(_cases_of(op))
    return tuple(cases)


def _cases_of(op: dict[str, Any]) -> list[StaticCase]:
    found = []
    for status, response in op.get("responses", {}).items():
        for case in response.get("x-amzn-api-sandbox", {}).get("static", []):
            params = {k: v["value"] for k, v in case.get("request", {}).get("parameters", {}).items()}
            found.append(StaticCase(op["operationId"], int(status), params, case.get("response")))
    return found


def match(operation: str, parameters: dict[str, Any]) -> StaticCase | None:
    """The static case whose parameters are exactly those of the request, if any."""
    for case in static_cases():
        if case.operation == operation and case.parameters == parameters:
            return case
    return None


# --- the Listings Items and Feeds models: a case names only some parameters -------------

LISTINGS_MODELS = ("listingsItems_2021-08-01.json", "feeds_2021-06-30.json")


@functools.cache
def listings_cases() -> tuple[StaticCase, ...]:
    """The static cases of the Listings Items and Feeds models that name their parameters
    (the cases that name none stand for any request: the sandbox's own logic answers those)."""
    cases = []
    for name in LISTINGS_MODELS:
        for ops in model(name)["paths"].values():
            for op in ops.values():
                if not isinstance(op, dict):
                    continue
                for status, response in op.get("responses", {}).items():
                    for case in response.get("x-amzn-api-sandbox", {}).get("static", []):
                        given = case.get("request", {}).get("parameters", {})
                        params = {k: v["value"] for k, v in given.items() if isinstance(v, dict) and "value" in v}
                        if params:
                            cases.append(StaticCase(op["operationId"], int(status), params, case.get("response")))
    return tuple(cases)


@functools.cache
def parameter_types(operation: str) -> dict[str, str]:
    """name -> the model's type ("array", "integer", "boolean", "string", "body")."""
    for name in LISTINGS_MODELS:
        for ops in model(name)["paths"].values():
            for op in ops.values():
                if isinstance(op, dict) and op.get("operationId") == operation:
                    return {
                        p["name"]: "body" if p["in"] == "body" else p.get("type", "string")
                        for p in op.get("parameters", [])
                    }
    return {}


def typed(operation: str, raw: dict[str, str]) -> dict[str, Any]:
    """A request's path and query parameters as the static cases write them."""
    types = parameter_types(operation)
    params: dict[str, Any] = {}
    for name, value in raw.items():
        kind = types.get(name, "string")
        if kind == "array":
            params[name] = value.split(",")
        elif kind == "integer" and value.isdigit():
            params[name] = int(value)
        elif kind == "boolean":
            params[name] = value == "true"
        else:
            params[name] = value
    return params


def match_named(operation: str, parameters: dict[str, Any]) -> StaticCase | None:
    """The static case all of whose named parameters the request has, with those values."""
    for case in listings_cases():
        if case.operation == operation and all(
            key in parameters and parameters[key] == value for key, value in case.parameters.items()
        ):
            return case
    return None


_PATH_NAMES = {"seller_id": "sellerId", "sku": "sku", "feed_id": "feedId", "document_id": "feedDocumentId"}


def listings_answer(operation: str, request: Request, match: re.Match[str]) -> Response | None:
    """Amazon's static answer to a Listings Items or Feeds request, when one matches."""
    if not parameter_types(operation):
        return None
    raw = {_PATH_NAMES.get(k, k): unquote(v) for k, v in match.groupdict().items()}
    raw.update(dict(request.query()))
    params = typed(operation, raw)
    if request.body:
        try:
            params["body"] = request.json()
        except (ValueError, UnicodeDecodeError):
            return None
    case = match_named(operation, params)
    if case is None:
        return None
    if case.response is None:
        return Response(case.status)
    return json_response(case.status, case.response)
