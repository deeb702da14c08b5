from decimal import Decimal

import pytest

from saleschannel.commerce.catalog.services import product_create
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.inventory.errors import InsufficientStock
from saleschannel.commerce.inventory.models import (
    Reservation,
    Source,
    SourceItem,
    StockSourceLink,
    UsedEventKey,
)
from saleschannel.commerce.inventory.selectors import (
    open_reservations,
    salable_quantities,
    salable_quantity,
    stock_shortages,
)
from saleschannel.commerce.inventory.services import (
    reservation_append,
    reservation_compensate,
    reservation_transfer,
    reservations_cleanup,
    shipment_deduct,
    source_item_set,
)
from saleschannel.commerce.inventory.signals import salable_increased

pytestmark = pytest.mark.django_db
D = Decimal


def reserve(stock, lines, key, obj=("order", "1"), **kw):
    return reservation_append(stock=stock, lines=lines, event_type="order_placed", object_type=obj[0],
                              object_id=obj[1], event_key=key, **kw)


def test_salable_is_source_quantity_plus_reservations(stock, mug):
    assert reserve(stock, [("MUG-1", D(2))], "k1")
    assert salable_quantity(stock=stock, sku="MUG-1") == 3
    assert open_reservations(object_type="order", object_id="1") == {"MUG-1": D(-2)}


def test_salable_counts_only_enabled_in_stock_sources_feeding_the_stock(stock, mug):
    other = Source.objects.create(code="shop", name="Shop")
    source_item_set(source=other, sku="MUG-1", quantity=10)
    assert salable_quantity(stock=stock, sku="MUG-1") == 5  # not linked to the stock
    StockSourceLink.objects.create(stock=stock, source=other)
    assert salable_quantity(stock=stock, sku="MUG-1") == 15
    source_item_set(source=other, sku="MUG-1", quantity=10, status="out_of_stock")
    assert salable_quantity(stock=stock, sku="MUG-1") == 5
    source_item_set(source=other, sku="MUG-1", quantity=10, status="in_stock")
    Source.objects.filter(code="shop").update(enabled=False)
    assert salable_quantity(stock=stock, sku="MUG-1") == 5


def test_salable_quantities_in_bulk_in_one_query(stock, mug, django_assert_num_queries):
    product_create(sku="CUP", name="Cup", price=1, qty=2)
    reserve(stock, [("CUP", D(1))], "k")
    with django_assert_num_queries(1):
        figures = salable_quantities(stock=stock, skus=["MUG-1", "CUP", "NONE"])
    assert figures == {"MUG-1": 5, "CUP": 1, "NONE": 0}


def test_append_refuses_a_short_line_and_appends_nothing(stock, mug):
    product_create(sku="CUP", name="Cup", price=1, qty=1)
    with pytest.raises(InsufficientStock) as info:
        reserve(stock, [("MUG-1", D(1)), ("CUP", D(1)), ("CUP", D(1))], "k1")
    assert (info.value.sku, info.value.salable, info.value.requested) == ("CUP", 1, 2)
    assert "out of stock: SKU CUP, salable 1, ordered 2" in str(info.value)
    assert not Reservation.objects.exists()
    assert not UsedEventKey.objects.exists()


def test_append_sums_lines_of_one_sku(stock, mug):
    assert reserve(stock, [("MUG-1", D(1)), ("MUG-1", D(2))], "k1")
    assert list(Reservation.objects.values_list("sku", "quantity")) == [("MUG-1", D(-3))]


def test_a_replayed_event_reserves_nothing(stock, mug):
    assert reserve(stock, [("MUG-1", D(2))], "k1") is True
    assert reserve(stock, [("MUG-1", D(2))], "k1") is False
    assert salable_quantity(stock=stock, sku="MUG-1") == 3


def test_a_replay_is_false_even_when_stock_ran_out_since(stock, mug):
    assert reserve(stock, [("MUG-1", D(5))], "k1")
    assert reserve(stock, [("MUG-1", D(5))], "k1") is False


