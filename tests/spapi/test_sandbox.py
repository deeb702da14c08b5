import datetime as dt
import json

import httpx
import pytest

from saleschannel.spapi import FakeClock
from saleschannel.spapi.models import read_order
from saleschannel.spapi.sandbox import SandboxApp
from saleschannel.spapi.sandbox.generator import OrderGenerator
from tests.spapi import amazon
from tests.spapi.conftest import BASE, TOKEN_URL

SEARCH = "/orders/2026-01-01/orders"


class Http:
    """A raw HTTP client on the in-process sandbox, holding an access token."""

    def __init__(self, app, refresh_token="Atzr|raw"):
        self.http = httpx.Client(transport=app.transport(), base_url=BASE)
        token = self.http.post(
            TOKEN_URL,
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": "c",
                "client_secret": "s",
            },
        )
        self.headers = {"x-amz-access-token": token.json()["access_token"]}

    def get(self, path, **params):
        return self.http.get(path, params=params, headers=self.headers)

    def post(self, path, body):
        return self.http.post(path, json=body, headers=self.headers)

    def control(self, method, path, body=None):
        return self.http.request(method, path, json=body)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def order(order_id, created="2026-06-01T10:00:00Z", **extra):
    body = {
        "orderId": order_id,
        "createdTime": created,
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER"},
        "fulfillment": {"fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT"},
        "buyer": {"buyerName": "Pat"},
        "orderItems": [{"orderItemId": "1", "quantityOrdered": 1, "product": {"sellerSku": "A"}}],
    }
    body.update(extra)
    return body


# --- throttling -------------------------------------------------------------------------------


def test_amazon_usage_plans_throttle_with_amazons_429(clock):
    app = SandboxApp(clock=clock, rate_limits=True)
    http = Http(app)
    since = iso(clock.now() - dt.timedelta(days=1))
    answers = [http.get(SEARCH, createdAfter=since) for _ in range(21)]
    assert [a.status_code for a in answers] == [200] * 20 + [429]
    assert all(a.headers["x-amzn-RateLimit-Limit"] == "0.0056" for a in answers)
    assert all(a.headers["x-amzn-RequestId"] for a in answers)
    assert answers[-1].json() == {
        "errors": [
            {"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource."}
        ]
    }
    clock.advance(1 / 0.0056)
    assert http.get(SEARCH, createdAfter=since).status_code == 200
    assert app.calls()["throttled"] == 1


def test_a_call_refused_with_400_still_spends_a_token(clock):
    app = SandboxApp(clock=clock, rate_limits=True)
    http = Http(app)
    assert [http.get(SEARCH).status_code for _ in range(20)] == [400] * 20
    assert http.get(SEARCH, createdAfter=iso(clock.now())).status_code == 429


def test_rate_scale_multiplies_rate_and_burst_and_off_never_throttles(clock):
    scaled = Http(SandboxApp(clock=clock, rate_limits=True, rate_scale=2))
    codes = [scaled.get("/orders/2026-01-01/orders/x").status_code for _ in range(61)]
    assert codes == [404] * 60 + [429]
    assert scaled.get("/orders/2026-01-01/orders/x").headers["x-amzn-RateLimit-Limit"] == "1"
    off = Http(SandboxApp(clock=clock, rate_limits=False))
    answers = [off.get("/orders/2026-01-01/orders/x") for _ in range(200)]
    assert {a.status_code for a in answers} == {404}
    assert answers[0].headers["x-amzn-RateLimit-Limit"] == "1000"


def test_buckets_belong_to_the_seller(clock):
    app = SandboxApp(clock=clock, rate_limits=True)
    first, second = Http(app, "Atzr|one"), Http(app, "Atzr|two")
    assert {first.get("/orders/2026-01-01/orders/x").status_code for _ in range(30)} == {404}
    assert first.get("/orders/2026-01-01/orders/x").status_code == 429
    assert second.get("/orders/2026-01-01/orders/x").status_code == 404


