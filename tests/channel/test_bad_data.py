"""Bad Amazon data: the order goes to ``error`` with a plain message, nothing half-made is left,
and the other orders still import (R7, R16, C12)."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.channel.models import AmazonOrder
from saleschannel.commerce.catalog.models import Product
from saleschannel.commerce.customers.models import Customer
from saleschannel.commerce.inventory.models import Reservation
from saleschannel.commerce.sales.models import Order as StoreOrder
from saleschannel.spapi.models import read_order
from tests.channel.conftest import make_product, record_and_evaluate
from tests.channel.factories import order_dict

pytestmark = pytest.mark.django_db
LONG = "x" * 100_000


def _no_items():
    return order_dict(items=[])


def _only_zero_quantities():
    return order_dict(items=[("BAD-1", 0), ("BAD-2", 0)])


def _negative_quantity():
    return order_dict(items=[("BAD-1", -2), ("BAD-2", 1)])


def _unknown_status():
    return order_dict(status="INVOICE_UNCONFIRMED", items=[("BAD-1", 1)])


def _unknown_currency():
    return order_dict(currency="XYZ", items=[("BAD-1", 1)])


def _two_currencies():
    body = order_dict(items=[("BAD-1", 1), ("BAD-2", 1)])
    body["orderItems"][1]["product"]["price"]["unitPrice"]["currencyCode"] = "EUR"
    return body


def _long_title():
    body = order_dict(items=[("BAD-1", 1)])
    body["orderItems"][0]["product"]["title"] = LONG
    return body


def _long_sku():
    return order_dict(items=[(LONG, 1)])


def _long_buyer_name():
    return order_dict(items=[("BAD-1", 1)], buyer_name=LONG)


def _long_order_id():
    return order_dict(order_id=LONG, items=[("BAD-1", 1)])


def _missing_items_field():
    body = order_dict(items=[("BAD-1", 1)])
    del body["orderItems"]
    return body


def _quantity_as_text():
    body = order_dict(items=[("BAD-1", 1)])
    body["orderItems"][0]["quantityOrdered"] = "one"
    return body


def _absurd_price():
    return order_dict(items=[("BAD-1", 1, "1e30")])


BAD = {
    "no items": (_no_items, "no line with a positive quantity"),
    "only zero quantities": (_only_zero_quantities, "no line with a positive quantity"),
    "a negative quantity": (_negative_quantity, "negative quantity"),
    # An unknown status is no longer bad data (C37): tests/channel/test_life.py.
    "an unknown currency": (_unknown_currency, "unknown currency 'XYZ'"),
    "two currencies": (_two_currencies, "more than one currency"),
    "a 100,000-character title": (_long_title, "longer than 500 characters"),
    "a 100,000-character SKU": (_long_sku, "longer than 64 characters"),
    "a 100,000-character buyer name": (_long_buyer_name, "longer than 255 characters"),
    "a 100,000-character order id": (_long_order_id, "orderId"),
    "no orderItems": (_missing_items_field, "orderItems: required and missing"),
    "a quantity that is text": (_quantity_as_text, "quantityOrdered: expected an integer"),
    "an absurd price": (_absurd_price, "too large"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_amazon_data_goes_to_error_with_a_plain_message_and_others_still_import(enabled_account, case):
    build, words = BAD[case]
    make_product("GOOD", qty=5)
    bad, outcome = record_and_evaluate(enabled_account, read_order(build()))
    good, good_outcome = record_and_evaluate(enabled_account, read_order(order_dict(items=[("GOOD", 1)])))

    assert bad.import_state == "error", bad.reason
    assert words in bad.reason
    assert "Traceback" not in bad.reason and LONG not in bad.reason
    assert outcome.import_state == "error"
    # Nothing half-made: only the good order has a store order, a reservation and products.
    assert list(StoreOrder.objects.values_list("external_id", flat=True)) == [good.amazon_order_id]
    assert set(Product.objects.values_list("sku", flat=True)) == {"GOOD"}
    assert not Customer.objects.exists()
    assert set(Reservation.objects.values_list("object_id", flat=True)) == {str(good.store_order_id)}
    assert good_outcome.created


def test_r7_unknown_status_is_shown_as_it_came(enabled_account):
    bad, _ = record_and_evaluate(enabled_account, read_order(_unknown_status()))
    assert bad.status == "INVOICE_UNCONFIRMED"


def test_r7_unreadable_order_is_kept_raw_with_status_error(enabled_account):
    body = _missing_items_field()
    bad, _ = record_and_evaluate(enabled_account, read_order(body))
    assert bad.status == "Error" and bad.raw == body


def test_c12_zero_quantity_lines_are_skipped(enabled_account):
    stored, outcome = record_and_evaluate(enabled_account, read_order(order_dict(items=[("Z-0", 0), ("Z-1", 2)])))
    assert outcome.created
    assert list(stored.store_order.items.values_list("sku", flat=True)) == ["Z-1"]


def test_c12_a_10000_line_order_imports(enabled_account):
    skus = [f"BULK-{n}" for n in range(20)]
    for sku in skus:
        make_product(sku, qty=10_000)
    body = order_dict(items=[(skus[n % 20], 1) for n in range(10_000)], created=dt.datetime(2026, 11, 3, tzinfo=dt.UTC))
    stored, outcome = record_and_evaluate(enabled_account, read_order(body))
    assert outcome.created, stored.reason
    assert stored.store_order.items.count() == 10_000
    from tests.channel.conftest import reservations_of

    held = reservations_of("order", stored.store_order_id)
    assert len(held) == 20 and all(q == -500 for q in held.values())


def test_a_bad_snapshot_later_replaced_by_a_good_one_imports(enabled_account):
    body = order_dict(currency="XYZ", items=[("FIX-1", 1)])
    bad, _ = record_and_evaluate(enabled_account, read_order(body))
    assert bad.import_state == "error"
    fixed = order_dict(order_id=bad.amazon_order_id, items=[("FIX-1", 1)],
                       updated=dt.datetime(2026, 11, 5, tzinfo=dt.UTC))
    _good, outcome = record_and_evaluate(enabled_account, read_order(fixed))
    assert outcome.created and AmazonOrder.objects.count() == 1


def test_r7_an_order_without_fulfillment_is_an_import_error_not_a_disabled_one(enabled_account):
    body = order_dict(items=[("BAD-1", 1)])
    del body["fulfillment"]
    bad, outcome = record_and_evaluate(enabled_account, read_order(body))
    assert bad.status == "Error"
    assert outcome.import_state == "error"
    assert "disabled" not in bad.reason
    assert not StoreOrder.objects.exists()


def test_r5_an_order_first_seen_canceled_says_canceled_before_import_not_disabled(enabled_account):
    body = order_dict(status="CANCELLED", items=[("BAD-1", 1)])
    bad, outcome = record_and_evaluate(enabled_account, read_order(body))
    assert outcome.import_state == "not_importable"
    assert bad.reason == "Canceled before import"
    assert not StoreOrder.objects.exists()
