"""From an Amazon order (spapi model or stored raw JSON) to what the channel stores and the rules read.

- ``snapshot_fields(order) -> dict``: the parsed columns of ``AmazonOrder`` for a snapshot.
- ``order_parse(raw) -> Order | UnreadableOrder``: the stored raw JSON parsed again.
- ``order_view(amazon_order_id, parsed) -> rules.OrderView``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from saleschannel.channel import rules
from saleschannel.spapi.models import ModelError, Order, UnreadableOrder, parse_datetime, read_order

ID_MAX = 64
STATUS_MAX = 64
MONEY_LIMIT = Decimal("1e16")


def clip(text: str | None, limit: int) -> str:
    """Text cut to a column's length (snapshots are stored as they came; the raw JSON keeps all)."""
    return (text or "")[:limit]


def source_status(order: Order | UnreadableOrder) -> str:
    """The Amazon status in the source's names; ``Error`` for an unreadable order, unless the
    only thing wrong is a status the channel does not know: that one is shown as it came (R7)."""
    if isinstance(order, Order):
        if order.fulfillment_status is None:
            return rules.Status.ERROR.value
        known = rules.STATUS_FROM_2026.get(order.fulfillment_status)
        return known.value if known else clip(order.fulfillment_status, STATUS_MAX)  # C37: as Amazon gave it
    fulfillment = order.raw.get("fulfillment")
    status = fulfillment.get("fulfillmentStatus") if isinstance(fulfillment, dict) else None
    if isinstance(status, str) and status and "fulfillment.fulfillmentStatus: " in order.error:
        known = rules.STATUS_FROM_2026.get(status)
        return known.value if known else clip(status, STATUS_MAX)
    return rules.Status.ERROR.value


def amazon_order_id_of(order: Order | UnreadableOrder) -> tuple[str, str]:
    """The order's id and, when it cannot be used as one, why (a made-up id then stands in)."""
    order_id = order.order_id
    if isinstance(order_id, str) and 0 < len(order_id) <= ID_MAX and order_id.isprintable():
        return order_id, ""
    digest = hashlib.sha256(json.dumps(order.raw, sort_keys=True, default=str).encode()).hexdigest()[:20]
    reason = "orderId: missing" if not order_id else f"orderId: longer than {ID_MAX} characters or not printable"
    return f"unreadable-{digest}", reason


def _money(value: Decimal | None) -> Decimal | None:
    if value is None or not value.is_finite() or abs(value) >= MONEY_LIMIT:
        return None
    return value.quantize(Decimal("0.0001"))


def _raw_time(raw: dict[str, Any], key: str) -> dt.datetime | None:
    try:
        return parse_datetime(raw.get(key), key)
    except ModelError:
        return None


def snapshot_fields(order: Order | UnreadableOrder) -> dict[str, Any]:
    """The columns of ``AmazonOrder`` that a snapshot sets (without the import state)."""
    if isinstance(order, UnreadableOrder):
        return {
            "purchase_date": _raw_time(order.raw, "createdTime"),
            "last_updated_time": _raw_time(order.raw, "lastUpdatedTime"),
            "status": source_status(order), "channel": "", "currency": "", "order_total": None,
            "buyer_name": "", "is_prime": False, "is_business": False, "raw": order.raw, "skus": "",
        }
    channel = rules.CHANNEL_FROM_2026.get(order.fulfilled_by or "")
    skus = sorted({item.seller_sku for item in order.items if item.seller_sku})
    return {
        "purchase_date": order.created_time,
        "last_updated_time": order.last_updated_time,
        "status": source_status(order),
        "channel": channel.value if channel else "",
        "currency": clip(order.currency, 3),
        "order_total": _money(order.grand_total.amount) if order.grand_total else None,
        "buyer_name": clip(order.buyer.name if order.buyer else "", 255),
        "is_prime": order.is_prime,
        "is_business": order.is_business,
        "raw": order.raw,
        "skus": "|" + "|".join(skus) + "|" if skus else "",
    }


def order_parse(raw: dict[str, Any]) -> Order | UnreadableOrder:
    """The stored raw JSON, parsed again by the model's rules."""
    return status_tolerated(read_order(raw))


# A status the model names, standing in while the rest of an order with a new status is read.
_STAND_IN_STATUS = "PENDING"


def status_tolerated(order: Order | UnreadableOrder) -> Order | UnreadableOrder:
    """C37: an order whose only fault is a status the model does not name (``INVOICE_UNCONFIRMED``,
    a new one) is read as an order with that status as Amazon gave it, not as unreadable."""
    if not isinstance(order, UnreadableOrder) or "fulfillment.fulfillmentStatus: " not in order.error:
        return order
    fulfillment = order.raw.get("fulfillment")
    if not isinstance(fulfillment, dict):
        return order
    status = fulfillment.get("fulfillmentStatus")
    if not isinstance(status, str) or not status or not status.isprintable():
        return order
    stand_in = {**order.raw, "fulfillment": {**fulfillment, "fulfillmentStatus": _STAND_IN_STATUS}}
    parsed = read_order(stand_in)
    if not isinstance(parsed, Order):
        return order
    return dataclasses.replace(parsed, raw=order.raw, fulfillment_status=clip(status, STATUS_MAX))


def _currencies(order: Order) -> frozenset[str]:
    codes = set()
    if order.grand_total is not None:
        codes.add(order.grand_total.currency_code)
    codes.update(b.subtotal.currency_code for b in order.proceeds_breakdowns)
    for item in order.items:
        if item.unit_price is not None:
            codes.add(item.unit_price.currency_code)
        codes.update(b.subtotal.currency_code for b in item.proceeds_breakdowns)
    return frozenset(codes)


def order_view(amazon_order_id: str, parsed: Order | UnreadableOrder) -> rules.OrderView:
    """What the rules read of a snapshot."""
    if isinstance(parsed, UnreadableOrder):
        return rules.OrderView(
            amazon_order_id=amazon_order_id, status=source_status(parsed), channel=None,
            purchased_at=_raw_time(parsed.raw, "createdTime"),
            last_updated_at=_raw_time(parsed.raw, "lastUpdatedTime"), readable=False,
            unreadable_reason=parsed.error[:500],
        )
    buyer = parsed.buyer
    return rules.OrderView(
        amazon_order_id=amazon_order_id,
        status=source_status(parsed),
        channel=rules.CHANNEL_FROM_2026.get(parsed.fulfilled_by or ""),
        purchased_at=parsed.created_time,
        last_updated_at=parsed.last_updated_time,
        lines=tuple(
            rules.Line(sku=item.seller_sku or "", quantity=item.quantity_ordered, has_price=item.unit_price is not None)
            for item in parsed.items
        ),
        has_order_total=parsed.grand_total is not None,
        buyer_email=(buyer.email or "") if buyer else "",
        buyer_name=(buyer.name or "") if buyer else "",
        currencies=_currencies(parsed),
    )
