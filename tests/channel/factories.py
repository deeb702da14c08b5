"""Amazon orders in the Orders API 2026-01-01 shape, for tests, parsed by spapi's own parser."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from saleschannel.spapi.models import Order, UnreadableOrder, read_order

_numbers = itertools.count(1)
T0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)

STATUS_2026 = {
    "Pending": "PENDING",
    "PendingAvailability": "PENDING_AVAILABILITY",
    "Unshipped": "UNSHIPPED",
    "PartiallyShipped": "PARTIALLY_SHIPPED",
    "Shipped": "SHIPPED",
    "Canceled": "CANCELLED",
    "Unfulfillable": "UNFULFILLABLE",
}


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def money(amount: Decimal | str | int, currency: str = "USD") -> dict[str, str]:
    return {"amount": str(amount), "currencyCode": currency}


def order_dict(
    *,
    order_id: str | None = None,
    status: str = "Unshipped",
    channel: str = "FBM",
    items: list[tuple[str, int]] | list[tuple[str, int, str]] = (("SKU-A", 1),),  # type: ignore[assignment]
    created: dt.datetime | None = None,
    updated: dt.datetime | None = None,
    prices: bool = True,
    currency: str = "USD",
    buyer_email: str | None = "buyer@marketplace.amazon.com",
    buyer_name: str | None = "Jane Buyer",
    address: bool = True,
    shipping: str = "4.99",
    tax: str = "0",
) -> dict[str, Any]:
    """An order as Amazon's 2026-01-01 model has it. ``items``: (sku, quantity[, unit price])."""
    created = created or T0 + dt.timedelta(days=1)
    updated = updated or created + dt.timedelta(minutes=5)
    order_id = order_id or f"111-{next(_numbers):07d}-0000001"
    lines = []
    subtotal = Decimal(0)
    for n, item in enumerate(items, start=1):
        sku, qty = item[0], item[1]
        price = Decimal(item[2]) if len(item) > 2 else Decimal("10.00")  # type: ignore[misc]
        line: dict[str, Any] = {
            "orderItemId": f"{order_id}-{n}",
            "quantityOrdered": qty,
            "product": {"asin": f"B0{n:08d}", "title": f"Product {sku}", "sellerSku": sku},
        }
        if prices:
            line["product"]["price"] = {"unitPrice": money(price, currency)}
            subtotal += price * max(qty, 0)
        lines.append(line)
    body: dict[str, Any] = {
        "orderId": order_id,
        "createdTime": iso(created),
        "lastUpdatedTime": iso(updated),
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER", "marketplaceName": "Amazon.com"},
        "fulfillment": {
            "fulfillmentStatus": STATUS_2026.get(status, status),
            "fulfilledBy": "AMAZON" if channel == "FBA" else "MERCHANT",
        },
        "orderItems": lines,
        "programs": [],
    }
    if buyer_email is not None or buyer_name is not None:
        body["buyer"] = {k: v for k, v in (("buyerEmail", buyer_email), ("buyerName", buyer_name)) if v is not None}
    if address:
        body["recipient"] = {"deliveryAddress": {
            "name": buyer_name or "", "addressLine1": "1 Main St", "city": "Seattle", "stateOrRegion": "WA",
            "postalCode": "98101", "countryCode": "US",
        }}
    if prices:
        grand = subtotal + Decimal(shipping) + Decimal(tax)
        body["proceeds"] = {
            "grandTotal": money(grand, currency),
            "breakdowns": [
                {"type": "ITEM", "subtotal": money(subtotal, currency)},
                {"type": "SHIPPING", "subtotal": money(shipping, currency)},
                {"type": "TAX", "subtotal": money(tax, currency)},
            ],
        }
    return body


def amazon_order(**kwargs: Any) -> Order | UnreadableOrder:
    """The order parsed by spapi's parser (an ``UnreadableOrder`` when it breaks the model)."""
    return read_order(order_dict(**kwargs))


def with_status(body: dict[str, Any], status: str, *, at: dt.datetime) -> dict[str, Any]:
    """The same order, later, in another status."""
    changed = {**body, "fulfillment": {**body["fulfillment"], "fulfillmentStatus": STATUS_2026.get(status, status)},
               "lastUpdatedTime": iso(at)}
    return changed
