"""S3: ORDER_CHANGE notifications schedule a getOrder; forged or malformed ones change nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

import saleschannel.spapi as spapi_package
from saleschannel.channel.models import OrderFetchRequest

SCHEMA_PATH = Path(spapi_package.__file__).parent / "sandbox" / "amazon_models" / "OrderChangeNotification.json"
URL = "/notifications/amazon/order-change"
SECRET = "notify-secret-for-tests"

pytestmark = pytest.mark.django_db


def notification(order_id="903-8868176-2219830", seller="A1SANDBOXSELLER", marketplace="ATVPDKIKX0DER"):
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": "2026-11-01T11:59:53.109Z",
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": seller,
                "AmazonOrderId": order_id,
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {"TimeOfOrderChange": "2026-11-01T11:59:50.000Z", "ChangeReason": "Status"},
                "Summary": {
                    "MarketplaceId": marketplace,
                    "OrderStatus": "Unshipped",
                    "PurchaseDate": "2026-11-01T11:00:00.000Z",
                    "DestinationPostalCode": "48110",
                    "FulfillmentType": "MFN",
                    "OrderType": "StandardOrder",
                    "OrderItems": [
                        {"OrderItemId": "OI1", "SellerSKU": "SKU-1", "SupplySourceId": None, "Quantity": 1}
                    ],
                },
            }
        },
        "NotificationMetadata": {
            "ApplicationId": "app-id-1",
            "SubscriptionId": "subscription-id-1",
            "PublishTime": "2026-11-01T11:59:53.109Z",
            "NotificationId": "n-1",
        },
    }


@pytest.fixture(autouse=True)
def _secret(monkeypatch):
    monkeypatch.setenv("SALESCHANNEL_NOTIFY_SECRET", SECRET)


def post(client, body, key=SECRET):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    headers = {} if key is None else {"x-api-key": key}
    return client.post(URL, data=data, content_type="application/json", headers=headers)


def test_the_test_notification_follows_amazons_schema():
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.validate(notification(), schema)


def test_s3_a_valid_notification_schedules_a_get_order(client, account):
    response = post(client, notification())
    assert response.status_code == 202, response.content
    request = OrderFetchRequest.objects.get()
    assert (request.account, request.amazon_order_id, request.done_at) == (account, "903-8868176-2219830", None)
    assert request.notification_id == "n-1"


def test_s3_repeated_notifications_leave_one_pending_request(client, account):
    for _ in range(3):
        assert post(client, notification()).status_code == 202
    assert OrderFetchRequest.objects.filter(done_at__isnull=True).count() == 1


def test_s3_eventbridge_and_sqs_envelopes_are_read(client, account):
    event = {"version": "0", "detail-type": "ORDER_CHANGE", "source": "aws.partner/sellingpartnerapi.amazon",
             "detail": notification("111-0000000-0000001")}
    assert post(client, event).status_code == 202
    message = {"MessageId": "m-1", "Body": json.dumps(notification("111-0000000-0000002"))}
    assert post(client, message).status_code == 202
    assert set(OrderFetchRequest.objects.values_list("amazon_order_id", flat=True)) == {
        "111-0000000-0000001",
        "111-0000000-0000002",
    }


@pytest.mark.parametrize("key", [None, "", "wrong", SECRET + "x"])
def test_s3_a_forged_notification_is_refused_and_changes_nothing(client, account, key):
    response = post(client, notification(), key=key)
    assert response.status_code == 401
    assert SECRET not in response.content.decode()
    assert not OrderFetchRequest.objects.exists()


def _without(path):
    body = notification()
    node = body
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return body


def _with(path, value):
    body = copy.deepcopy(notification())
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return body


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        "{}",
        _without(["Payload"]),
        _without(["Payload", "OrderChangeNotification", "AmazonOrderId"]),
        _without(["Payload", "OrderChangeNotification", "SellerId"]),
        _without(["Payload", "OrderChangeNotification", "Summary", "MarketplaceId"]),
        _without(["NotificationMetadata"]),
        _with(["NotificationType"], "ANY_OFFER_CHANGED"),
        _with(["Payload", "OrderChangeNotification", "AmazonOrderId"], 12345),
        _with(["Payload", "OrderChangeNotification", "AmazonOrderId"], "../../etc"),
        _with(["EventTime"], "yesterday"),
    ],
)
def test_s3_a_malformed_notification_is_refused_and_changes_nothing(client, account, body):
    response = post(client, body)
    assert response.status_code == 400, response.content
    assert not OrderFetchRequest.objects.exists()


def test_s3_an_oversized_body_is_refused(client, account):
    body = notification()
    body["padding"] = "x" * 300_000
    assert post(client, body).status_code == 400
    assert not OrderFetchRequest.objects.exists()


def test_s3_a_notification_for_no_account_changes_nothing(client, account):
    response = post(client, notification(seller="AOTHERSELLER"))
    assert response.status_code == 404
    assert not OrderFetchRequest.objects.exists()


def test_s3_only_post_is_allowed(client, account):
    assert client.get(URL, headers={"x-api-key": SECRET}).status_code == 405
