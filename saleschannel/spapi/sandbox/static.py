"""Amazon's own static sandbox cases, read from the models they are embedded in
(``x-amzn-api-sandbox`` → ``static``): a request that matches one gets its answer."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any


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
