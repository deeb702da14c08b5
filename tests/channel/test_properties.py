"""Property test: random streams of Amazon status changes over random orders, stock levels and
settings changes keep the import's invariants (R4, R12, R15, R17, C13, the import states table)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saleschannel.channel.models import AmazonOrder
from saleschannel.channel.services.accounts import account_connect
from saleschannel.channel.services.imports.importer import (
    amazon_order_evaluate,
    amazon_order_record,
    waiting_orders_evaluate,
)
from saleschannel.channel.services.settings import order_settings_update
from saleschannel.commerce.catalog.services import product_create
from saleschannel.commerce.inventory.selectors import open_reservations
from saleschannel.commerce.inventory.services import source_item_set
from saleschannel.commerce.sales.models import Order as StoreOrder
from saleschannel.spapi.models import read_order
from tests.channel.factories import T0, order_dict

pytestmark = pytest.mark.django_db

STATUSES = ["Pending", "PendingAvailability", "Unshipped", "PartiallyShipped", "Shipped", "Canceled",
            "Unfulfillable"]
SKUS = ["MANAGED-A", "MANAGED-B", "UNMANAGED", "UNMATCHED"]

orders_strategy = st.lists(
    st.fixed_dictionaries({
        "channel": st.sampled_from(["FBA", "FBM"]),
        "before_integration": st.sampled_from([False, False, False, True]),
        "items": st.lists(st.tuples(st.sampled_from(SKUS), st.sampled_from([1, 1, 2, 3, 0])), min_size=1, max_size=3),
    }),
    min_size=1, max_size=4,
)
step_strategy = st.one_of(
    # Statuses that can create come more often, so that streams reach creation and cancellation.
    st.tuples(st.just("status"), st.integers(0, 3), st.sampled_from([*STATUSES, "Unshipped", "Shipped", "Shipped"])),
    st.tuples(st.just("status"), st.integers(0, 3), st.sampled_from(["Unshipped", "Shipped", "Canceled"])),
    st.tuples(st.just("stock"), st.sampled_from(SKUS[:2]), st.integers(0, 6)),
    st.tuples(st.just("settings"), st.sampled_from([
        {"import_orders": "enabled"}, {"import_orders": "disabled"},
        {"import_orders": "enabled", "pending_orders": "reserve"},
        {"import_orders": "enabled", "pending_orders": "no_reserve"},
        {"import_orders": "enabled", "customer_creation": "new_account"},
    ]), st.just(None)),
    st.tuples(st.just("wake"), st.just(None), st.just(None)),
)


def _setup():
    account, _ = account_connect(name="prop", seller_id="PROPSELLER", marketplace_id="ATVPDKIKX0DER", region="na",
                                 refresh_token="Atzr|x", client_id="cid", client_secret="sec", now=T0)
    product_create(sku="MANAGED-A", name="A", price=Decimal(5), qty=2)
    product_create(sku="MANAGED-B", name="B", price=Decimal(5), qty=0)
    product_create(sku="UNMANAGED", name="U", price=Decimal(5), manage_stock=False)
    return account


def _run(account, orders, steps):
    clock = T0 + dt.timedelta(minutes=1)
    ids = [f"900-{n:07d}-0000001" for n in range(len(orders))]
    for kind, a, b in steps:
        clock += dt.timedelta(minutes=7)
        if kind == "status" and a < len(orders):
            spec = orders[a]
            created = T0 - dt.timedelta(days=1) if spec["before_integration"] else T0 + dt.timedelta(seconds=30)
            body = order_dict(order_id=ids[a], status=b, channel=spec["channel"], items=spec["items"],
                              created=created, updated=clock, prices=b not in ("Pending", "PendingAvailability"))
            stored, _ = amazon_order_record(account=account, order=read_order(body), seen_at=clock)
            amazon_order_evaluate(amazon_order=stored, now=clock)
        elif kind == "stock":
            source_item_set(source=None, sku=a, quantity=b)
            waiting_orders_evaluate(account=account, skus=[a], now=clock)
        elif kind == "settings":
            order_settings_update(account=account, changes=a, now=clock)
        elif kind == "wake":
            waiting_orders_evaluate(account=account, now=clock)


def _check_invariants(account):
    # R15: at most one store order per Amazon order.
    per_order = StoreOrder.objects.values("external_id").annotate(n=Count("id")).filter(n__gt=1)
    assert not per_order.exists()
    for ao in AmazonOrder.objects.filter(account=account).select_related("store_order"):
        # R4: no store order for an order placed before integration.
        if ao.purchase_date < account.integrated_at:
            assert ao.store_order_id is None
            assert ao.import_state == "not_importable"
        # R12: FBA orders never reserve, neither pending nor as store orders.
        if ao.channel == "FBA":
            assert open_reservations(object_type="amazon_order", object_id=ao.amazon_order_id) == {}
            if ao.store_order_id:
                assert open_reservations(object_type="order", object_id=str(ao.store_order_id)) == {}
        # C13: the reservations of a canceled order sum to zero.
        if ao.store_order_id and ao.store_order.state == "canceled":
            assert open_reservations(object_type="order", object_id=str(ao.store_order_id)) == {}
        if ao.status in ("Canceled", "Unfulfillable"):
            assert open_reservations(object_type="amazon_order", object_id=ao.amazon_order_id) == {}
        # The pending reservation flag tells the truth.
        held = open_reservations(object_type="amazon_order", object_id=ao.amazon_order_id)
        assert bool(held) == ao.holds_pending_reservation
        # Every waiting order states a reason; an imported one shows its number.
        if ao.import_state == "waiting":
            assert ao.reason.strip()
        assert (ao.import_state == "imported") == (ao.store_order_id is not None)
        # The streams hold only valid data: nothing fails, except an order whose every line is 0 (C12).
        if ao.import_state == "error":
            assert ao.reason_code == "no_lines", ao.reason


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(orders=orders_strategy, steps=st.lists(step_strategy, min_size=1, max_size=14),
       start_enabled=st.sampled_from([True, True, True, False]))
def test_import_invariants_hold_over_random_streams_of_changes(store_defaults, orders, steps, start_enabled):
    with transaction.atomic():
        account = _setup()
        if start_enabled:
            order_settings_update(account=account, changes={"import_orders": "enabled"}, now=T0)
        _run(account, orders, steps)
        _check_invariants(account)
        transaction.set_rollback(True)
