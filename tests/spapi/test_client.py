import datetime as dt
import json
from urllib.parse import parse_qsl

import httpx
import pytest

from saleschannel.spapi import (
    BadResponse,
    ConfirmShipmentItem,
    ConfirmShipmentPackage,
    InvalidRequest,
    NotFound,
    Order,
    RateLimitDeadline,
    Throttled,
    TokenBucketLimiter,
    Transient,
    UnreadableOrder,
    UnreadableOrderError,
    UsagePlan,
)
from saleschannel.spapi.sandbox import SandboxApp
from tests.spapi.conftest import BASE, Recorder

UTC = dt.UTC


def api_requests(recorder, part="/orders/"):
    return [q for q, r in recorder.exchanges if part in q.url.path]


def control(app):
    return httpx.Client(transport=app.transport(), base_url=BASE)


def scripted(answers):
    """A transport answering the token route itself and the API from ``answers`` in turn."""
    seen = []

    def handle(request):
        if request.url.path == "/auth/o2/token":
            return httpx.Response(
                200, json={"access_token": "Atza|t", "expires_in": 3600, "token_type": "bearer"}
            )
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handle), seen


def order_json(order_id, updated="2026-06-01T11:00:00Z", status="UNSHIPPED"):
    return {
        "orderId": order_id,
        "createdTime": "2026-06-01T10:00:00Z",
        "lastUpdatedTime": updated,
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER"},
        "fulfillment": {"fulfillmentStatus": status, "fulfilledBy": "MERCHANT"},
        "orderItems": [
            {"orderItemId": "11", "quantityOrdered": 2, "product": {"sellerSku": "A"}},
            {"orderItemId": "12", "quantityOrdered": 1, "product": {"sellerSku": "B"}},
        ],
    }


def test_pages_resend_identical_filters_with_the_pagination_token(app, make_client, clock):
    app.generate(25)
    clock.advance(1)
    recorder = Recorder(app.transport())
    client = make_client(recorder)
    since = clock.now() - dt.timedelta(hours=1)
    pages = client.search_orders(
        marketplace_ids=["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"],
        last_updated_after=since,
        fulfilled_by=["MERCHANT", "AMAZON"],
        max_results_per_page=10,
    )
    assert api_requests(recorder) == []  # nothing is fetched before the first page is asked for
    first = next(pages)
    assert len(api_requests(recorder)) == 1 and len(first.orders) == 10
    rest = list(pages)
    sent = [dict(parse_qsl(q.url.query.decode())) for q in api_requests(recorder)]
    assert len(sent) == 1 + len(rest)
    assert sent[0]["lastUpdatedAfter"] == since.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert sent[0]["marketplaceIds"] == "ATVPDKIKX0DER,A2EUQ1WTGCTBG2"
    assert sent[0]["includedData"] == "BUYER,RECIPIENT,PROCEEDS,FULFILLMENT,PACKAGES,CANCELLATION"
    for page_query in sent[1:]:
        token = page_query.pop("paginationToken")
        assert token and page_query == sent[0]
    assert "paginationToken" not in sent[0]
    assert first.last_updated_before == clock.now()


def test_s4_refuses_filters_amazon_would_refuse_before_sending(app, make_client, clock):
    recorder = Recorder(app.transport())
    client = make_client(recorder)
    now = clock.now()
    bad = [
        {},
        {"created_after": now - dt.timedelta(days=1), "last_updated_after": now - dt.timedelta(days=1)},
        {
            "last_updated_after": now - dt.timedelta(days=1),
            "last_updated_before": now - dt.timedelta(seconds=60),
        },
        {"created_after": now, "created_before": now - dt.timedelta(hours=1)},
        {"created_after": dt.datetime(2026, 1, 1)},
        {"created_after": now - dt.timedelta(days=1), "fulfillment_statuses": ["Shipped"]},
        {"created_after": now - dt.timedelta(days=1), "included_data": ["EVERYTHING"]},
        {"created_after": now - dt.timedelta(days=1), "max_results_per_page": 101},
        {"created_after": now - dt.timedelta(days=1), "fulfilled_by": "AMAZON"},
    ]
    for kwargs in bad:
        with pytest.raises(ValueError):
            client.search_orders(marketplace_ids=["ATVPDKIKX0DER"], **kwargs)
    assert recorder.exchanges == []
    ok = client.search_orders(
        marketplace_ids=["ATVPDKIKX0DER"],
        last_updated_after=now - dt.timedelta(days=1),
        last_updated_before=now - dt.timedelta(minutes=2),
    )
    assert next(iter(ok)).last_updated_before == now - dt.timedelta(minutes=2)


