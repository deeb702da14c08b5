"""What a push sends (T2, T7, T9), without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.channel.stock.payloads import feed_document, patch_body
from saleschannel.channel.stock.rules import Direction
from saleschannel.channel.stock.selectors import PlannedPush

T0 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def planned(sku="MUG", quantity=7, handling_time=None) -> PlannedPush:
    return PlannedPush(offer_id=1, sku=sku, product_type="PRODUCT", quantity=quantity, handling_time=handling_time,
                       stock_version=3, generation=1, reason="stock changed", direction=Direction.INCREASE,
                       due_since=T0)


def test_t7_patch_merges_the_default_quantity_only():
    assert patch_body(planned()) == {"productType": "PRODUCT", "patches": [
        {"op": "merge", "path": "/attributes/fulfillment_availability",
         "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}]}]}


def test_t2_t7_handling_time_is_sent_only_when_set():
    value = patch_body(planned(handling_time=3))["patches"][0]["value"][0]
    assert value == {"fulfillment_channel_code": "DEFAULT", "quantity": 7, "lead_time_to_ship_max_days": 3}


def test_t9_feed_messages_are_patches_numbered_from_one_with_the_report_data():
    doc = feed_document(seller_id="A1SELLER", pushes=[planned("A", 0), planned("B", 4)])
    assert doc["header"]["sellerId"] == "A1SELLER" and doc["header"]["version"] == "2.0"
    assert doc["header"]["report"]["includedData"] == ["issues", "fulfillmentAvailability"]
    assert [(m["messageId"], m["sku"], m["operationType"]) for m in doc["messages"]] == [
        (1, "A", "PATCH"), (2, "B", "PATCH")]
    assert doc["messages"][0]["patches"] == patch_body(planned("A", 0))["patches"]


def test_t9_a_feed_holds_at_most_25000_messages():
    with pytest.raises(ValueError, match="25000"):
        feed_document(seller_id="A1SELLER", pushes=[planned(f"S{n}") for n in range(25_001)])