def test_api_routes_need_a_valid_access_token(app):
    answer = httpx.Client(transport=app.transport()).get(f"{BASE}/orders/2026-01-01/orders/x")
    assert answer.status_code == 403 and answer.json()["errors"][0]["code"] == "Unauthorized"


# --- searchOrders -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, message",
    [
        ({}, "exactly one of createdAfter and lastUpdatedAfter"),
        (
            {"createdAfter": "2026-05-01T00:00:00Z", "lastUpdatedAfter": "2026-05-01T00:00:00Z"},
            "cannot be combined",
        ),
        (
            {"createdAfter": "2026-05-01T00:00:00Z", "createdBefore": "2026-04-01T00:00:00Z"},
            "equal to or after",
        ),
        (
            {"lastUpdatedAfter": "2026-05-01T00:00:00Z", "lastUpdatedBefore": "2026-06-01T11:59:00Z"},
            "two minutes",
        ),
        ({"createdAfter": "May 1st"}, "ISO 8601"),
        ({"createdAfter": "2026-05-01T00:00:00Z", "fulfillmentStatuses": "Shipped"}, "fulfillmentStatuses"),
        ({"createdAfter": "2026-05-01T00:00:00Z", "maxResultsPerPage": "0"}, "maxResultsPerPage"),
        ({"createdAfter": "2026-05-01T00:00:00Z", "includedData": "ALL"}, "includedData"),
        ({"createdAfter": "2026-05-01T00:00:00Z", "nextToken": "x"}, "not a parameter"),
        ({"createdAfter": "2026-05-01T00:00:00Z", "paginationToken": "forged"}, "paginationToken"),
    ],
)
def test_search_refuses_what_the_model_refuses(app, params, message):
    answer = Http(app).get(SEARCH, **params)
    assert answer.status_code == 400
    assert (
        answer.json()["errors"][0]["code"] == "InvalidInput"
        and message in answer.json()["errors"][0]["message"]
    )


def test_filters(app, clock):
    http = Http(app)
    http.control("PUT", "/_sandbox/orders/A", order("A"))
    fba = order("B", fulfillment={"fulfillmentStatus": "SHIPPED", "fulfilledBy": "AMAZON"})
    http.control("PUT", "/_sandbox/orders/B", fba)
    http.control(
        "PUT", "/_sandbox/orders/C", order("C", salesChannel={"channelName": "AMAZON", "marketplaceId": "X"})
    )
    http.control("PUT", "/_sandbox/orders/D", order("D", created="2026-05-01T10:00:00Z"))

    def ids(**params):
        body = http.get(SEARCH, **params).json()
        return sorted(o["orderId"] for o in body["orders"])

    after = "2026-05-15T00:00:00Z"
    assert ids(createdAfter=after) == ["A", "B", "C"]
    assert ids(createdAfter="2026-04-01T00:00:00Z", createdBefore=after) == ["D"]
    assert ids(createdAfter=after, fulfilledBy="AMAZON") == ["B"]
    assert ids(createdAfter=after, fulfillmentStatuses="UNSHIPPED,PENDING") == ["A", "C"]
    assert ids(createdAfter=after, marketplaceIds="ATVPDKIKX0DER") == ["A", "B"]
    clock.advance(600)
    http.control("POST", "/_sandbox/orders/A/status", {"fulfillmentStatus": "CANCELLED"})
    assert ids(lastUpdatedAfter=iso(clock.now() - dt.timedelta(minutes=1))) == ["A"]


