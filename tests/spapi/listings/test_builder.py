"""The ``JSON_LISTINGS_FEED`` builder: every document it writes is valid by Amazon's
schema; 25,000 messages fit the size Amazon accepts and parse back to the same pairs."""

from __future__ import annotations

import io
import json
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saleschannel.spapi.feeds import (
    MAX_FEED_BYTES,
    MAX_MESSAGES,
    FeedBuildError,
    QuantityUpdate,
    write_quantity_feed,
)
from tests.spapi.listings import amazon_listings


def build(updates, **kwargs):
    out = io.BytesIO()
    built = write_quantity_feed(out, seller_id="A1SANDBOXSELLER", updates=updates, **kwargs)
    return json.loads(out.getvalue().decode("utf-8")), built, out.getvalue()


def pairs(document):
    return [(m["sku"], m["patches"][0]["value"][0]["quantity"]) for m in document["messages"]]


def test_t9_messages_merge_the_default_element_and_never_replace():
    document, built, _ = build([QuantityUpdate("A-1", "LUGGAGE", 4, lead_time_to_ship_max_days=3)])
    amazon_listings.validate_schema(amazon_listings.FEED_SCHEMA, document)
    (message,) = document["messages"]
    assert message["operationType"] == "PATCH" and message["productType"] == "LUGGAGE"
    assert message["patches"] == [
        {
            "op": "merge",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4, "lead_time_to_ship_max_days": 3}],
        }
    ]
    assert document["header"]["report"] == {"includedData": ["issues", "fulfillmentAvailability"], "apiVersion": "2021-08-01"}
    assert built.message_count == 1 and built.sku_of(1) == "A-1" and built.sku_of(2) is None


skus = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(skus, st.integers(0, 10**6)), min_size=1, max_size=60, unique_by=lambda p: p[0]))
def test_every_document_is_valid_by_amazons_schema_and_parses_back(updates):
    document, built, raw = build(QuantityUpdate(sku, "PRODUCT", q) for sku, q in updates)
    amazon_listings.validate_schema(amazon_listings.FEED_SCHEMA, document)
    assert pairs(document) == updates
    assert [m["messageId"] for m in document["messages"]] == list(range(1, len(updates) + 1))
    assert built.size == len(raw)
    raw.decode("utf-8")  # UTF-8, whatever the SKUs hold


def test_a_feed_of_25000_messages_builds_within_the_size_amazon_accepts_and_parses_back():
    updates = [(f"SKU-{i:05d}-{'ü' * (i % 7)}-{'x' * 20}", i % 1000) for i in range(MAX_MESSAGES)]
    document, built, raw = build(QuantityUpdate(sku, "PRODUCT", q) for sku, q in updates)
    assert built.message_count == MAX_MESSAGES and len(raw) == built.size <= MAX_FEED_BYTES
    assert pairs(document) == updates
    amazon_listings.validate_schema(amazon_listings.FEED_SCHEMA, document)


def test_the_builder_holds_no_copy_of_the_document_in_memory(tmp_path):
    """Streamed: writing 25,000 messages to a file peaks far below the document's size."""
    product_type = "HOME_FURNITURE_AND_DECOR_ACCESSORY"
    updates = (
        QuantityUpdate(f"SKU-{i:05d}", product_type, i % 1000, lead_time_to_ship_max_days=2) for i in range(MAX_MESSAGES)
    )
    with open(tmp_path / "feed.json", "wb") as out:
        tracemalloc.start()
        built = write_quantity_feed(out, seller_id="A1SANDBOXSELLER", updates=updates)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert built.size > 5_000_000
    # What stays in memory is the SKU of each message id (returned, to map the report
    # back), about a hundred bytes a SKU; the document itself only ever goes to the file.
    assert peak < built.size / 2 and peak < 130 * MAX_MESSAGES, (peak, built.size)


def test_more_than_25000_messages_a_sku_twice_or_none_at_all_is_refused():
    with pytest.raises(FeedBuildError):
        build(QuantityUpdate(f"S{i}", "P", 1) for i in range(MAX_MESSAGES + 1))
    with pytest.raises(FeedBuildError):
        build([QuantityUpdate("S", "P", 1), QuantityUpdate("S", "P", 2)])
    with pytest.raises(FeedBuildError):
        build([])
    with pytest.raises(FeedBuildError):
        build([QuantityUpdate("S" * 100, "P", 1)] , max_bytes=100)
    with pytest.raises(ValueError):
        QuantityUpdate("S", "P", -1)


def test_the_schema_check_can_fail():
    document, _, _ = build([QuantityUpdate("A-1", "P", 1)])
    document["messages"][0]["patches"][0]["op"] = "oops"
    with pytest.raises(Exception, match="oops"):
        amazon_listings.validate_schema(amazon_listings.FEED_SCHEMA, document)