def test_unmanaged_and_unknown_skus_never_reserve(stock, store_defaults):
    product_create(sku="GIFT", name="Gift", price=1, manage_stock=False)
    assert reserve(stock, [("GIFT", D(100)), ("NO-PRODUCT", D(3))], "k1")
    assert not Reservation.objects.exists()
    assert stock_shortages(stock=stock, lines=[("GIFT", D(100))]) == []


def test_check_salable_false_reserves_beyond_stock(stock, mug):
    assert reserve(stock, [("MUG-1", D(7))], "k1", check_salable=False)
    assert salable_quantity(stock=stock, sku="MUG-1") == -2


@pytest.mark.parametrize("qty", [D(0), D(-1), "x"])
def test_append_refuses_a_non_positive_quantity(stock, mug, qty):
    with pytest.raises(InvalidInput):
        reserve(stock, [("MUG-1", qty)], "k1")
    assert not UsedEventKey.objects.exists()


def test_compensate_releases_all_or_some_and_never_more_than_held(stock, mug):
    reserve(stock, [("MUG-1", D(3))], "k1")
    assert reservation_compensate(stock=stock, object_type="order", object_id="1", event_type="partial",
                                  event_key="c1", lines=[("MUG-1", D(1))])
    assert open_reservations(object_type="order", object_id="1") == {"MUG-1": D(-2)}
    assert reservation_compensate(stock=stock, object_type="order", object_id="1", event_type="cancel",
                                  event_key="c2", lines=[("MUG-1", D(50))])
    assert open_reservations(object_type="order", object_id="1") == {}
    assert reservation_compensate(stock=stock, object_type="order", object_id="1", event_type="cancel",
                                  event_key="c3")
    assert salable_quantity(stock=stock, sku="MUG-1") == 5


def test_compensate_is_idempotent_by_event_key(stock, mug):
    reserve(stock, [("MUG-1", D(3))], "k1")
    kw = {"stock": stock, "object_type": "order", "object_id": "1", "event_type": "x", "event_key": "c1",
          "lines": [("MUG-1", D(1))]}
    assert reservation_compensate(**kw) is True
    assert reservation_compensate(**kw) is False
    assert salable_quantity(stock=stock, sku="MUG-1") == 3


def test_transfer_moves_a_pending_reservation_to_the_order(stock, mug):
    reserve(stock, [("MUG-1", D(2))], "p1", obj=("amazon_order", "111-1"))
    assert reservation_transfer(stock=stock, from_object=("amazon_order", "111-1"), to_object=("order", "9"),
                                event_key="t1")
    assert open_reservations(object_type="amazon_order", object_id="111-1") == {}
    assert open_reservations(object_type="order", object_id="9") == {"MUG-1": D(-2)}
    assert salable_quantity(stock=stock, sku="MUG-1") == 3
    assert not reservation_transfer(stock=stock, from_object=("amazon_order", "111-1"), to_object=("order", "9"),
                                    event_key="t1")


def test_shipment_deducts_the_source_and_releases_the_reservation(stock, mug):
    reserve(stock, [("MUG-1", D(3))], "k1")
    assert shipment_deduct(stock=stock, source=None, object_type="order", object_id="1",
                           lines=[("MUG-1", D(2))], event_key="s1")
    assert SourceItem.objects.get(sku="MUG-1").quantity == 3
    assert open_reservations(object_type="order", object_id="1") == {"MUG-1": D(-1)}
    assert salable_quantity(stock=stock, sku="MUG-1") == 2
    assert not shipment_deduct(stock=stock, source="default", object_type="order", object_id="1",
                               lines=[("MUG-1", D(2))], event_key="s1")
    assert SourceItem.objects.get(sku="MUG-1").quantity == 3


def test_shipment_of_a_sku_missing_on_the_source_is_refused_whole(stock, mug):
    product_create(sku="CUP", name="Cup", price=1)
    with pytest.raises(InvalidInput, match="CUP"):
        shipment_deduct(stock=stock, source=None, object_type="order", object_id="1",
                        lines=[("MUG-1", D(1)), ("CUP", D(1))], event_key="s1")
    assert SourceItem.objects.get(sku="MUG-1").quantity == 5
    assert not UsedEventKey.objects.exists()