def test_visibility_lag_hides_an_update_from_search_but_not_from_get_order(clock):
    app = SandboxApp(clock=clock, rate_limits=False, visibility_lag=30)
    http = Http(app)
    since = iso(clock.now() - dt.timedelta(hours=1))
    http.control("PUT", "/_sandbox/orders/A", order("A"))
    body = http.get(SEARCH, lastUpdatedAfter=since).json()
    assert body["orders"] == [] and body["lastUpdatedBefore"] == iso(clock.now() - dt.timedelta(seconds=30))
    clock.advance(31)
    http.control("POST", "/_sandbox/orders/A/status", {"fulfillmentStatus": "SHIPPED"})
    (shown,) = http.get(SEARCH, lastUpdatedAfter=since, includedData="FULFILLMENT").json()["orders"]
    assert shown["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"  # the change is not indexed yet
    assert (
        http.get("/orders/2026-01-01/orders/A", includedData="FULFILLMENT").json()["order"]["fulfillment"][
            "fulfillmentStatus"
        ]
        == "SHIPPED"
    )
    clock.advance(31)
    (shown,) = http.get(SEARCH, lastUpdatedAfter=since, includedData="FULFILLMENT").json()["orders"]
    assert shown["fulfillment"]["fulfillmentStatus"] == "SHIPPED"


def test_pagination_tokens_need_the_same_filters_and_expire(clock):
    app = SandboxApp(clock=clock, rate_limits=False, pagination_ttl=60)
    http = Http(app)
    app.generate(5)
    since = iso(clock.now() - dt.timedelta(hours=1))
    first = http.get(SEARCH, createdAfter=since, maxResultsPerPage="2").json()
    token = first["pagination"]["nextToken"]
    other = http.get(SEARCH, createdAfter=since, maxResultsPerPage="3", paginationToken=token)
    assert other.status_code == 400 and "other filters" in other.json()["errors"][0]["message"]
    second = http.get(SEARCH, createdAfter=since, maxResultsPerPage="2", paginationToken=token).json()
    assert {o["orderId"] for o in second["orders"]}.isdisjoint(o["orderId"] for o in first["orders"])
    clock.advance(61)
    late = http.get(
        SEARCH, createdAfter=since, maxResultsPerPage="2", paginationToken=second["pagination"]["nextToken"]
    )
    assert late.status_code == 400 and "expired" in late.json()["errors"][0]["message"]


def test_included_data_shapes_each_order(app):
    http = Http(app)
    app.generate(30)
    bare = http.get(SEARCH, createdAfter="2026-01-01T00:00:00Z").json()["orders"]
    assert all(not {"buyer", "recipient", "proceeds", "fulfillment", "packages"} & set(o) for o in bare)
    assert all("fulfillment" not in i and "proceeds" not in i for o in bare for i in o["orderItems"])
    full = http.get(SEARCH, createdAfter="2026-01-01T00:00:00Z", includedData="FULFILLMENT,RECIPIENT").json()[
        "orders"
    ]
    assert all("fulfillment" in o and "recipient" in o and "buyer" not in o for o in full)


# --- the generator ----------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_orders():
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    one, two, other = OrderGenerator(5), OrderGenerator(5), OrderGenerator(6)
    first = [one.next_order(now)[0] for _ in range(20)]
    assert first == [two.next_order(now)[0] for _ in range(20)]
    assert first != [other.next_order(now)[0] for _ in range(20)]


def test_generated_orders_look_like_amazons(clock):
    app = SandboxApp(clock=clock, seed=3, rate_limits=False)
    app.generate(400)
    orders = [read_order(o) for o in app.store.all()]
    assert all(not hasattr(o, "error") for o in orders), [o.error for o in orders if hasattr(o, "error")][:3]
    for o in orders:
        amazon.validate("orders_2026-01-01.json", "Order", o.raw)
    assert {o.fulfilled_by for o in orders} == {"AMAZON", "MERCHANT"}
    assert {o.fulfillment_status for o in orders} >= {"PENDING", "UNSHIPPED", "SHIPPED", "CANCELLED"}
    assert len({o.currency for o in orders if o.currency}) >= 3
    assert any(o.is_prime for o in orders) and any(o.is_business for o in orders)
    assert any(i.promotion_ids for o in orders for i in o.items)
    assert any(i.seller_sku.startswith("UNKNOWN-") for o in orders for i in o.items)
    assert any(len(o.items) > 1 for o in orders)
    for o in orders:
        if o.fulfillment_status == "PENDING":
            assert not o.has_prices and o.grand_total is None  # R20: Amazon omits prices while Pending
        if o.fulfillment_status in ("UNSHIPPED", "SHIPPED"):
            assert o.has_prices and o.tax_total is not None
        if o.fulfilled_by == "AMAZON":
            assert o.buyer is None and o.shipping_address.address_line1 is None
        if o.fulfillment_status == "SHIPPED":
            assert o.packages and all(i.quantity_shipped == i.quantity_ordered for i in o.items)


def test_generation_and_statuses_follow_the_clock():
    clock = FakeClock()
    app = SandboxApp(clock=clock, seed=9, rate_limits=False, generate_per_minute=20)
    clock.advance(60)
    app.tick()
    first = {o["orderId"]: o for o in app.store.all()}
    assert len(first) == 20
    assert {o["fulfillment"]["fulfillmentStatus"] for o in first.values()} == {"PENDING"}
    clock.advance(30)
    app.tick()
    assert len(app.store) == 30
    app.generate_per_minute = 0  # from here on, only time passes for the first twenty
    clock.advance(2 * 3600)
    app.tick()
    later = [app.store.get(order_id) for order_id in first]
    statuses = {o["fulfillment"]["fulfillmentStatus"] for o in later}
    assert "PENDING" not in statuses and "SHIPPED" in statuses
    assert all(o["lastUpdatedTime"] > first[o["orderId"]]["lastUpdatedTime"] for o in later)


# --- control routes, faults and notifications -------------------------------------------------


def test_control_routes(app, clock):
    http = Http(app)
    stored = http.control("PUT", "/_sandbox/orders/A", order("A")).json()
    assert stored["lastUpdatedTime"] == iso(clock.now())
    kept = http.control(
        "PUT", "/_sandbox/orders/B", order("B", lastUpdatedTime="2026-05-30T00:00:00Z")
    ).json()
    assert kept["lastUpdatedTime"] == "2026-05-30T00:00:00Z"
    assert http.control("PUT", "/_sandbox/orders/C", order("D")).status_code == 400
    assert http.control("PUT", "/_sandbox/orders/C", {"orderId": "C"}).status_code == 400
    assert (
        http.control("POST", "/_sandbox/orders/A/status", {"fulfillmentStatus": "Shipped"}).status_code == 400
    )
    assert (
        http.control("POST", "/_sandbox/orders/Z/status", {"fulfillmentStatus": "SHIPPED"}).status_code == 404
    )
    assert http.control("POST", "/_sandbox/generate", {"count": "3"}).status_code == 400
    assert http.control("POST", "/_sandbox/generate", {"count": 3}).json()["generated"] == 3
    assert len(http.control("GET", "/_sandbox/orders").json()["orders"]) == 5
    http.get("/orders/2026-01-01/orders/A")
    calls = http.control("GET", "/_sandbox/calls").json()
    assert calls == {
        "operations": {"searchOrders": 0, "getOrder": 1, "confirmShipment": 0, "token": 1},
        "throttled": 0,
        "faults": 0,
    }
    http.control("POST", "/_sandbox/reset")
    assert http.control("GET", "/_sandbox/orders").json() == {"orders": []}
    assert http.control("GET", "/_sandbox/calls").json()["operations"]["getOrder"] == 0


def test_faults_touch_only_the_amazon_routes(clock):
    app = SandboxApp(clock=clock, rate_limits=False, fault_rate=1.0, stall_seconds=1)
    raw = httpx.Client(transport=app.transport(), base_url=BASE)
    for _ in range(20):
        assert raw.post("/_sandbox/generate", json={"count": 1}).status_code == 200
        assert raw.get("/_sandbox/calls").status_code == 200
    outcomes = set()
    for _ in range(40):
        try:
            answer = raw.post(
                TOKEN_URL,
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": "r",
                    "client_id": "c",
                    "client_secret": "s",
                },
            )
        except httpx.ReadTimeout:
            outcomes.add("stall")
            continue
        try:
            answer.json()
            outcomes.add(answer.status_code)
        except json.JSONDecodeError:
            outcomes.add("truncated")
    assert outcomes == {500, 503, "stall", "truncated"}
    assert app.calls()["faults"] == 40


