"""The reservation ledger where mutation testing found the other tests silent (docs/mutation.md).

Two stocks and two sources (every other test has one of each), the event type a transfer
records, the fields a refusal names, and the signal's sender; then each write of the ledger
field by field: a corrected shipment, the default source and stock, the lock rows of the
row-locking path (PostgreSQL's, run on SQLite with Django's feature flag set as PostgreSQL's),
the length of each field of an event, releases up to some lines and on every stock, replays,
source quantities and their signal, and the cleanup's count.
"""

from __future__ import annotations

import datetime as dt
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


def test_the_default_source_and_stock_are_made_once_and_serve_every_website(stock, store_defaults):
    from saleschannel.commerce.inventory.models import StockWebsite
    from saleschannel.commerce.inventory.services import inventory_init
    from saleschannel.commerce.stores.models import Website

    website = store_defaults.website
    assert inventory_init(website=website) == stock
    assert (stock.name, Source.objects.get().code, Source.objects.get().name) == (
        "Default Stock", "default", "Default Source")
    assert list(StockSourceLink.objects.values_list("stock__name", "source__code")) == [("Default Stock", "default")]
    assert StockWebsite.objects.filter(website=website).count() == 1
    other = Website.objects.create(code="other", name="Other")
    assert inventory_init(website=other) == stock
    assert StockWebsite.objects.get(website=other).stock == stock
    assert Stock.objects.count() == 1


def test_a_source_is_found_by_its_code_and_none_is_the_default(stock):
    from saleschannel.commerce.errors import NotFound
    from saleschannel.commerce.inventory.services import source_get

    assert source_get(None).code == "default"
    assert source_get("").code == "default"
    with pytest.raises(NotFound) as refused:
        source_get("nowhere")
    assert (refused.value.field, refused.value.value) == ("source", "nowhere")


def test_on_a_database_with_row_locks_a_writer_takes_one_lock_row_per_pair_before_its_key(stock, monkeypatch):
    """The PostgreSQL path of the lock, run on SQLite (whose upsert has the same syntax)."""
    from django.db import connection

    product_create(sku="Q", name="Q", price=1, manage_stock=True, qty=10)
    reserve(stock, "1", 1, "a")
    ReservationLock.objects.filter(sku="Q").delete()  # as a pair no writer has touched
    before = ReservationLock.objects.get(sku="P")
    monkeypatch.setattr(type(connection.features), "has_select_for_update", True)
    # A replay writes no entry, yet the writer took its locks first: Q's row is made, P's kept.
    assert reservation_append(stock=stock, lines=[("Q", D(1)), ("P", D(1))], event_type="reserve",
                              object_type="order", object_id="1", event_key="a") is False
    rows = {sku: (stock_id, reserved, version)
            for stock_id, sku, reserved, version in ReservationLock.objects.values_list(
                "stock_id", "sku", "reserved", "version")}
    assert rows["Q"][:2] == (stock.pk, D(0))
    assert rows["P"] == (stock.pk, before.reserved, before.version)
    assert reservation_append(stock=stock, lines=[("Q", D(2))], event_type="reserve", object_type="order",
                              object_id="2", event_key="b")
    assert ReservationLock.objects.get(sku="Q").reserved == D(-2)


@pytest.mark.parametrize(("field", "longest"), [("event_type", 64), ("object_type", 32), ("object_id", 64),
                                                ("event_key", 255)])
def test_each_field_of_an_event_is_refused_by_name_one_character_past_its_length(stock, field, longest):
    event = {"event_type": "reserve", "object_type": "order", "object_id": "1", "event_key": "k"}
    with pytest.raises(InvalidInput) as refused:
        reservation_append(stock=stock, lines=[("P", D(1))], **{**event, field: "x" * (longest + 1)})
    assert refused.value.field == field
    assert reservation_append(stock=stock, lines=[("P", D(1))], **{**event, field: "x" * longest})
    assert Reservation.objects.get().__getattribute__(field) == "x" * longest


def test_an_object_id_given_as_a_number_is_kept_as_text(stock):
    assert reservation_append(stock=stock, lines=[("P", D(1))], event_type="reserve", object_type="order",
                              object_id=7, event_key="k")
    assert open_reservations(object_type="order", object_id="7", stock=stock) == {"P": D(-1)}


