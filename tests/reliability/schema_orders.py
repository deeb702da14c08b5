"""Amazon orders drawn from the model's own JSON schema (``orders_2026-01-01.json``), with plain
hypothesis strategies: every object gets its required properties and any of its optional ones,
strings follow their format and enum, arrays are short. ``broken_orders`` then breaks one thing
against the model (a required field dropped, a value of the wrong type).

hypothesis-jsonschema would do the first part, but its newest release (0.23.1) fails against the
installed hypothesis ("'many' object has no attribute 'more'"), so the walk is done here.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

import saleschannel.spapi.sandbox

MODEL = Path(saleschannel.spapi.sandbox.__file__).parent / "amazon_models" / "orders_2026-01-01.json"
SKUS = ["SKU-A", "SKU-B", "SKU-GONE"]
MAX_DEPTH = 6


@cache
def definitions() -> dict[str, Any]:
    return json.loads(MODEL.read_text(encoding="utf-8"))["definitions"]


def validator() -> Any:
    import jsonschema

    return jsonschema.Draft4Validator({"$ref": "#/definitions/Order", "definitions": definitions()})


def _time(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


TIMES = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31)).map(_time)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
DECIMALS = st.decimals(min_value=-1000, max_value=10**6, places=2, allow_nan=False).map(str)


def _string(name: str, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    fmt = schema.get("format")
    if fmt == "date-time":
        return TIMES
    if fmt == "date":
        return TIMES.map(lambda t: t[:10])
    if name == "sellerSku":
        return st.sampled_from(SKUS) | TEXT
    if name in ("amount", "value"):
        return DECIMALS | TEXT
    if name == "currencyCode":
        return st.sampled_from(["USD", "EUR", "JPY"]) | TEXT
    if name == "orderId":
        return st.from_regex(r"\A[0-9]{3}-[0-9]{7}-[0-9]{7}\Z") | TEXT
    return TEXT


def strategy(schema: dict[str, Any], name: str = "", depth: int = 0) -> st.SearchStrategy[Any]:
    """Values that follow ``schema`` (a piece of Amazon's model)."""
    if "$ref" in schema:
        return _ref(schema["$ref"].rsplit("/", 1)[-1], name, depth)
    kind = schema.get("type", "object")
    if kind == "string":
        return _string(name, schema)
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum", -5), max_value=schema.get("maximum", 10**6))
    if kind == "number":
        return st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        size = 0 if depth > MAX_DEPTH else 3
        return st.lists(strategy(schema.get("items", {}), name, depth + 1), min_size=0, max_size=size)
    return _object(schema, depth)


def _ref(target: str, name: str, depth: int) -> st.SearchStrategy[Any]:
    return strategy(definitions()[target], name, depth + 1)


def _object(schema: dict[str, Any], depth: int) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    needed = {k: strategy(v, k, depth + 1) for k, v in properties.items() if k in required}
    optional = {} if depth > MAX_DEPTH else {
        k: strategy(v, k, depth + 1) for k, v in properties.items() if k not in required
    }
    return st.fixed_dictionaries(needed, optional=optional)


@st.composite
def orders(draw: st.DrawFn) -> dict[str, Any]:
    """An order as the model allows it, with at least one line (the model requires the array)."""
    order = draw(strategy(definitions()["Order"]))
    if not order["orderItems"]:
        order["orderItems"] = [draw(strategy(definitions()["OrderItem"], "", 1))]
    return order


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


WRONG = st.sampled_from([None, 0, -1, 10**30, 1.5, True, "", "x" * 300, [], {}, "<script>", "1e400"])


@st.composite
def broken_orders(draw: st.DrawFn) -> dict[str, Any]:
    """An order with one value replaced by one of the wrong type, or one key dropped."""
    order = draw(orders())
    path = draw(st.sampled_from(_paths(order)))
    parent: Any = order
    for key in path[:-1]:
        parent = parent[key]
    if draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(WRONG)
    return order


@st.composite
def likely_orders(draw: st.DrawFn) -> dict[str, Any]:
    """A model order nudged towards import (a known status and channel, readable prices) now and then,
    so the importer's deeper paths are reached as well as its refusals."""
    order = draw(orders())
    if draw(st.integers(0, 2)):
        order["fulfillment"] = {
            "fulfillmentStatus": draw(st.sampled_from(["UNSHIPPED", "PENDING", "SHIPPED", "CANCELLED"])),
            "fulfilledBy": draw(st.sampled_from(["MERCHANT", "AMAZON"])),
        }
        for item in order["orderItems"]:
            item["product"] = {**item.get("product", {}), "sellerSku": draw(st.sampled_from(SKUS))}
            item["product"]["price"] = {"unitPrice": {"amount": draw(DECIMALS), "currencyCode": "USD"}}
            item["quantityOrdered"] = draw(st.integers(0, 4))
            item.pop("proceeds", None)
        order["proceeds"] = {"grandTotal": {"amount": draw(DECIMALS), "currencyCode": "USD"}}
        order["orderId"] = draw(st.from_regex(r"\A[0-9]{3}-[0-9]{7}-[0-9]{7}\Z"))
        order["createdTime"] = draw(TIMES)
        order["lastUpdatedTime"] = max(order["createdTime"], draw(TIMES))
    return order
