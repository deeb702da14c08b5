"""The Listings Items and Feeds client against the sandbox, in-process: every request is
checked against Amazon's models (``ModelChecked``) and every answer too (the autouse
fixture)."""

from __future__ import annotations

import io
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saleschannel.spapi import BadResponse, InvalidRequest, NotFound, TokenBucketLimiter
from saleschannel.spapi.feeds import QuantityUpdate, write_quantity_feed
from saleschannel.spapi.listings import ListingsItem, UnreadableItem, sku_path
from tests.spapi.listings import amazon_listings
from tests.spapi.listings.conftest import SELLER, US, put_listing

PATCH_7 = QuantityUpdate("A-1", "PRODUCT", 7).patches()


def test_t7_a_quantity_pushed_by_patch_is_read_back(app, client):
    put_listing(app, "A-1", 3)
    result = client.patch_listings_item("A-1", marketplace_ids=[US], product_type="PRODUCT", patches=PATCH_7)
    assert result.accepted and result.status == "ACCEPTED" and result.submission_id
    item = client.get_listings_item("A-1", marketplace_ids=[US], included_data=["summaries", "fulfillmentAvailability"])
    assert item.quantity("DEFAULT") == 7 and item.product_type(US) == "PRODUCT" and item.is_mfn
    assert item.summary(US).status == ("BUYABLE",)


def test_a_wrong_product_type_is_invalid_with_amazons_issue_and_changes_nothing(app, client):
    put_listing(app, "A-1", 3, product_type="SHIRT")
    result = client.patch_listings_item("A-1", marketplace_ids=[US], product_type="PRODUCT", patches=PATCH_7)
    assert result.status == "INVALID" and not result.accepted
    assert result.errors[0].code and result.errors[0].attribute_names == ("product_type",)
    assert app.listings.get(US, "A-1").quantity() == 3


def test_a_negative_quantity_is_invalid(app, client):
    put_listing(app, "A-1", 3)
    patches = [{"op": "merge", "path": "/attributes/fulfillment_availability", "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": -1}]}]
    result = client.patch_listings_item("A-1", marketplace_ids=[US], product_type="PRODUCT", patches=patches)
    assert result.status == "INVALID" and result.errors[0].attribute_names == ("fulfillment_availability",)
    assert app.listings.get(US, "A-1").quantity() == 3


def test_an_unknown_sku_is_accepted_and_nothing_is_created(app, client):
    result = client.patch_listings_item("NOPE", marketplace_ids=[US], product_type="PRODUCT", patches=PATCH_7)
    assert result.status == "ACCEPTED"
    assert app.listings.get(US, "NOPE") is None
    with pytest.raises(NotFound):
        client.get_listings_item("NOPE", marketplace_ids=[US])


def test_a_validation_preview_changes_nothing(app, client):
    put_listing(app, "A-1", 3)
    result = client.patch_listings_item(
        "A-1", marketplace_ids=[US], product_type="PRODUCT", patches=PATCH_7, mode="VALIDATION_PREVIEW"
    )
    assert result.status == "VALID" and app.listings.get(US, "A-1").quantity() == 3


def test_another_sellers_listing_is_refused_403(app, make_client):
    client = make_client(app.transport(), seller_id="A2OTHERSELLER")
    with pytest.raises(Exception) as caught:
        client.get_listings_item("A-1", marketplace_ids=[US])
    assert getattr(caught.value, "status", None) == 403


def test_a_body_the_model_refuses_gets_400(app):
    from tests.spapi.test_contract import raw

    http = raw(app)
    put_listing(app, "A-1", 3)
    answer = http.patch(f"/listings/2021-08-01/items/{SELLER}/A-1", params={"marketplaceIds": US}, json={"patches": []})
    assert answer.status_code == 400 and answer.json()["errors"]


SKUS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(lambda s: s.strip() == s and s.strip())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sku=st.one_of(SKUS, st.sampled_from(["a/b", "a b", "#1", "x?y=z", "%2F", "ü-ß-日本", "a+b", "..", "a%"])))
def test_skus_of_every_shape_round_trip_through_the_path(app, client, sku):
    put_listing(app, sku, 1)
    assert client.patch_listings_item(sku, marketplace_ids=[US], product_type="PRODUCT", patches=PATCH_7).accepted
    item = client.get_listings_item(sku, marketplace_ids=[US], included_data=["fulfillmentAvailability"])
    assert item.sku == sku and item.quantity() == 7
    assert "/" not in sku_path(sku) and "#" not in sku_path(sku) and "?" not in sku_path(sku)


def test_search_asks_for_twenty_skus_a_call_and_pages(app, client):
    skus = [f"S-{i:03d}" for i in range(45)]
    for i, sku in enumerate(skus):
        put_listing(app, sku, i, AMAZON_NA=1) if i % 2 else put_listing(app, sku, i)
    pages = list(client.search_listings_items([*skus, "NOT-LISTED"], marketplace_ids=[US], page_size=7))
    items = [item for page in pages for item in page.items]
    assert sorted(i.sku for i in items) == skus
    assert all(isinstance(i, ListingsItem) and i.product_type() == "PRODUCT" for i in items)
    assert {i.sku: i.quantity() for i in items} == {sku: n for n, sku in enumerate(skus)}
    assert client.stats.snapshot().calls["searchListingsItems"] == len(pages) == 3 + 3 + 1


