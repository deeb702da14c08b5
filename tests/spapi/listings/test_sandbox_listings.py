"""The sandbox's listings: Amazon's patch semantics, Amazon's own bookkeeping of orders,
the control routes, the notifications and the call counts."""

from __future__ import annotations

import json

import httpx
import pytest

from saleschannel.spapi.sandbox import MARKETPLACES, SandboxApp
from saleschannel.spapi.sandbox.listings import PatchRefused
from tests.spapi.listings import amazon_listings
from tests.spapi.listings.conftest import SELLER, US, put_listing
from tests.spapi.test_contract import raw

AVAILABILITY = "/attributes/fulfillment_availability"


def patch(app, sku, *patches, product_type="PRODUCT"):
    listing = app.listings.get(US, sku)
    app.listings.patch(listing, product_type, list(patches), app.clock.now())
    return listing.attributes["fulfillment_availability"]


@pytest.fixture
def listed(app):
    put_listing(app, "A-1", 5, AMAZON_NA=3)
    patch(app, "A-1", {"op": "merge", "path": AVAILABILITY, "value": [{"fulfillment_channel_code": "DEFAULT", "lead_time_to_ship_max_days": 4}]})
    return app


def test_merge_keeps_the_fields_it_does_not_name_matching_elements_by_channel(listed):
    after = patch(listed, "A-1", {"op": "merge", "path": AVAILABILITY, "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 9}]})
    assert after == [
        {"fulfillment_channel_code": "DEFAULT", "quantity": 9, "lead_time_to_ship_max_days": 4},
        {"fulfillment_channel_code": "AMAZON_NA", "quantity": 3},
    ]


def test_replace_drops_what_it_does_not_name(listed):
    after = patch(listed, "A-1", {"op": "replace", "path": AVAILABILITY, "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 9}]})
    assert after == [{"fulfillment_channel_code": "DEFAULT", "quantity": 9}]
    item = listed.listings.get(US, "A-1").item(["attributes"])
    assert "lead_time_to_ship_max_days" not in json.dumps(item)  # C47: getListingsItem shows it gone


def test_add_sets_and_delete_removes_the_named_elements(listed):
    patch(listed, "A-1", {"op": "add", "path": "/attributes/item_name", "value": [{"value": "Mug", "marketplace_id": US}]})
    assert listed.listings.get(US, "A-1").attributes["item_name"] == [{"value": "Mug", "marketplace_id": US}]
    after = patch(listed, "A-1", {"op": "delete", "path": AVAILABILITY, "value": [{"fulfillment_channel_code": "AMAZON_NA"}]})
    assert [e["fulfillment_channel_code"] for e in after] == ["DEFAULT"]
    patch(listed, "A-1", {"op": "delete", "path": "/attributes/item_name"})
    assert "item_name" not in listed.listings.get(US, "A-1").attributes


def test_a_refused_patch_changes_nothing_even_after_an_accepted_operation(listed):
    before = json.dumps(listed.listings.get(US, "A-1").attributes)
    with pytest.raises(PatchRefused):
        patch(
            listed,
            "A-1",
            {"op": "merge", "path": AVAILABILITY, "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 1}]},
            {"op": "merge", "path": AVAILABILITY, "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": -2}]},
        )
    assert json.dumps(listed.listings.get(US, "A-1").attributes) == before


# --- Amazon's bookkeeping --------------------------------------------------------------------


def test_a_sale_takes_units_off_default_and_a_cancellation_gives_them_back(app):
    put_listing(app, "A-1", 5)
    http = raw(app)
    sold = http.post("/_sandbox/sell", json={"sku": "A-1", "quantity": 2, "fulfilledBy": "MERCHANT"})
    assert sold.status_code == 200 and sold.json()["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
    view = http.get("/_sandbox/listings").json()["listings"][0]
    assert view["channels"] == {"DEFAULT": 3} and view["sold"] == {"DEFAULT": 2}
    assert http.post("/_sandbox/sell", json={"sku": "A-1", "quantity": 4}).status_code == 409
    app.change_status(sold.json()["orderId"], "CANCELLED")
    view = http.get("/_sandbox/listings").json()["listings"][0]
    assert view["channels"] == {"DEFAULT": 5} and view["sold"] == {"DEFAULT": 0}


def test_a_put_order_for_a_listed_sku_takes_its_units_and_a_canceled_line_gives_them_back(app):
    put_listing(app, "A-1", 5)
    put_listing(app, "B-1", 5)
    order = json.loads(json.dumps(app.sell(US, "A-1", 2, fba=False)))  # stored UNSHIPPED, priced
    second = json.loads(json.dumps(order["orderItems"][0]))
    second.update(orderItemId=second["orderItemId"][:-1] + "1", quantityOrdered=1)
    second["product"]["sellerSku"] = "B-1"
    order["orderItems"].append(second)
    app.put_order(order)
    assert (app.listings.get(US, "A-1").quantity(), app.listings.get(US, "B-1").quantity()) == (3, 4)
    app.cancel_line(order["orderId"])  # the buyer cancels the last line: B-1's
    assert (app.listings.get(US, "A-1").quantity(), app.listings.get(US, "B-1").quantity()) == (3, 5)


def test_an_fba_order_takes_from_amazons_channel_not_default(app):
    put_listing(app, "A-1", 5, AMAZON_NA=3)
    assert app.sell(US, "A-1", 2, fba=True) is not None
    assert app.listings.get(US, "A-1").channels() == {"DEFAULT": 5, "AMAZON_NA": 1}


def test_the_generator_never_sells_more_than_a_listing_shows(clock):
    app = SandboxApp(clock=clock, seed=11, rate_limits=False, listings=10, listing_quantity=3, marketplaces=MARKETPLACES[:1])
    ordered = app.generate(400)
    assert ordered  # some orders still come: FBA ones, unlisted SKUs
    for listing in app.listings.all():
        assert listing.quantity() >= 0
        assert listing.sold["DEFAULT"] <= 3
        assert listing.quantity() + listing.sold["DEFAULT"] == 3
    mfn_units = sum(
        item["quantityOrdered"]
        for order in app.store.all()
        if order["fulfillment"]["fulfilledBy"] == "MERCHANT" and order["fulfillment"]["fulfillmentStatus"] != "CANCELLED"
        for item in order["orderItems"]
        if app.listings.get(US, item["product"]["sellerSku"]) is not None
    )
    assert mfn_units == sum(listing.sold["DEFAULT"] for listing in app.listings.all()) > 0
    app.close()


def test_quantities_fall_as_generated_buyers_order(clock):
    app = SandboxApp(clock=clock, seed=5, rate_limits=False, generate_per_minute=30, listings=20)
    assert len(app.listings) == len(app.generator.skus)
    clock.advance(600)
    app.tick()
    listings = raw(app).get("/_sandbox/listings").json()["listings"]
    assert sum(item["sold"]["DEFAULT"] for item in listings) > 0
    assert all(item["channels"]["DEFAULT"] + item["sold"]["DEFAULT"] == 50 for item in listings)
    app.close()


# --- control routes, notifications, calls ------------------------------------------------------


def test_control_routes_store_list_and_type_a_quantity(app):
    http = raw(app)
    assert http.put("/_sandbox/listings/A%2F1", json={"productType": "MUG", "channels": {"DEFAULT": 5, "AMAZON_NA": 3}, "status": ["BUYABLE"]}).status_code == 200
    assert http.put("/_sandbox/listings/X", json={"channels": {"DEFAULT": -1}}).status_code == 400
    assert http.post("/_sandbox/listings/A%2F1/quantity", json={"channel": "DEFAULT", "quantity": 12}).status_code == 200
    assert http.post("/_sandbox/listings/NONE/quantity", json={"quantity": 1}).status_code == 404
    assert http.get("/_sandbox/listings").json() == {
        "listings": [
            {
                "sku": "A/1",
                "marketplaceId": US,
                "productType": "MUG",
                "channels": {"DEFAULT": 12, "AMAZON_NA": 3},
                "status": ["BUYABLE"],
                "sold": {"DEFAULT": 0, "AMAZON_NA": 0},
            }
        ]
    }


def test_every_change_of_a_default_quantity_posts_amazons_notification(clock):
    received = []

    def receive(request: httpx.Request) -> httpx.Response:
        received.append((request.headers.get("x-api-key"), json.loads(request.content)))
        return httpx.Response(200)

    app = SandboxApp(clock=clock, seed=3, rate_limits=False, feed_delay=0, notify_url="https://store.test/hook", notify_secret="k3y", notify_transport=httpx.MockTransport(receive))
    put_listing(app, "A-1", 5)  # listed: 5
    app.sell(US, "A-1", 2, fba=False)  # an order: 3
    app.type_quantity(US, "A-1", "DEFAULT", 9)  # Seller Central: 9
    app.type_quantity(US, "A-1", "DEFAULT", 9)  # no change: no notification
    http = raw(app)
    http.patch(f"/listings/2021-08-01/items/{SELLER}/A-1", params={"marketplaceIds": US}, json={"productType": "PRODUCT", "patches": [{"op": "merge", "path": AVAILABILITY, "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4}]}]})
    app.notifier.flush()
    events = [event for _, event in received if event["detail-type"] == "LISTINGS_ITEM_MFN_QUANTITY_CHANGE"]
    for event in events:
        amazon_listings.validate_schema(amazon_listings.MFN_NOTIFICATION, event["detail"])
    assert [e["detail"]["Payload"]["Quantity"] for e in events] == [5, 3, 9, 4]
    assert {key for key, _ in received} == {"k3y"}
    app.close()


def test_calls_count_every_listings_and_feeds_operation_by_its_operation_id(app, client):
    put_listing(app, "A-1", 5)
    client.get_listings_item("A-1", marketplace_ids=[US])
    list(client.search_listings_items(["A-1"], marketplace_ids=[US]))
    client.create_feed_document()
    operations = raw(app).get("/_sandbox/calls").json()["operations"]
    assert operations["getListingsItem"] == operations["searchListingsItems"] == operations["createFeedDocument"] == 1
    assert "patchListingsItem" not in operations and operations["searchOrders"] == 0


def test_usage_plans_throttle_the_new_routes_and_every_answer_advertises_its_rate(clock):
    app = SandboxApp(clock=clock, seed=1)
    put_listing(app, "A-1", 5)
    http = raw(app)
    answers = [http.get(f"/listings/2021-08-01/items/{SELLER}/A-1", params={"marketplaceIds": US}) for _ in range(12)]
    assert [a.status_code for a in answers].count(429) == 2  # burst 10
    assert {a.headers["x-amzn-RateLimit-Limit"] for a in answers} == {"5"}
    clock.advance(0.2)
    assert http.get(f"/listings/2021-08-01/items/{SELLER}/A-1", params={"marketplaceIds": US}).status_code == 200
    assert raw(app).get("/_sandbox/calls").json()["throttled"] == 2
    app.close()


def test_a_finished_or_cancelled_feed_posts_amazons_feed_processing_finished(clock):
    received = []
    app = SandboxApp(
        clock=clock,
        seed=3,
        rate_limits=False,
        feed_delay=10,
        notify_url="https://store.test/hook",
        notify_transport=httpx.MockTransport(lambda r: received.append(json.loads(r.content)) or httpx.Response(200)),
    )
    put_listing(app, "A-1", 5)
    http = raw(app)
    ids = []
    for _ in range(2):
        document = http.post("/feeds/2021-06-30/documents", json={"contentType": "application/json; charset=UTF-8"}).json()
        http.put(document["url"], content=b'{"header":{"sellerId":"A1SANDBOXSELLER","version":"2.0"},"messages":[{"messageId":1,"sku":"A-1","operationType":"PATCH","productType":"PRODUCT","patches":[{"op":"merge","path":"/attributes/fulfillment_availability","value":[{"fulfillment_channel_code":"DEFAULT","quantity":2}]}]}]}')
        ids.append(http.post("/feeds/2021-06-30/feeds", json={"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [US], "inputFeedDocumentId": document["feedDocumentId"]}).json()["feedId"])
    assert http.delete(f"/feeds/2021-06-30/feeds/{ids[0]}").status_code == 200
    clock.advance(11)
    assert http.get(f"/feeds/2021-06-30/feeds/{ids[1]}").json()["processingStatus"] == "DONE"
    app.notifier.flush()
    finished = [e["detail"] for e in received if e["detail-type"] == "FEED_PROCESSING_FINISHED"]
    for notification in finished:
        amazon_listings.validate_schema("FeedProcessingFinishedNotification.json", notification)
    assert [(n["payload"]["feedProcessingFinishedNotification"]["feedId"], n["payload"]["feedProcessingFinishedNotification"]["processingStatus"]) for n in finished] == [(ids[0], "CANCELLED"), (ids[1], "DONE")]
    app.close()


@pytest.mark.parametrize(
    "params, field",
    [
        ({"identifiers": ",".join(f"S{i}" for i in range(21)), "identifiersType": "SKU"}, "identifiers"),
        ({"identifiers": "S1"}, "identifiersType"),
        ({"pageSize": "21"}, "pageSize"),
        ({"pageToken": "not-ours"}, "pageToken"),
        ({"includedData": "everything"}, "includedData"),
        ({"sellerSku": "S1"}, "sellerSku"),
    ],
)
def test_search_refuses_what_the_model_refuses(app, params, field):
    answer = raw(app).get(f"/listings/2021-08-01/items/{SELLER}", params={"marketplaceIds": US, **params})
    assert answer.status_code == 400 and field in answer.json()["errors"][0]["message"]


def test_get_feeds_pages_with_a_token_sent_alone(app):
    http = raw(app)
    document = http.post("/feeds/2021-06-30/documents", json={"contentType": "application/json"}).json()
    for _ in range(3):
        http.post("/feeds/2021-06-30/feeds", json={"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [US], "inputFeedDocumentId": document["feedDocumentId"]})
    first = http.get("/feeds/2021-06-30/feeds", params={"feedTypes": "JSON_LISTINGS_FEED", "pageSize": 2}).json()
    assert len(first["feeds"]) == 2 and first["nextToken"]
    refused = http.get("/feeds/2021-06-30/feeds", params={"nextToken": first["nextToken"], "pageSize": 2})
    assert refused.status_code == 400
    second = http.get("/feeds/2021-06-30/feeds", params={"nextToken": first["nextToken"]}).json()
    assert len(second["feeds"]) == 1 and "nextToken" not in second
    assert {f["feedId"] for f in first["feeds"] + second["feeds"]} == set(app.feeds.feeds)