def test_times_are_sent_in_utc_with_z():
    from saleschannel.spapi.params import format_time

    berlin = dt.timezone(dt.timedelta(hours=2))
    assert format_time(dt.datetime(2026, 6, 1, 14, 0, tzinfo=berlin), "t") == "2026-06-01T12:00:00Z"
    assert (
        format_time(dt.datetime(2026, 6, 1, 12, 0, 0, 250000, tzinfo=UTC), "t") == "2026-06-01T12:00:00.250Z"
    )


def test_get_order_and_not_found(app, make_client):
    control(app).put("/_sandbox/orders/111-0000000-0000001", json=order_json("111-0000000-0000001"))
    client = make_client(app.transport())
    order = client.get_order("111-0000000-0000001")
    assert isinstance(order, Order) and order.fulfillment_status == "UNSHIPPED"
    with pytest.raises(NotFound) as info:
        client.get_order("999-0000000-0000009")
    assert info.value.status == 404 and info.value.request_id and info.value.code == "NotFound"


def test_get_order_hands_on_an_unreadable_order_raw(app, make_client, sandbox_answers_follow_the_models):
    broken = order_json("111-0000000-0000002")
    del broken["salesChannel"]
    control(app).put("/_sandbox/orders/111-0000000-0000002", json=broken)
    client = make_client(app.transport())
    with pytest.raises(UnreadableOrderError) as info:
        client.get_order("111-0000000-0000002")
    assert info.value.unreadable.order_id == "111-0000000-0000002"
    assert "salesChannel" in info.value.unreadable.error and "salesChannel" not in info.value.unreadable.raw
    # the contract check saw the broken order too; it was stored broken on purpose
    assert any("salesChannel" in v for v in sandbox_answers_follow_the_models)
    sandbox_answers_follow_the_models.clear()


def test_an_unreadable_order_does_not_fail_its_page(
    app, make_client, clock, sandbox_answers_follow_the_models
):
    broken = order_json("111-0000000-0000003")
    broken["orderItems"][0]["quantityOrdered"] = "two"
    control(app).put("/_sandbox/orders/111-0000000-0000003", json=broken)
    control(app).put("/_sandbox/orders/111-0000000-0000004", json=order_json("111-0000000-0000004"))
    client = make_client(app.transport())
    (page,) = client.search_orders(marketplace_ids=None, created_after=clock.now() - dt.timedelta(days=1))
    kinds = {o.order_id: type(o) for o in page.orders}
    assert kinds == {"111-0000000-0000003": UnreadableOrder, "111-0000000-0000004": Order}
    assert any("quantityOrdered" in v for v in sandbox_answers_follow_the_models)  # broken on purpose
    sandbox_answers_follow_the_models.clear()


def package(ref, *items):
    return ConfirmShipmentPackage(
        package_reference_id=ref,
        carrier_code="UPS",
        tracking_number=f"1Z{ref}",
        ship_date=dt.datetime(2026, 6, 1, 12, tzinfo=UTC),
        items=tuple(ConfirmShipmentItem(i, q) for i, q in items),
    )


def test_confirm_shipment_records_packages_and_moves_the_status(app, make_client):
    control(app).put("/_sandbox/orders/111-0000000-0000005", json=order_json("111-0000000-0000005"))
    recorder = Recorder(app.transport())
    client = make_client(recorder)
    client.confirm_shipment(
        "111-0000000-0000005", marketplace_id="ATVPDKIKX0DER", package=package("1", ("11", 1))
    )
    assert client.get_order("111-0000000-0000005").fulfillment_status == "PARTIALLY_SHIPPED"
    client.confirm_shipment(
        "111-0000000-0000005", marketplace_id="ATVPDKIKX0DER", package=package("1", ("11", 1))
    )
    client.confirm_shipment(
        "111-0000000-0000005", marketplace_id="ATVPDKIKX0DER", package=package("2", ("11", 1), ("12", 1))
    )
    order = client.get_order("111-0000000-0000005")
    assert order.fulfillment_status == "SHIPPED"
    assert [p.package_reference_id for p in order.packages] == ["1", "2"]  # the re-sent package is one
    assert [i.quantity_shipped for i in order.items] == [2, 1]
    body = json.loads(api_requests(recorder, "shipmentConfirmation")[0].content)
    assert body == {
        "marketplaceId": "ATVPDKIKX0DER",
        "packageDetail": {
            "packageReferenceId": "1",
            "carrierCode": "UPS",
            "trackingNumber": "1Z1",
            "shipDate": "2026-06-01T12:00:00Z",
            "orderItems": [{"orderItemId": "11", "quantity": 1}],
        },
    }


