"""R7 through the database: each line of the source's table "Order Creation with Multi Source
Inventory", for every inventory status it lists, with Pending Orders ``no_reserve`` (C11)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.channel.conftest import make_product, record_and_evaluate, reservations_of
from tests.channel.factories import amazon_order, order_dict
from tests.channel.test_rules import SOURCE_TABLE

pytestmark = pytest.mark.django_db

ORDERED = 2
CASES = [
    pytest.param(channel, inventory, status, create == "Yes", reserved == "Yes", id=f"{channel}-{status}-{inventory}")
    for channel, inventories, status, create, reserved in SOURCE_TABLE
    for inventory in inventories.split("<br/>")
]


def _stock_for(inventory: str) -> None:
    if inventory == "In-stock":
        make_product("SKU-A", qty=5)
    elif inventory == "Out-of-stock":
        make_product("SKU-A", qty=1)
    else:
        make_product("SKU-A", manage_stock=False)


def _order(channel: str, status: str):
    if status == "Error":
        # The channel's own status: an order whose JSON cannot be read.
        body = order_dict(channel=channel, items=[("SKU-A", ORDERED)])
        del body["orderItems"]
        from saleschannel.spapi.models import read_order

        return read_order(body)
    return amazon_order(channel=channel, status=status, items=[("SKU-A", ORDERED)])


@pytest.mark.parametrize(("channel", "inventory", "status", "created", "reserved"), CASES)
def test_r7_source_table_line_order_created_and_inventory_reserved(
    enabled_account, channel, inventory, status, created, reserved
):
    _stock_for(inventory)
    stored, outcome = record_and_evaluate(enabled_account, _order(channel, status))

    assert stored.status == status
    assert (stored.store_order_id is not None) is created
    assert outcome.created is created
    if created:
        held = reservations_of("order", stored.store_order_id)
        expected = {"SKU-A": Decimal(-ORDERED)} if reserved and inventory == "In-stock" else {}
        assert held == expected
        assert stored.import_state == "imported"
    else:
        assert stored.import_state != "imported"
    # Pending Orders no_reserve: no Amazon order ever holds a pending reservation.
    assert reservations_of("amazon_order", stored.amazon_order_id) == {}


def test_r7_source_table_lines_all_have_a_test():
    assert len(CASES) == sum(len(inv.split("<br/>")) for _, inv, *_ in SOURCE_TABLE) == 42