def test_notifications_follow_every_status_change(clock):
    posted = []

    def receive(request):
        posted.append((request.headers.get("x-api-key"), json.loads(request.content)))
        return httpx.Response(200)

    app = SandboxApp(
        clock=clock,
        rate_limits=False,
        notify_url="https://store.test/hook",
        notify_secret="k3y",
        notify_transport=httpx.MockTransport(receive),
    )
    http = Http(app)
    http.control(
        "PUT", "/_sandbox/orders/A", order("A", recipient={"deliveryAddress": {"postalCode": "98101"}})
    )
    http.control("POST", "/_sandbox/orders/A/status", {"fulfillmentStatus": "SHIPPED"})
    app.generate(3)
    app.notifier.flush()
    app.close()
    assert len(posted) == 5 and {key for key, _ in posted} == {"k3y"}
    for _, event in posted:
        assert (
            event["source"] == "aws.partner/sellingpartnerapi.amazon"
            and event["detail-type"] == "ORDER_CHANGE"
        )
        amazon.validate_notification(event["detail"])
    change = posted[1][1]["detail"]["Payload"]["OrderChangeNotification"]
    assert change["AmazonOrderId"] == "A" and change["SellerId"] == app.seller_id
    assert change["Summary"]["OrderStatus"] == "Shipped" and change["Summary"]["FulfillmentType"] == "MFN"