def test_one_bad_item_never_fails_its_page(app, client, monkeypatch, sandbox_answers_follow_the_models):
    put_listing(app, "GOOD", 1)
    put_listing(app, "BAD", 1)
    original = app.listings.get(US, "BAD").item

    def broken(included):
        item = original(included)
        item["fulfillmentAvailability"] = [{"fulfillmentChannelCode": "DEFAULT", "quantity": "many"}]
        return item

    monkeypatch.setattr(app.listings.get(US, "BAD"), "item", broken)
    page = next(client.search_listings_items(["GOOD", "BAD"], marketplace_ids=[US]))
    kinds = {type(i).__name__: i for i in page.items}
    assert isinstance(kinds["ListingsItem"], ListingsItem) and kinds["ListingsItem"].sku == "GOOD"
    assert isinstance(kinds["UnreadableItem"], UnreadableItem) and kinds["UnreadableItem"].sku == "BAD"
    # The model check saw the broken answer too (it can fail); it was broken on purpose.
    assert len(sandbox_answers_follow_the_models) == 1 and "'many'" in sandbox_answers_follow_the_models[0]
    sandbox_answers_follow_the_models.clear()


def test_a_sku_with_a_comma_cannot_be_searched_and_nothing_is_sent(client):
    with pytest.raises(ValueError):
        client.search_listings_items(["A,B"], marketplace_ids=[US])
    assert client.stats.snapshot().total_calls == 0


def test_the_rate_amazon_advertises_replaces_the_default(app, make_client, clock):
    limiter = TokenBucketLimiter(clock)
    client = make_client(app.transport(), limiter=limiter)
    app.throttle.enabled = True
    put_listing(app, "A-1", 3)
    client.patch_listings_item("A-1", marketplace_ids=[US], product_type="PRODUCT", patches=PATCH_7)
    assert limiter._buckets[(SELLER, "patchListingsItem")].rate == 5.0
    app.throttle._plans["patchListingsItem"] = type(app.throttle.plan("x"))(rate=2.0, burst=5)
    client.patch_listings_item("A-1", marketplace_ids=[US], product_type="PRODUCT", patches=PATCH_7)
    assert limiter._buckets[(SELLER, "patchListingsItem")].rate == 2.0


# --- feeds ---------------------------------------------------------------------------------


def raw_report(client, feed):
    """The processing report as downloaded, checked against Amazon's report schema."""
    document = client.get_feed_document(feed.result_feed_document_id)
    report = json.loads(client.download_feed_document(document))
    amazon_listings.validate_schema(amazon_listings.REPORT_SCHEMA, report)
    return report


def _feed(updates, seller=SELLER):
    out = io.BytesIO()
    built = write_quantity_feed(out, seller_id=seller, updates=updates)
    return out, built


def test_t9_a_feed_is_applied_after_the_delay_and_its_report_maps_back_to_messages(app, client, clock):
    for sku in ("A-1", "A-2"):
        put_listing(app, sku, 1)
    put_listing(app, "WRONG-TYPE", 1, product_type="SHIRT")
    document, built = _feed([QuantityUpdate("A-1", "PRODUCT", 5), QuantityUpdate("A-2", "PRODUCT", 0), QuantityUpdate("WRONG-TYPE", "PRODUCT", 9)])
    feed_id = client.send_feed(document, marketplace_id=US)
    assert client.get_feed(feed_id).processing_status == "IN_QUEUE"
    assert app.listings.get(US, "A-1").quantity() == 1  # nothing before the delay
    clock.advance(31)
    feed = client.get_feed(feed_id)
    assert feed.processing_status == "DONE" and feed.finished and feed.result_feed_document_id
    report = client.processing_report(feed)
    assert raw_report(client, feed)["summary"]["messagesAccepted"] == 2
    assert [report.accepted(i) for i in (1, 2, 3)] == [True, True, False]
    assert built.sku_of(3) == "WRONG-TYPE" and report.issues_of(3)[0].sku == "WRONG-TYPE"
    assert report.summary.messages_processed == 3 and report.summary.messages_invalid == 1
    assert report.item("A-1").quantity() == 5
    assert (app.listings.get(US, "A-1").quantity(), app.listings.get(US, "A-2").quantity()) == (5, 0)
    assert app.listings.get(US, "WRONG-TYPE").quantity() == 1


def test_a_feed_that_breaks_amazons_schema_ends_fatal_and_changes_nothing(app, client, clock):
    put_listing(app, "A-1", 1)
    bad = b'{"header":{"sellerId":"A1SANDBOXSELLER","version":"2.0"},"messages":[{"messageId":1,"sku":"A-1","operationType":"PATCH","productType":"PRODUCT","patches":[{"op":"oops","path":"/attributes/fulfillment_availability"}]}]}'
    feed_id = client.send_feed(bad, marketplace_id=US)
    clock.advance(31)
    feed = client.get_feed(feed_id)
    assert feed.processing_status == "FATAL"
    report = client.processing_report(feed)
    assert raw_report(client, feed)["issues"][0]["severity"] == "ERROR"
    assert not report.accepted(1) and report.issues[0].message_id is None
    assert app.listings.get(US, "A-1").quantity() == 1


