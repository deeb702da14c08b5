"""ORDER_CHANGE and LISTINGS_ITEM_MFN_QUANTITY_CHANGE notifications, posted as an
EventBridge API destination would.

Each notification follows its schema (``OrderChangeNotification.json``,
``ListingsItemMfnQuantityChange.json``); it travels inside an
EventBridge event envelope, with the destination's secret in an ``x-api-key`` header
(C16). Posting happens on a background thread so a status change never waits for the
receiver; a failed post is logged (without the secret) and dropped, as a notification
is a hint and the sync's searches are the record.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import uuid
from typing import Any

import httpx

from saleschannel.spapi.params import format_time

log = logging.getLogger("saleschannel.spapi.sandbox.notify")

V0_STATUS = {
    "PENDING_AVAILABILITY": "PendingAvailability",
    "PENDING": "Pending",
    "UNSHIPPED": "Unshipped",
    "PARTIALLY_SHIPPED": "PartiallyShipped",
    "SHIPPED": "Shipped",
    "CANCELLED": "Canceled",
    "UNFULFILLABLE": "Unfulfillable",
}
APPLICATION_ID = "amzn1.sp.solution.sandbox-application"
SUBSCRIPTION_ID = "sandbox-order-change-subscription"


def order_change_notification(
    order: dict[str, Any],
    seller_id: str,
    now: dt.datetime,
    *,
    change: str = "OrderStatusChange",
    reason: str = "Order status changed",
) -> dict[str, Any]:
    """The ORDER_CHANGE notification of a change to an order (by default, its status)."""
    stamp = format_time(now, "EventTime")
    summary = _summary(order)
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": stamp,
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": seller_id,
                "AmazonOrderId": order["orderId"],
                "OrderChangeType": change,
                "OrderChangeTrigger": {
                    "TimeOfOrderChange": order.get("lastUpdatedTime"),
                    "ChangeReason": reason,
                },
                "Summary": summary,
            }
        },
        "NotificationMetadata": {
            "ApplicationId": APPLICATION_ID,
            "SubscriptionId": SUBSCRIPTION_ID,
            "PublishTime": stamp,
            "NotificationId": str(uuid.uuid4()),
        },
    }


def _summary(order: dict[str, Any]) -> dict[str, Any]:
    """The notification's ``Summary``, in the v0 vocabulary it speaks."""
    fulfillment = order.get("fulfillment") or {}
    items = order.get("orderItems", [])
    shipped = sum((i.get("fulfillment") or {}).get("quantityFulfilled", 0) for i in items)
    ordered = sum(i.get("quantityOrdered", 0) for i in items)
    programs = order.get("programs", [])
    address = (order.get("recipient") or {}).get("deliveryAddress") or {}
    return {
        "MarketplaceId": (order.get("salesChannel") or {}).get("marketplaceId", ""),
        "OrderStatus": V0_STATUS.get(fulfillment.get("fulfillmentStatus", ""), "Pending"),
        "PurchaseDate": order.get("createdTime"),
        "DestinationPostalCode": address.get("postalCode"),
        "FulfillmentType": "AFN" if fulfillment.get("fulfilledBy") == "AMAZON" else "MFN",
        "OrderType": "StandardOrder",
        "NumberOfItemsShipped": shipped,
        "NumberOfItemsUnshipped": max(0, ordered - shipped),
        "OrderPrograms": [
            p for p, key in (("Prime", "PRIME"), ("Business", "AMAZON_BUSINESS")) if key in programs
        ],
        "OrderItems": [_item(i) for i in items],
    }


def _item(item: dict[str, Any]) -> dict[str, Any]:
    done = (item.get("fulfillment") or {}).get("quantityFulfilled", 0)
    quantity = item.get("quantityOrdered", 0)
    return {
        "OrderItemId": item["orderItemId"],
        "SellerSKU": (item.get("product") or {}).get("sellerSku", ""),
        "SupplySourceId": None,
        "OrderItemStatus": "Shipped" if quantity and done >= quantity else "Unshipped",
        "Quantity": quantity,
        "QuantityShipped": done,
    }