def test_lines_are_refused_by_their_sku_and_quantity(stock):
    def refusal(lines):
        with pytest.raises(InvalidInput) as refused:
            reservation_append(stock=stock, lines=lines, event_type="reserve", object_type="order", object_id="1",
                               event_key="k")
        return refused.value.field, refused.value.value, refused.value.reason

    assert refusal([("S" * 65, D(1))])[0] == "sku"
    assert refusal([("P", D(0))]) == ("qty of P", D(0), "must be positive")
    assert refusal([("P", D("1e12"))]) == ("qty of P", D("1e12"), "is too large")
    assert refusal([("P", "many")])[:2] == ("qty of P", "many")
    assert not Reservation.objects.exists()


def test_a_short_reservation_names_every_short_line_and_appends_nothing(stock):
    from saleschannel.commerce.inventory.errors import InsufficientStock

    product_create(sku="Q", name="Q", price=1, manage_stock=True, qty=1)
    with pytest.raises(InsufficientStock) as short:
        reservation_append(stock=stock, lines=[("Q", D(2)), ("P", D(11))], event_type="reserve",
                           object_type="order", object_id="1", event_key="k")
    assert (short.value.sku, short.value.salable, short.value.requested) == ("P", D(10), D(11))
    assert [tuple(s) for s in short.value.shortages] == [("P", D(10), D(11)), ("Q", D(1), D(2))]
    assert not Reservation.objects.exists()
    # The key was rolled back with the rest: the same event may reserve once stock allows.
    assert reservation_append(stock=stock, lines=[("P", D(2))], event_type="reserve", object_type="order",
                              object_id="1", event_key="k")


def test_a_reservation_writes_its_entries_in_sku_order_with_every_field(stock):
    product_create(sku="A", name="A", price=1, manage_stock=True, qty=5)
    assert reservation_append(stock=stock, lines=[("P", D(1)), ("A", D(2)), ("P", D(1))], event_type="reserve",
                              object_type="order", object_id="9", event_key="k")
    rows = list(Reservation.objects.order_by("pk").values_list(
        "stock_id", "sku", "quantity", "event_type", "object_type", "object_id", "event_key"))
    assert rows == [(stock.pk, "A", D(-2), "reserve", "order", "9", "k"), (stock.pk, "P", D(-2), "reserve", "order", "9", "k")]


def test_a_first_reservation_on_a_new_stock_starts_its_pairs_version_at_one(stock):
    newer = Stock.objects.create(name="Newer")
    StockSourceLink.objects.create(stock=newer, source=Source.objects.get(code="default"))
    assert not ReservationLock.objects.filter(stock=newer).exists()
    reserve(newer, "1", 2, "a")
    assert ReservationLock.objects.filter(stock=newer).values_list("sku", "reserved", "version").get() == (
        "P", D(-2), 1)