def test_confirm_shipment_refusals_are_invalid_requests(app, make_client):
    control(app).put("/_sandbox/orders/111-0000000-0000006", json=order_json("111-0000000-0000006"))
    client = make_client(app.transport())
    with pytest.raises(InvalidRequest, match="more than the quantity ordered"):
        client.confirm_shipment(
            "111-0000000-0000006", marketplace_id="ATVPDKIKX0DER", package=package("1", ("12", 2))
        )
    with pytest.raises(InvalidRequest, match="marketplace"):
        client.confirm_shipment(
            "111-0000000-0000006", marketplace_id="A1PA6795UKMFR9", package=package("1", ("12", 1))
        )
    with pytest.raises(ValueError):
        package("A1", ("12", 1))


@pytest.mark.parametrize(
    "fault",
    [
        httpx.Response(500, json={"errors": [{"code": "InternalFailure", "message": "x"}]}),
        httpx.Response(502),
        httpx.Response(503, json={"errors": [{"code": "ServiceUnavailable", "message": "x"}]}),
        httpx.Response(504),
        httpx.Response(200, content=b'{"order": {"orderId": "1'),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
    ],
    ids=["500", "502", "503", "504", "truncated", "connect", "timeout"],
)
def test_transient_failures_are_retried(make_client, fault):
    good = httpx.Response(200, json={"order": order_json("111-0000000-0000007")})
    transport, seen = scripted([fault, fault, good])
    client = make_client(transport)
    assert client.get_order("111-0000000-0000007").order_id == "111-0000000-0000007"
    assert len(seen) == 3 and client.stats.snapshot().retries == 2


def test_retries_are_bounded_and_end_in_the_right_error(make_client):
    transport, seen = scripted([httpx.Response(503)] * 6)
    client = make_client(transport)
    with pytest.raises(Transient):
        client.get_order("1")
    assert len(seen) == 6
    transport, seen = scripted([httpx.Response(200, content=b"<html>")] * 6)
    with pytest.raises(BadResponse, match="not JSON"):
        make_client(transport).get_order("1")


def test_json_that_breaks_the_envelope_is_a_bad_response_not_an_empty_page(make_client, clock):
    transport, seen = scripted([httpx.Response(200, json={"orders": None})])
    client = make_client(transport)
    with pytest.raises(BadResponse, match="orders"):
        list(client.search_orders(marketplace_ids=None, created_after=clock.now() - dt.timedelta(days=1)))
    assert len(seen) == 1


def test_a_429_honours_retry_after_and_is_counted(make_client, clock):
    throttled = httpx.Response(
        429,
        headers={"retry-after": "7", "x-amzn-RequestId": "req-1"},
        json={"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota."}]},
    )
    transport, _seen = scripted([throttled, httpx.Response(200, json={"order": order_json("1")})])
    client = make_client(transport)
    client.get_order("1")
    assert clock.slept >= 7
    stats = client.stats.snapshot()
    assert stats.throttled == 1 and stats.retries == 1 and stats.calls["getOrder"] == 2
    assert client.stats.reset().throttled == 1 and client.stats.snapshot().throttled == 0


def test_a_lasting_429_raises_throttled_with_amazons_error(make_client):
    throttled = httpx.Response(
        429,
        headers={"x-amzn-RequestId": "req-9"},
        json={"errors": [{"code": "QuotaExceeded", "message": "slow down"}]},
    )
    transport, _ = scripted([throttled] * 6)
    with pytest.raises(Throttled) as info:
        make_client(transport).get_order("1")
    assert info.value.code == "QuotaExceeded" and info.value.request_id == "req-9"
    assert "slow down" in str(info.value) and "req-9" in str(info.value)


def test_a_400_is_not_retried(make_client):
    transport, seen = scripted(
        [httpx.Response(400, json={"errors": [{"code": "InvalidInput", "message": "bad"}]})]
    )
    with pytest.raises(InvalidRequest):
        make_client(transport).get_order("1")
    assert len(seen) == 1


def test_c7_an_order_repeated_on_a_later_page_is_returned_once(make_client, clock):
    first = {"orders": [order_json("A"), order_json("B")], "pagination": {"nextToken": "t1"}}
    second = {"orders": [order_json("B", updated="2026-06-01T11:30:00Z"), order_json("C")]}
    transport, _ = scripted([httpx.Response(200, json=first), httpx.Response(200, json=second)])
    client = make_client(transport)
    pages = list(client.search_orders(marketplace_ids=None, created_after=clock.now() - dt.timedelta(days=1)))
    assert [o.order_id for p in pages for o in p.orders] == ["A", "B", "C"]
    assert client.stats.snapshot().duplicates_skipped == 1


