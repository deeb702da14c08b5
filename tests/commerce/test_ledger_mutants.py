"""The reservation ledger where mutation testing found the other tests silent (docs/mutation.md).

Two stocks and two sources (every other test has one of each), the event type a transfer
records, the fields a refusal names, and the signal's sender.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from saleschannel.commerce.catalog.services import product_create
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.inventory.models import (
    Reservation,
    ReservationLock,
    Source,
    SourceItem,
    Stock,
    StockSourceLink,
)
from saleschannel.commerce.inventory.selectors import open_reservations, stock_for_store
from saleschannel.commerce.inventory.services import (
    reservation_append,
    reservation_compensate,
    reservation_transfer,
    shipment_deduct,
    shipment_deduct_undo,
    source_item_set,
)
from saleschannel.commerce.inventory.signals import salable_increased

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def stock(store_defaults):
    product_create(sku="P", name="P", price=1, manage_stock=True, qty=10)
    return stock_for_store(store=store_defaults)


@pytest.fixture
def second_stock(stock):
    other = Source.objects.create(code="second", name="Second source")
    second = Stock.objects.create(name="Second stock")
    StockSourceLink.objects.create(stock=second, source=other)
    source_item_set(source="second", sku="P", quantity=10)
    return second


def reserve(stock, object_id, qty, key):
    assert reservation_append(stock=stock, lines=[("P", D(qty))], event_type="reserve", object_type="order",
                              object_id=object_id, event_key=key)


def test_releasing_on_one_stock_leaves_the_objects_reservations_on_another(stock, second_stock):
    reserve(stock, "1", 2, "a")
    reserve(second_stock, "1", 3, "b")
    assert reservation_compensate(stock=stock, object_type="order", object_id="1", event_type="release",
                                  event_key="c")
    assert open_reservations(object_type="order", object_id="1", stock=stock) == {}
    assert open_reservations(object_type="order", object_id="1", stock=second_stock) == {"P": D(-3)}


def test_a_shipment_takes_its_units_from_its_own_source_only(stock, second_stock):
    reserve(stock, "1", 2, "a")
    assert shipment_deduct(stock=stock, source=None, object_type="order", object_id="1", lines=[("P", D(2))],
                           event_key="ship")
    quantities = dict(SourceItem.objects.values_list("source__code", "quantity"))
    assert quantities == {"default": D(8), "second": D(10)}
    assert set(Reservation.objects.filter(event_key="ship").values_list("event_type", flat=True)) == {"shipment"}


def test_a_transfer_moves_the_held_units_and_records_itself_as_a_transfer(stock):
    assert reservation_append(stock=stock, lines=[("P", D(2))], event_type="reserve", object_type="amazon_order",
                              object_id="amazon-1", event_key="a")
    reserve(stock, "amazon-1", 1, "b")  # an order that happens to share the id holds its own units
    assert reservation_transfer(stock=stock, from_object=("amazon_order", "amazon-1"), to_object=("order", "7"),
                                event_key="t2")
    assert open_reservations(object_type="amazon_order", object_id="amazon-1") == {}
    assert open_reservations(object_type="order", object_id="7") == {"P": D(-2)}
    assert open_reservations(object_type="order", object_id="amazon-1") == {"P": D(-1)}
    rows = list(Reservation.objects.filter(event_key="t2").values_list("object_type", "event_type", "quantity"))
    assert sorted(rows) == [("amazon_order", "transfer", D(2)), ("order", "transfer", D(-2))]


def test_refusals_name_their_field(stock):
    with pytest.raises(InvalidInput) as refused:
        reserve(stock, "1", 0, "zero")
    assert refused.value.field == "qty of P"
    Source.objects.create(code="empty", name="Empty")
    with pytest.raises(InvalidInput) as refused:
        shipment_deduct(stock=stock, source="empty", object_type="order", object_id="1", lines=[("P", D(1))],
                        event_key="nothing-there")
    assert refused.value.field == "sku"
    assert refused.value.reason == "has no quantity on source empty"


@pytest.mark.django_db(transaction=True)
def test_salable_increased_is_sent_by_the_stock_class(stock):
    heard = []

    def receiver(sender, stock=None, skus=(), **_):
        heard.append((sender, stock, tuple(skus)))

    salable_increased.connect(receiver, sender=Stock, weak=False)
    try:
        with transaction.atomic():
            source_item_set(source=None, sku="P", quantity=20)
    finally:
        salable_increased.disconnect(receiver, sender=Stock)
    assert heard == [(Stock, stock, ("P",))]


def test_a_corrected_shipment_puts_units_back_on_its_source_and_reserves_them_again(stock):
    product_create(sku="U", name="U", price=1, manage_stock=False)
    other = Stock.objects.create(name="Fed by the same source")
    StockSourceLink.objects.create(stock=other, source=Source.objects.get(code="default"))
    reserve(stock, "1", 3, "a")
    assert shipment_deduct(stock=stock, source=None, object_type="order", object_id="1", lines=[("P", D(3))],
                           event_key="ship")
    assert open_reservations(object_type="order", object_id="1", stock=stock) == {}
    before = dict(ReservationLock.objects.filter(sku="P").values_list("stock_id", "version"))
    unmanaged = list(ReservationLock.objects.filter(sku="U").values_list("stock_id", "version", "reserved"))

    assert shipment_deduct_undo(stock=stock, source=Source.objects.get(code="default"), object_type="order",
                                object_id="1", lines=[("P", D(2)), ("U", D(1))], event_key="undo") is True
    assert SourceItem.objects.get(source__code="default", sku="P").quantity == D(9)
    assert open_reservations(object_type="order", object_id="1", stock=stock) == {"P": D(-2)}
    rows = list(Reservation.objects.filter(event_key="undo")
                .values_list("stock_id", "sku", "quantity", "event_type", "object_type", "object_id"))
    assert rows == [(stock.pk, "P", D(-2), "shipment_corrected", "order", "1")]
    after = dict(ReservationLock.objects.filter(sku="P").values_list("stock_id", "version"))
    assert after[other.pk] == before.get(other.pk, 0) + 1  # the source's other stock learns it moved
    assert after[stock.pk] > before[stock.pk]
    assert list(ReservationLock.objects.filter(sku="U").values_list("stock_id", "version", "reserved")) == unmanaged

    # A replay changes nothing.
    assert shipment_deduct_undo(stock=stock, source=Source.objects.get(code="default"), object_type="order",
                                object_id="1", lines=[("P", D(2))], event_key="undo") is False
    assert SourceItem.objects.get(source__code="default", sku="P").quantity == D(9)
    assert Reservation.objects.filter(event_key="undo").count() == 1


def test_a_corrected_shipment_refuses_a_source_without_the_sku(stock):
    empty = Source.objects.create(code="empty", name="Empty")
    with pytest.raises(InvalidInput) as refused:
        shipment_deduct_undo(stock=stock, source=empty, object_type="order", object_id="1", lines=[("P", D(1))],
                             event_key="undo")
    assert (refused.value.field, refused.value.value, refused.value.reason) == (
        "sku", "P", "has no quantity on source empty")
    assert not Reservation.objects.filter(event_key="undo").exists()
    with pytest.raises(InvalidInput) as refused:
        shipment_deduct_undo(stock=stock, source=empty, object_type="order", object_id="1", lines=[("P", D(0))],
                             event_key="undo")
    assert refused.value.field == "qty of P"