def test_a_feed_cancelled_in_queue_is_never_applied_and_a_processing_one_cannot_be(app, client, clock):
    put_listing(app, "A-1", 1)
    first = client.send_feed(_feed([QuantityUpdate("A-1", "PRODUCT", 5)])[0], marketplace_id=US)
    client.cancel_feed(first)
    second = client.send_feed(_feed([QuantityUpdate("A-1", "PRODUCT", 6)])[0], marketplace_id=US)
    clock.advance(16)
    assert client.get_feed(second).processing_status == "IN_PROGRESS"
    with pytest.raises(InvalidRequest):
        client.cancel_feed(second)
    clock.advance(15)
    assert client.get_feed(first).processing_status == "CANCELLED"
    assert client.get_feed(second).processing_status == "DONE"
    assert app.listings.get(US, "A-1").quantity() == 6
    listed = [f for page in client.get_feeds(page_size=1) for f in page.feeds]
    assert {f.feed_id: f.processing_status for f in listed} == {first: "CANCELLED", second: "DONE"}


def test_the_report_is_downloaded_gzipped_and_a_broken_gzip_is_refused(app, client, clock):
    put_listing(app, "A-1", 1)
    feed_id = client.send_feed(_feed([QuantityUpdate("A-1", "PRODUCT", 5)])[0], marketplace_id=US)
    clock.advance(31)
    feed = client.get_feed(feed_id)
    document = client.get_feed_document(feed.result_feed_document_id)
    assert document.compression_algorithm == "GZIP"
    assert client.download_feed_document(document).startswith(b"{")
    app.feeds.documents[document.feed_document_id].body = b"not gzip"
    with pytest.raises(BadResponse):
        client.download_feed_document(document)


def test_the_upload_streams_from_a_file_with_its_length(app, make_client):
    seen = []

    def spy(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            seen.append((request.headers.get("content-length"), request.headers.get("transfer-encoding"), request.headers.get("content-type")))
        return app.transport().handle_request(request)

    client = make_client(httpx.MockTransport(spy))
    put_listing(app, "A-1", 1)
    document, built = _feed([QuantityUpdate("A-1", "PRODUCT", 5)])
    client.send_feed(document, marketplace_id=US)
    assert seen == [(str(built.size), None, "application/json; charset=UTF-8")]
    assert app.feeds.documents[next(iter(app.feeds.documents))].body == document.getvalue()


def test_waiting_for_a_feed_polls_until_it_ends_or_the_deadline(app, client, clock):
    put_listing(app, "A-1", 1)
    feed_id = client.send_feed(_feed([QuantityUpdate("A-1", "PRODUCT", 5)])[0], marketplace_id=US)
    early = client.wait_for_feed(feed_id, poll_seconds=10, deadline=clock.monotonic() + 15)
    assert early.processing_status in ("IN_QUEUE", "IN_PROGRESS")
    done = client.wait_for_feed(feed_id, poll_seconds=10)
    assert done.processing_status == "DONE" and app.listings.get(US, "A-1").quantity() == 5


class LoseCreateFeed(httpx.BaseTransport):
    """Loses the first createFeed: after Amazon handled it (the answer never comes back) or
    before it reached Amazon."""

    def __init__(self, inner: httpx.BaseTransport, *, after: bool) -> None:
        self.inner, self.after, self.lost = inner, after, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        first = request.method == "POST" and request.url.path == "/feeds/2021-06-30/feeds" and not self.lost
        if first and not self.after:
            self.lost += 1
            raise httpx.ConnectError("connection refused", request=request)
        response = self.inner.handle_request(request)
        if first:
            self.lost += 1
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


@pytest.mark.parametrize("after", [True, False], ids=["answer-lost", "request-lost"])
def test_a_create_feed_whose_answer_is_lost_creates_one_feed(app, make_client, clock, after):
    put_listing(app, "A-1", 1)
    plain = make_client(app.transport())
    earlier = plain.send_feed(_feed([QuantityUpdate("A-1", "PRODUCT", 2)])[0], marketplace_id=US)
    clock.advance(31)
    assert plain.get_feed(earlier).processing_status == "DONE"  # finished: never taken for the next one
    client = make_client(LoseCreateFeed(app.transport(), after=after))
    feed_id = client.send_feed(_feed([QuantityUpdate("A-1", "PRODUCT", 5)])[0], marketplace_id=US)
    assert feed_id != earlier and sorted(app.feeds.feeds) == sorted([earlier, feed_id])
    calls = app.calls()["operations"]
    assert calls["createFeed"] == 2 and calls["getFeeds"] == 1  # one lookup, no second feed
    clock.advance(31)
    assert client.get_feed(feed_id).processing_status == "DONE" and app.listings.get(US, "A-1").quantity() == 5