def mfn_quantity_change_notification(
    *, seller_id: str, sku: str, quantity: int, now: dt.datetime, channel: str = "DEFAULT"
) -> dict[str, Any]:
    """The LISTINGS_ITEM_MFN_QUANTITY_CHANGE notification (``ListingsItemMfnQuantityChange.json``)."""
    stamp = format_time(now, "EventTime")
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "LISTINGS_ITEM_MFN_QUANTITY_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": stamp,
        "Payload": {
            "SellerId": seller_id,
            "FulfillmentChannelCode": channel,
            "Sku": sku,
            "Quantity": quantity,
        },
        "NotificationMetadata": {
            "ApplicationId": APPLICATION_ID,
            "SubscriptionId": "sandbox-listings-item-mfn-quantity-change-subscription",
            "PublishTime": stamp,
            "NotificationId": str(uuid.uuid4()),
        },
    }


def feed_processing_finished_notification(
    *, seller_id: str, feed: dict[str, Any], now: dt.datetime
) -> dict[str, Any]:
    """The FEED_PROCESSING_FINISHED notification (``FeedProcessingFinishedNotification.json``)
    of a feed that ended DONE, FATAL or CANCELLED; ``feed`` is the feed as ``getFeed`` shows it."""
    stamp = format_time(now, "eventTime")
    payload = {
        "sellerId": seller_id,
        "accountId": f"amzn1.merchant.o.{seller_id}",
        "feedId": feed["feedId"],
        "feedType": feed["feedType"],
        "processingStatus": feed["processingStatus"],
    }
    if "resultFeedDocumentId" in feed:
        payload["resultFeedDocumentId"] = feed["resultFeedDocumentId"]
    return {
        "notificationVersion": "2020-09-04",
        "notificationType": "FEED_PROCESSING_FINISHED",
        "payloadVersion": "2020-09-04",
        "eventTime": stamp,
        "payload": {"feedProcessingFinishedNotification": payload},
        "notificationMetadata": {
            "applicationId": APPLICATION_ID,
            "subscriptionId": "sandbox-feed-processing-finished-subscription",
            "publishTime": stamp,
            "notificationId": str(uuid.uuid4()),
        },
    }


def eventbridge_event(notification: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """An EventBridge event carrying the notification, as a partner event source sends it."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": notification.get("NotificationType")
        or notification.get("notificationType", "ORDER_CHANGE"),
        "source": "aws.partner/sellingpartnerapi.amazon",
        "account": "000000000000",
        "time": format_time(now, "time"),
        "region": "us-east-1",
        "resources": [],
        "detail": notification,
    }


class Notifier:
    """Posts events to ``url`` from a background thread; ``sent`` and ``failed`` count them."""

    def __init__(self, url: str, secret: str | None, *, transport: httpx.BaseTransport | None = None) -> None:
        self.url = url
        self._secret = secret
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._http = httpx.Client(transport=transport, timeout=httpx.Timeout(10.0, connect=5.0))
        self.sent = 0
        self.failed = 0
        self._thread = threading.Thread(target=self._run, name="sandbox-notify", daemon=True)
        self._thread.start()

    def publish(self, event: dict[str, Any]) -> None:
        self._queue.put(event)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until everything published so far has been posted (for tests)."""
        done = threading.Event()
        self._queue.put({"__flush__": done})
        done.wait(timeout)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)
        self._http.close()

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            if "__flush__" in event:
                event["__flush__"].set()
                continue
            self._post(event)

    def _post(self, event: dict[str, Any]) -> None:
        headers = {"content-type": "application/json"}
        if self._secret:
            headers["x-api-key"] = self._secret
        try:
            response = self._http.post(self.url, json=event, headers=headers)
            response.raise_for_status()
            self.sent += 1
        except httpx.HTTPError as exc:
            self.failed += 1
            log.warning("notification to %s failed: %s", self.url, type(exc).__name__)