def test_c7_a_retried_page_is_returned_once(make_client, clock):
    page = {"orders": [order_json("A"), order_json("B")], "pagination": {"nextToken": "t1"}}
    last = {"orders": [order_json("C")]}
    transport, seen = scripted([httpx.Response(200, json=page), httpx.Response(503), httpx.Response(200, json=last)])
    client = make_client(transport)
    pages = list(client.search_orders(marketplace_ids=None, created_after=clock.now() - dt.timedelta(days=1)))
    assert [o.order_id for p in pages for o in p.orders] == ["A", "B", "C"] and len(seen) == 3
    # The first page fails, then comes whole: its orders once, however often it was fetched.
    transport, seen = scripted([httpx.Response(503), httpx.Response(200, json=page), httpx.Response(200, json=last)])
    pages = list(make_client(transport).search_orders(
        marketplace_ids=None, created_after=clock.now() - dt.timedelta(days=1)))
    assert [o.order_id for p in pages for o in p.orders] == ["A", "B", "C"] and len(seen) == 3


def test_c7_repeats_are_dropped_within_a_window_of_recent_ids(make_client, clock):
    """The search remembers only the last ``repeat_window`` ids: its memory stays flat."""
    pages = [
        {"orders": [order_json("A"), order_json("B")], "pagination": {"nextToken": "t1"}},
        {"orders": [order_json("B"), order_json("C")], "pagination": {"nextToken": "t2"}},  # B: adjacent
        {"orders": [order_json("D"), order_json("A")]},  # A: three ids back, past a window of two
    ]
    transport, _ = scripted([httpx.Response(200, json=p) for p in pages])
    client = make_client(transport)
    client.repeat_window = 2
    got = [o.order_id for p in client.search_orders(
        marketplace_ids=None, created_after=clock.now() - dt.timedelta(days=1)) for o in p.orders]
    assert got == ["A", "B", "C", "D", "A"]
    assert client.stats.snapshot().duplicates_skipped == 1


def test_recent_ids_keep_at_most_their_size():
    from saleschannel.spapi.client import REPEAT_WINDOW, RecentIds

    recent = RecentIds(3)
    for n in range(10):
        recent.add(f"id-{n}")
        recent.add(f"id-{n}")  # a second add of a remembered id changes nothing
    assert len(recent) == 3 and "id-9" in recent and "id-6" not in recent
    assert REPEAT_WINDOW >= 200  # at least the two neighbouring pages of 100
    with pytest.raises(ValueError):
        RecentIds(0)


def test_the_rate_amazon_advertises_replaces_the_default(make_client, clock):
    limiter = TokenBucketLimiter(clock, plans={"getOrder": UsagePlan(0.5, 1)})
    answer = httpx.Response(200, headers={"x-amzn-RateLimit-Limit": "4.0"}, json={"order": order_json("1")})
    transport, _ = scripted([answer, answer])
    client = make_client(transport, limiter=limiter)
    client.get_order("1")
    client.get_order("1")
    assert client.stats.snapshot().limiter_wait_seconds == pytest.approx(0.25)


def test_a_limiter_wait_past_the_deadline_sends_nothing(make_client, clock):
    limiter = TokenBucketLimiter(clock, plans={"getOrder": UsagePlan(0.5, 1)})
    transport, seen = scripted([httpx.Response(200, json={"order": order_json("1")})])
    client = make_client(transport, limiter=limiter)
    client.get_order("1")
    with pytest.raises(RateLimitDeadline):
        client.get_order("1", deadline=clock.monotonic() + 1)
    assert len(seen) == 1


def test_faults_from_the_sandbox_are_ridden_out_in_process(clock, make_client):
    app = SandboxApp(clock=clock, seed=11, rate_limits=False, fault_rate=0.3)
    ids = set(app.generate(120))
    clock.advance(1)
    client = make_client(app.transport())
    seen = [
        o.order_id
        for page in client.search_orders(
            marketplace_ids=None, created_after=clock.now() - dt.timedelta(hours=1), max_results_per_page=10
        )
        for o in page.orders
    ]
    assert sorted(seen) == sorted(ids)
    assert app.calls()["faults"] > 0 and client.stats.snapshot().retries > 0


def test_a_run_resumes_at_a_page_token_with_the_same_filters(app, make_client, clock):
    ids = set(app.generate(9))
    clock.advance(1)
    client = make_client(app.transport())
    since = clock.now() - dt.timedelta(hours=1)
    first = next(client.search_orders(marketplace_ids=None, created_after=since, max_results_per_page=4))
    resumed = client.search_orders(
        marketplace_ids=None, created_after=since, max_results_per_page=4, pagination_token=first.next_token
    )
    rest = [o.order_id for page in resumed for o in page.orders]
    assert sorted([o.order_id for o in first.orders] + rest) == sorted(ids)
    with pytest.raises(InvalidRequest, match="other filters"):
        list(
            client.search_orders(marketplace_ids=None, created_after=since, pagination_token=first.next_token)
        )