def test_cleanup_removes_zero_groups_and_keeps_their_event_keys(stock, mug):
    reserve(stock, [("MUG-1", D(2))], "k1")
    reserve(stock, [("MUG-1", D(1))], "k2", obj=("order", "2"))
    reservation_compensate(stock=stock, object_type="order", object_id="1", event_type="x", event_key="c1")
    assert reservations_cleanup() == 2
    assert list(Reservation.objects.values_list("object_id", "quantity")) == [("2", D(-1))]
    assert salable_quantity(stock=stock, sku="MUG-1") == 4
    assert reserve(stock, [("MUG-1", D(2))], "k1") is False  # the replay guard survived
    assert salable_quantity(stock=stock, sku="MUG-1") == 4
    assert reservations_cleanup() == 0


def test_source_item_set_refuses_bad_input_and_changes_nothing(stock, mug):
    for kwargs in ({"quantity": "-1"}, {"quantity": "abc"}, {"quantity": 3, "status": "maybe"},
                   {"quantity": 3, "source": "nowhere"}):
        with pytest.raises(InvalidInput):
            source_item_set(**{"source": None, "sku": "MUG-1", **kwargs})
    assert SourceItem.objects.get(sku="MUG-1").quantity == 5


def test_salable_increased_is_sent_on_commit_when_stock_rises(stock, mug, django_capture_on_commit_callbacks):
    seen = []

    def listener(sender, stock, skus, **kw):
        seen.append(skus)

    salable_increased.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            source_item_set(source=None, sku="MUG-1", quantity=4)  # lowered: no signal
        assert seen == []
        with django_capture_on_commit_callbacks(execute=True):
            source_item_set(source=None, sku="MUG-1", quantity=6)
        with django_capture_on_commit_callbacks(execute=True):
            reserve(stock, [("MUG-1", D(1))], "k1")
        with django_capture_on_commit_callbacks(execute=True):
            reservation_compensate(stock=stock, object_type="order", object_id="1", event_type="x",
                                   event_key="c1")
        assert seen == [["MUG-1"], ["MUG-1"]]
    finally:
        salable_increased.disconnect(listener)


def test_the_replay_guard_without_insert_returning(stock, mug, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)  # SQLite before 3.35
    assert reserve(stock, [("MUG-1", D(2))], "k1") is True
    assert reserve(stock, [("MUG-1", D(2))], "k1") is False
    assert salable_quantity(stock=stock, sku="MUG-1") == 3


def test_the_running_sums_follow_every_ledger_write_and_the_migration_fills_them_from_the_ledger(stock, mug):
    import importlib

    from django.apps import apps

    from saleschannel.commerce.inventory.models import ReservationLock
    from saleschannel.commerce.inventory.selectors import reserved_totals_verify
    from saleschannel.commerce.inventory.services import reservation_compensate

    product_create(sku="CUP", name="Cup", price=1, qty=9)
    reserve(stock, [("MUG-1", D(2)), ("CUP", D(3))], "a")
    reserve(stock, [("CUP", D(1))], "b", obj=("order", "2"))
    reservation_compensate(stock=stock, object_type="order", object_id="1", event_type="cancel", event_key="c",
                           lines=[("CUP", D(1))])
    assert dict(ReservationLock.objects.values_list("sku", "reserved")) == {"MUG-1": -2, "CUP": -3}
    assert reserved_totals_verify() == []
    ReservationLock.objects.all().delete()  # as an installation from before the running sums
    assert {row[1] for row in reserved_totals_verify()} == {"MUG-1", "CUP"}
    migration = importlib.import_module("saleschannel.commerce.inventory.migrations.0002_reservation_totals")
    migration.fill_totals(apps, None)
    assert reserved_totals_verify() == []
    assert salable_quantity(stock=stock, sku="CUP") == 6
