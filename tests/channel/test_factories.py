"""The test factory's orders follow Amazon's Orders API 2026-01-01 model and parse as orders."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import saleschannel.spapi.sandbox
from saleschannel.spapi.models import Order, read_order
from tests.channel.factories import order_dict

MODEL = Path(saleschannel.spapi.sandbox.__file__).parent / "amazon_models" / "orders_2026-01-01.json"


@pytest.fixture(scope="module")
def order_schema():
    model = json.loads(MODEL.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator({"$ref": "#/definitions/Order", "definitions": model["definitions"]})


@pytest.mark.parametrize("kwargs", [
    {},
    {"status": "Pending", "prices": False},
    {"channel": "FBA", "status": "Shipped", "buyer_email": None, "buyer_name": None, "address": False},
    {"items": [("A", 1, "9.99"), ("B", 0), ("A", 2)], "currency": "EUR", "tax": "1.50"},
    {"status": "Canceled"},
])
def test_factory_orders_follow_amazons_model(order_schema, kwargs):
    body = order_dict(**kwargs)
    errors = [e.message for e in order_schema.iter_errors(body)]
    assert errors == []
    assert isinstance(read_order(body), Order)


def test_the_schema_check_can_fail(order_schema):
    body = order_dict()
    body["orderItems"][0]["quantityOrdered"] = "2"
    assert list(order_schema.iter_errors(body))