def test_a_release_up_to_some_lines_takes_only_those_skus_and_sums_their_lines(stock, django_capture_on_commit_callbacks):
    product_create(sku="Q", name="Q", price=1, manage_stock=True, qty=10)
    assert reservation_append(stock=stock, lines=[("P", D(3)), ("Q", D(2))], event_type="reserve",
                              object_type="order", object_id="1", event_key="a")
    heard = []

    def receiver(sender, stock=None, skus=(), **_):
        heard.append((sender, stock, list(skus)))

    salable_increased.connect(receiver, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert reservation_compensate(stock=stock, object_type="order", object_id="1", event_type="release",
                                          event_key="c", lines=[("P", D(1)), ("P", D(1)), ("Z", D(5))])
        assert heard == [(Stock, stock, ["P"])]
        assert open_reservations(object_type="order", object_id="1", stock=stock) == {"P": D(-1), "Q": D(-2)}
        assert list(Reservation.objects.filter(event_key="c").values_list("sku", "quantity", "event_type")) == [
            ("P", D(2), "release")]
        with django_capture_on_commit_callbacks(execute=True):  # more than is held: only what is held
            assert reservation_compensate(stock=stock, object_type="order", object_id="1", event_type="release",
                                          event_key="d", lines=[("P", D(5))])
        assert list(Reservation.objects.filter(event_key="d").values_list("quantity", flat=True)) == [D(1)]
        with django_capture_on_commit_callbacks(execute=True) as callbacks:  # nothing held: no signal
            assert reservation_compensate(stock=stock, object_type="order", object_id="2", event_type="release",
                                          event_key="e")
        assert callbacks == []
        assert reservation_compensate(stock=stock, object_type="order", object_id="1", event_type="release",
                                      event_key="d") is False
        assert open_reservations(object_type="order", object_id="1", stock=stock) == {"Q": D(-2)}
    finally:
        salable_increased.disconnect(receiver)


def test_releasing_an_object_everywhere_gives_each_stock_its_own_key(stock, second_stock):
    from saleschannel.commerce.inventory.services import reservations_release

    reserve(second_stock, "1", 3, "b")
    reserve(stock, "1", 2, "a")
    reserve(stock, "2", 1, "c")
    reservations_release(object_type="order", object_id="1", event_type="cancel", key_prefix="cancel:1")
    rows = list(Reservation.objects.filter(event_type="cancel").order_by("pk")
                .values_list("stock_id", "quantity", "event_key", "object_id"))
    first, second = sorted([stock.pk, second_stock.pk])
    by_stock = {stock.pk: D(2), second_stock.pk: D(3)}
    assert rows == [(first, by_stock[first], f"cancel:1:{first}", "1"),
                    (second, by_stock[second], f"cancel:1:{second}", "1")]
    reservations_release(object_type="order", object_id="1", event_type="cancel", key_prefix="cancel:1")
    assert Reservation.objects.filter(event_type="cancel").count() == 2
    assert open_reservations(object_type="order", object_id="2", stock=stock) == {"P": D(-1)}


def test_a_transfer_replayed_or_of_nothing_moves_nothing(stock):
    reserve(stock, "1", 2, "a")
    assert reservation_transfer(stock=stock, from_object=("order", "1"), to_object=("order", "2"), event_key="t",
                                event_type="moved")
    assert reservation_transfer(stock=stock, from_object=("order", "2"), to_object=("order", "1"), event_key="t",
                                event_type="moved") is False
    assert open_reservations(object_type="order", object_id="2", stock=stock) == {"P": D(-2)}
    assert reservation_transfer(stock=stock, from_object=("order", "3"), to_object=("order", "4"), event_key="u")
    assert not Reservation.objects.filter(event_key="u").exists()
    with pytest.raises(InvalidInput) as refused:
        reservation_transfer(stock=stock, from_object=("order", "2"), to_object=("o" * 33, "5"), event_key="v")
    assert refused.value.field == "object_type"
    with pytest.raises(InvalidInput) as refused:
        reservation_transfer(stock=stock, from_object=("order", "2"), to_object=("order", "5" * 65), event_key="v")
    assert refused.value.field == "object_id"


def test_a_shipment_releases_only_what_it_ships_and_a_replay_deducts_nothing(stock):
    product_create(sku="U", name="U", price=1, manage_stock=False)
    reserve(stock, "1", 3, "a")
    default = Source.objects.get(code="default")
    assert shipment_deduct(stock=stock, source=default, object_type="order", object_id="1",
                           lines=[("P", D(2)), ("U", D(4))], event_key="ship", event_type="sent")
    assert SourceItem.objects.get(source=default, sku="P").quantity == D(8)
    assert open_reservations(object_type="order", object_id="1", stock=stock) == {"P": D(-1)}
    assert list(Reservation.objects.filter(event_key="ship").values_list("quantity", "event_type")) == [
        (D(2), "sent")]
    assert shipment_deduct(stock=stock, source=default, object_type="order", object_id="1",
                           lines=[("P", D(2))], event_key="ship") is False
    assert SourceItem.objects.get(source=default, sku="P").quantity == D(8)


def test_setting_a_source_quantity_signals_only_a_rise_or_a_return_to_stock(stock, second_stock,
                                                                           django_capture_on_commit_callbacks):
    default = Source.objects.get(code="default")
    StockSourceLink.objects.create(stock=second_stock, source=default)
    heard = []

    def receiver(sender, stock=None, skus=(), **_):
        heard.append((stock.pk, list(skus)))

    def set_and_hear(**kwargs):
        heard.clear()
        with django_capture_on_commit_callbacks(execute=True):
            item = source_item_set(source="default", sku="P", **kwargs)
        return item, sorted(heard)

    both = sorted([(stock.pk, ["P"]), (second_stock.pk, ["P"])])
    salable_increased.connect(receiver, weak=False)
    try:
        assert set_and_hear(quantity=10)[1] == []  # the same quantity
        assert set_and_hear(quantity=9)[1] == []
        item, signals = set_and_hear(quantity=11)
        assert (item.quantity, item.status, signals) == (D(11), SourceItem.Status.IN_STOCK, both)
        item, signals = set_and_hear(quantity=11, status="out_of_stock")
        assert (item.status, signals) == (SourceItem.Status.OUT_OF_STOCK, [])
        item, signals = set_and_hear(quantity=11)  # no status: the item keeps its own
        assert (item.status, signals) == (SourceItem.Status.OUT_OF_STOCK, [])
        item, signals = set_and_hear(quantity=11, status="in_stock")
        assert (item.status, signals) == (SourceItem.Status.IN_STOCK, both)
        assert set_and_hear(quantity=11, status="in_stock")[1] == []
        heard.clear()
        with django_capture_on_commit_callbacks(execute=True):
            new = source_item_set(source=default, sku="NEW", quantity=0, status="out_of_stock")
        assert (new.quantity, new.status) == (D(0), SourceItem.Status.OUT_OF_STOCK)
        assert sorted(heard) == sorted([(stock.pk, ["NEW"]), (second_stock.pk, ["NEW"])])
        with django_capture_on_commit_callbacks(execute=True):
            fresh = source_item_set(source=None, sku="FRESH", quantity=2)
        assert fresh.status == SourceItem.Status.IN_STOCK
    finally:
        salable_increased.disconnect(receiver)
    assert SourceItem.objects.get(source=default, sku="P").quantity == D(11)


def test_a_source_quantity_is_refused_by_its_field(stock):
    def refusal(**kwargs):
        with pytest.raises(InvalidInput) as refused:
            source_item_set(**{"source": None, "sku": "P", "quantity": 1, **kwargs})
        return refused.value.field, refused.value.reason

    assert refusal(sku="S" * 65)[0] == "sku"
    assert refusal(quantity="x")[0] == "quantity"
    assert refusal(quantity=D("1e12")) == ("quantity", "is too large")
    assert refusal(status="maybe") == ("status", "must be one of in_stock, out_of_stock")
    with pytest.raises(InvalidInput) as refused:
        source_item_set(source=None, sku="P", quantity=1, status="maybe")
    assert refused.value.value == "maybe"
    assert source_item_set(source=None, sku="S" * 64, quantity=1).sku == "S" * 64


def test_cleanup_counts_the_rows_of_every_group_that_sums_to_zero(stock):
    from saleschannel.commerce.inventory.services import reservations_cleanup

    for number in ("1", "2"):
        reserve(stock, number, 1, f"r{number}")
        assert reservation_compensate(stock=stock, object_type="order", object_id=number, event_type="release",
                                      event_key=f"c{number}")
    reserve(stock, "3", 1, "r3")
    assert reservations_cleanup() == 4
    assert list(Reservation.objects.values_list("object_id", "quantity")) == [("3", D(-1))]


@pytest.mark.parametrize("returning", [True, False], ids=["insert-returning", "without-returning"])
def test_an_event_key_is_recorded_with_its_type_and_time(stock, monkeypatch, returning):
    from django.db import connection
    from django.utils import timezone

    from saleschannel.commerce.inventory.models import UsedEventKey

    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", returning)
    before = timezone.now()
    reserve(stock, "1", 1, "k")
    key = UsedEventKey.objects.get()
    assert (key.event_key, key.event_type) == ("k", "reserve")
    assert before - dt.timedelta(seconds=1) <= key.created_at <= timezone.now()
    assert reservation_append(stock=stock, lines=[("P", D(1))], event_type="other", object_type="order",
                              object_id="1", event_key="k") is False
    assert list(UsedEventKey.objects.values_list("event_key", "event_type")) == [("k", "reserve")]


def test_on_a_database_with_row_locks_a_release_or_a_transfer_locks_the_pairs_the_object_holds(stock, monkeypatch):
    from django.db import connection

    reserve(stock, "1", 2, "a")
    assert reservation_compensate(stock=stock, object_type="order", object_id="1", event_type="release",
                                  event_key="c", lines=[("P", D(1))])
    assert reservation_transfer(stock=stock, from_object=("order", "1"), to_object=("order", "2"), event_key="t")
    monkeypatch.setattr(type(connection.features), "has_select_for_update", True)
    for replay in (
        lambda: reservation_compensate(stock=stock, object_type="order", object_id="2", event_type="release",
                                       event_key="c"),
        lambda: reservation_transfer(stock=stock, from_object=("order", "2"), to_object=("order", "3"),
                                     event_key="t"),
    ):
        ReservationLock.objects.filter(sku="P").delete()
        assert replay() is False
        assert list(ReservationLock.objects.values_list("stock_id", "sku", "reserved")) == [(stock.pk, "P", D(0))]


def test_a_shipment_and_its_correction_mark_the_shipping_stock_also_when_the_source_feeds_another(stock, second_stock):
    reserve(stock, "1", 2, "a")
    second = Source.objects.get(code="second")

    def versions():
        return dict(ReservationLock.objects.filter(sku="P").values_list("stock_id", "version"))

    before = versions()
    assert shipment_deduct(stock=stock, source=second, object_type="order", object_id="1", lines=[("P", D(2))],
                           event_key="ship")
    after = versions()
    assert (after[stock.pk], after[second_stock.pk]) == (before[stock.pk] + 2, before[second_stock.pk] + 1)
    assert shipment_deduct_undo(stock=stock, source=second, object_type="order", object_id="1",
                                lines=[("P", D(1))], event_key="undo")
    again = versions()
    assert (again[stock.pk], again[second_stock.pk]) == (after[stock.pk] + 2, after[second_stock.pk] + 1)
    assert SourceItem.objects.get(source=second, sku="P").quantity == D(9)


def test_releasing_an_object_everywhere_claims_keys_only_on_the_stocks_that_hold_it(stock, second_stock):
    from saleschannel.commerce.inventory.models import UsedEventKey
    from saleschannel.commerce.inventory.services import reservations_release

    for n in range(5):  # entries enough that no entry of the object has a stock's primary key by chance
        reserve(stock, f"other-{n}", 1, f"o{n}")
    reserve(second_stock, "1", 3, "b")
    assert reservation_append(stock=stock, lines=[("P", D(1))], event_type="reserve", object_type="amazon_order",
                              object_id="1", event_key="same-id-other-type")
    held_by = set(Reservation.objects.filter(object_type="order", object_id="1").values_list("pk", flat=True))
    assert not held_by & set(Stock.objects.values_list("pk", flat=True))
    reservations_release(object_type="order", object_id="1", event_type="cancel", key_prefix="cancel")
    assert list(UsedEventKey.objects.filter(event_key__startswith="cancel").values_list("event_key", flat=True)) == [
        f"cancel:{second_stock.pk}"]
    assert open_reservations(object_type="order", object_id="1") == {}
    assert open_reservations(object_type="amazon_order", object_id="1") == {"P": D(-1)}
    assert open_reservations(object_type="order", object_id="other-0") == {"P": D(-1)}


def test_a_shipment_and_its_correction_move_only_their_own_skus_on_the_source(stock):
    product_create(sku="Q", name="Q", price=1, manage_stock=True, qty=4)
    reserve(stock, "1", 2, "a")
    default = Source.objects.get(code="default")
    assert shipment_deduct(stock=stock, source=default, object_type="order", object_id="1", lines=[("P", D(2))],
                           event_key="ship")
    assert dict(SourceItem.objects.values_list("sku", "quantity")) == {"P": D(8), "Q": D(4)}
    assert shipment_deduct_undo(stock=stock, source=default, object_type="order", object_id="1",
                                lines=[("P", D(1))], event_key="undo")
    assert dict(SourceItem.objects.values_list("sku", "quantity")) == {"P": D(9), "Q": D(4)}


def test_on_a_database_with_row_locks_a_transfer_or_release_locks_nothing_the_object_holds_on_another_stock(
        stock, second_stock, monkeypatch):
    from django.db import connection

    reserve(second_stock, "1", 2, "a")
    assert reservation_transfer(stock=stock, from_object=("order", "1"), to_object=("order", "2"), event_key="t")
    ReservationLock.objects.filter(stock=stock).delete()
    monkeypatch.setattr(type(connection.features), "has_select_for_update", True)
    assert reservation_transfer(stock=stock, from_object=("order", "1"), to_object=("order", "2"),
                                event_key="t") is False
    assert reservation_compensate(stock=stock, object_type="order", object_id="1", event_type="release",
                                  event_key="t") is False
    assert not ReservationLock.objects.filter(stock=stock).exists()
    assert open_reservations(object_type="order", object_id="1", stock=second_stock) == {"P": D(-2)}


def test_cleanup_deletes_a_zero_group_beside_others_of_the_same_stock_sku_type_or_id(stock, second_stock):
    from saleschannel.commerce.inventory.services import reservations_cleanup

    product_create(sku="Q", name="Q", price=1, manage_stock=True, qty=10)
    reserve(stock, "1", 1, "a")
    assert reservation_compensate(stock=stock, object_type="order", object_id="1", event_type="release",
                                  event_key="c")  # (stock, P, order, 1) sums to zero
    assert reservation_append(stock=stock, lines=[("Q", D(2))], event_type="reserve", object_type="order",
                              object_id="1", event_key="q")
    assert reservation_append(stock=stock, lines=[("P", D(1))], event_type="reserve", object_type="amazon_order",
                              object_id="1", event_key="amazon")
    reserve(second_stock, "1", 3, "second")
    assert reservations_cleanup() == 2
    left = sorted(Reservation.objects.values_list("stock_id", "sku", "object_type", "quantity"))
    assert left == sorted([(stock.pk, "Q", "order", D(-2)), (stock.pk, "P", "amazon_order", D(-1)),
                           (second_stock.pk, "P", "order", D(-3))])