def test_a_buyer_can_cancel_one_line_and_the_totals_follow(clock):
    posted = []
    app = SandboxApp(
        clock=clock,
        seed=3,
        rate_limits=False,
        notify_url="https://store.test/hook",
        notify_transport=httpx.MockTransport(
            lambda r: posted.append(json.loads(r.content)) or httpx.Response(200)
        ),
    )
    ids = app.generate(300)
    clock.advance(3 * 3600)
    app.tick()
    partly = [
        o
        for o in map(app.store.get, ids)
        if any(i.get("cancellation") for i in o["orderItems"])
        and o["fulfillment"]["fulfillmentStatus"] != "CANCELLED"
    ]
    assert partly, "the generator makes partly canceled orders"
    for raw in partly:
        order = read_order(raw)
        canceled = [i for i in order.items if i.cancellation is not None]
        assert all(i.quantity_ordered == 0 and i.cancellation.is_executed for i in canceled)
        kept = [i for i in order.items if i.cancellation is None]
        assert kept and all(i.quantity_ordered > 0 for i in kept)
        item_total = sum(i.breakdown("ITEM").amount for i in kept)
        assert order.breakdown("ITEM").amount == item_total
        parts = sum(b.subtotal.amount for b in order.proceeds_breakdowns)
        assert order.grand_total.amount == parts
    app.notifier.flush()
    app.close()
    changes = [e["detail"]["Payload"]["OrderChangeNotification"]["OrderChangeType"] for e in posted]
    assert "BuyerRequestedChange" in changes


def test_a_failing_notification_receiver_does_not_disturb_the_sandbox(clock):
    def refuse(request):
        raise httpx.ConnectError("nobody listens")

    app = SandboxApp(
        clock=clock,
        rate_limits=False,
        notify_url="https://store.test/hook",
        notify_secret="k3y",
        notify_transport=httpx.MockTransport(refuse),
    )
    ids = app.generate(3)
    app.change_status(ids[0], "CANCELLED")
    app.notifier.flush()
    assert app.notifier.failed == 4 and app.notifier.sent == 0
    assert app.store.get(ids[0])["fulfillment"]["fulfillmentStatus"] == "CANCELLED"
    app.close()
