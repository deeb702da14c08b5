"""Random streams of shipments and cancellations against a plain model of an order: the source
quantities, the reservation ledger and the order's state always agree with it (R21, C13)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saleschannel.commerce.catalog.services import product_create
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.sales.services import OrderLine, OrderTotals, order_create, order_reserve
from saleschannel.commerce.shipping.services import order_rest_cancel, shipment_create
from tests.shipping.conftest import ledger, source_qty

pytestmark = pytest.mark.django_db

SKUS = ("P-A", "P-B", "P-UNMANAGED")
steps_strategy = st.lists(
    st.tuples(st.sampled_from(["ship", "cancel"]), st.integers(0, 2), st.integers(1, 3)), min_size=1, max_size=8
)
ordered_strategy = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 2))


def _setup(store, ordered):
    product_create(sku="P-A", name="A", price=Decimal(1), qty=20)
    product_create(sku="P-B", name="B", price=Decimal(1), qty=20)
    product_create(sku="P-UNMANAGED", name="U", price=Decimal(1), manage_stock=False)
    order = order_create(store=store, number="P1", email="p@example.com", firstname="P", lastname="Q",
                         currency="USD", totals=OrderTotals(),
                         lines=[OrderLine(sku=sku, name=sku, qty=Decimal(q), price=Decimal(1))
                                for sku, q in zip(SKUS, ordered, strict=True)])
    order_reserve(order=order)
    return order


def _apply(order, kind, line, qty, model):
    item = order.items.order_by("pk")[line]
    left = model["ordered"][line] - model["shipped"][line] - model["canceled"][line]
    if kind == "cancel" and model["finished"]:
        order_rest_cancel(order=order, lines=[(item.pk, qty)])  # a finished order: canceling changes nothing
        return
    try:
        if kind == "ship":
            shipment_create(order=order, lines=[(item.pk, qty)], carrier_code="UPS", tracking_number="T")
        else:
            order_rest_cancel(order=order, lines=[(item.pk, qty)])
    except InvalidInput:
        assert qty > left or model["finished"], (kind, line, qty, model)
        return
    assert qty <= left and not model["finished"]
    model["shipped" if kind == "ship" else "canceled"][line] += qty
    if all(o - s - c == 0 for o, s, c in zip(model["ordered"], model["shipped"], model["canceled"], strict=True)):
        model["finished"] = True


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(ordered=ordered_strategy, steps=steps_strategy)
def test_stock_ledger_and_state_follow_shipments_and_cancellations(store_defaults, ordered, steps):
    with transaction.atomic():
        order = _setup(store_defaults, ordered)
        model = {"ordered": list(ordered), "shipped": [0, 0, 0], "canceled": [0, 0, 0], "finished": False}
        for kind, line, qty in steps:
            _apply(order, kind, line, qty, model)
        order.refresh_from_db()
        for n, sku in enumerate(SKUS[:2]):
            assert source_qty(sku) == 20 - model["shipped"][n]
            held = model["ordered"][n] - model["shipped"][n] - model["canceled"][n]
            assert ledger(order)[sku] == -held
        items = list(order.items.order_by("pk"))
        assert [i.qty_shipped for i in items] == model["shipped"]
        assert [i.qty_canceled for i in items] == model["canceled"]
        if model["finished"]:
            assert order.state == ("complete" if any(model["shipped"]) else "canceled")
            assert set(ledger(order).values()) == {0}  # C13: a finished order holds nothing
        else:
            assert order.state == ("processing" if any(model["shipped"]) else "new")
        transaction.set_rollback(True)
