"""T5's marks in the store core: every change that can move a SKU's salable quantity makes the
(stock, SKU) version grow, in the same transaction as the change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from saleschannel.commerce.catalog.services import product_create, product_update
from saleschannel.commerce.inventory.errors import InsufficientStock
from saleschannel.commerce.inventory.models import ReservationLock, Source, Stock, StockSourceLink
from saleschannel.commerce.inventory.services import (
    reservation_append,
    reservation_compensate,
    reservation_transfer,
    shipment_deduct,
    source_item_set,
)

pytestmark = pytest.mark.django_db
D = Decimal


class Rollback(Exception):
    pass


def version(stock, sku="MUG-1") -> int:
    row = ReservationLock.objects.filter(stock=stock, sku=sku).first()
    return 0 if row is None else row.version


def reserve(stock, key, qty=2, obj=("order", "1"), **kw):
    return reservation_append(stock=stock, lines=[("MUG-1", D(qty))], event_type="order_placed",
                              object_type=obj[0], object_id=obj[1], event_key=key, **kw)


def test_t5_a_new_product_marks_its_sku(stock, store_defaults):
    product_create(sku="NEW", name="New", price=1)
    assert version(stock, "NEW") == 1


def test_t5_source_quantity_set_bumps_the_version(stock, mug):
    before = version(stock)
    source_item_set(source=None, sku="MUG-1", quantity=7)
    source_item_set(source=None, sku="MUG-1", quantity=3)
    assert version(stock) == before + 2


def test_t5_source_quantity_set_marks_every_stock_the_source_feeds(stock, mug):
    other = Stock.objects.create(name="Other")
    StockSourceLink.objects.create(stock=other, source=Source.objects.get(code="default"))
    unlinked = Stock.objects.create(name="Unlinked")
    source_item_set(source=None, sku="MUG-1", quantity=7)
    assert version(other) == 1
    assert version(unlinked) == 0


def test_t5_reservation_append_and_compensate_bump_the_version(stock, mug):
    before = version(stock)
    reserve(stock, "k1")
    assert version(stock) == before + 1
    reservation_compensate(stock=stock, object_type="order", object_id="1", event_type="cancel", event_key="k2")
    assert version(stock) == before + 2


def test_t5_a_replayed_reservation_leaves_the_version(stock, mug):
    reserve(stock, "k1")
    before = version(stock)
    assert not reserve(stock, "k1")
    assert version(stock) == before


def test_t5_a_refused_reservation_leaves_the_version(stock, mug):
    before = version(stock)
    with pytest.raises(InsufficientStock):
        reserve(stock, "k1", qty=50)
    assert version(stock) == before


def test_t5_transfer_bumps_the_version(stock, mug):
    reserve(stock, "k1", obj=("amazon_order", "A"))
    before = version(stock)
    reservation_transfer(stock=stock, from_object=("amazon_order", "A"), to_object=("order", "1"), event_key="t")
    assert version(stock) > before


def test_t5_shipment_bumps_the_version_also_without_a_reservation(stock, mug):
    before = version(stock)
    shipment_deduct(stock=stock, source=None, object_type="order", object_id="9", lines=[("MUG-1", D(1))],
                    event_key="ship-9")
    assert version(stock) > before


def test_t5_product_manage_stock_and_status_changes_bump_the_version(stock, mug):
    before = version(stock)
    product_update(sku="MUG-1", manage_stock=False)
    assert version(stock) == before + 1
    product_update(sku="MUG-1", enabled=False)
    assert version(stock) == before + 2
    product_update(sku="MUG-1", enabled=False, manage_stock=False)  # nothing changes
    assert version(stock) == before + 2


@pytest.mark.parametrize("change", ["source", "reserve", "ship", "product"])
def test_t5_the_mark_is_in_the_same_transaction_as_the_change(stock, mug, change):
    before = version(stock)
    with pytest.raises(Rollback), transaction.atomic():
        if change == "source":
            source_item_set(source=None, sku="MUG-1", quantity=1)
        elif change == "reserve":
            reserve(stock, "k1")
        elif change == "ship":
            shipment_deduct(stock=stock, source=None, object_type="order", object_id="9",
                            lines=[("MUG-1", D(1))], event_key="ship-9")
        else:
            product_update(sku="MUG-1", enabled=False)
        assert version(stock) > before
        raise Rollback
    assert version(stock) == before
