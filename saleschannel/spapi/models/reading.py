"""The model's vocabulary (enums) and the helpers that read JSON by its rules.

Errors name the JSON path and what was expected, never the value found: a value may
be buyer data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

FULFILLMENT_STATUSES = (
    "PENDING_AVAILABILITY",
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
)
FULFILLED_BY = ("MERCHANT", "AMAZON")
PACKAGE_STATUSES = ("PENDING", "IN_TRANSIT", "SHIPPED", "DELIVERED", "CANCELLED", "UNDELIVERABLE")
INCLUDED_DATA = (
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "EXPENSE",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
    "PAYMENT",
    "FULFILLMENT_ORDERS",
)
#: What the channel asks for by default (C8).
DEFAULT_INCLUDED_DATA = ("BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "PACKAGES", "CANCELLATION")


class ModelError(ValueError):
    """JSON that does not follow the 2026-01-01 model; ``path`` says where."""

    def __init__(self, path: str, expected: str) -> None:
        self.path = path
        self.expected = expected
        super().__init__(f"{path}: {expected}")


T = TypeVar("T")


def kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def as_object(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ModelError(path, f"expected an object, got {kind(value)}")
    return value


def required(obj: dict[str, Any], key: str, path: str) -> Any:
    if key not in obj or obj[key] is None:
        raise ModelError(f"{path}.{key}", "required and missing")
    return obj[key]


def as_str(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise ModelError(path, f"expected a string, got {kind(value)}")
    return value


def opt_str(obj: dict[str, Any], key: str, path: str) -> str | None:
    value = obj.get(key)
    return None if value is None else as_str(value, f"{path}.{key}")


def as_int(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ModelError(path, f"expected an integer, got {kind(value)}")
    return value


def opt_int(obj: dict[str, Any], key: str, path: str) -> int | None:
    value = obj.get(key)
    return None if value is None else as_int(value, f"{path}.{key}")


def as_enum(value: object, allowed: tuple[str, ...], path: str) -> str:
    text = as_str(value, path)
    if text not in allowed:
        # Enum values are Amazon's vocabulary, not buyer data: safe to name.
        raise ModelError(path, f"{text!r} is not one of {', '.join(allowed)}")
    return text


def parse_datetime(value: object, path: str = "value") -> dt.datetime:
    """An ISO 8601 date-time with a zone (``Z`` or an offset), as an aware UTC datetime."""
    text = as_str(value, path)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ModelError(path, "expected an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise ModelError(path, "expected a date-time with a time zone")
    return parsed.astimezone(dt.UTC)


def opt_datetime(obj: dict[str, Any], key: str, path: str) -> dt.datetime | None:
    value = obj.get(key)
    return None if value is None else parse_datetime(value, f"{path}.{key}")


def as_list(obj: dict[str, Any], key: str, path: str, parse: Callable[[Any, str], T]) -> tuple[T, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ModelError(f"{path}.{key}", f"expected an array, got {kind(value)}")
    return tuple(parse(item, f"{path}.{key}[{i}]") for i, item in enumerate(value))


def optional(obj: dict[str, Any], key: str, path: str, parse: Callable[[Any, str], T]) -> T | None:
    value = obj.get(key)
    return None if value is None else parse(value, f"{path}.{key}")
