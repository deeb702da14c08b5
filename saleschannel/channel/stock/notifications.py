"""Amazon's listings notifications on the channel's notification endpoint (T12), with the same
installation secret as ORDER_CHANGE (S3), routed by ``SellerId``:

- ``LISTINGS_ITEM_MFN_QUANTITY_CHANGE``: Amazon's own ``DEFAULT`` quantity (``offer_quantity_seen``);
  whether it is drift waits for ``offers_drift_mark`` (Amazon's own orders explain a fall).
- ``LISTINGS_ITEM_STATUS_CHANGE``: the offer's status (``BUYABLE``, ``DISCOVERABLE``).
- ``LISTINGS_ITEM_ISSUES_CHANGE``: the severities of the listing's issues.

``listings_notification_accept(*, body, api_key, now) -> ListingsNotice | None``: None when the
body is not a listings notification (the ORDER_CHANGE reading takes it then). Raises
``NotificationRefused`` (401, 400) or ``UnknownAccount``, and then nothing is changed.

[D] The quantity notification names no marketplace: it goes to each account of the seller that
holds an offer of the SKU, or, when none does, to the seller's only account (with two, none is
guessed: the daily read learns it).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from saleschannel.channel.errors import NotificationRefused, UnknownAccount
from saleschannel.channel.models import Account
from saleschannel.channel.services.notifications import MAX_BODY_BYTES, notification_authenticate
from saleschannel.channel.stock.models import Offer
from saleschannel.channel.stock.services.offers import offer_quantity_seen

QUANTITY = "LISTINGS_ITEM_MFN_QUANTITY_CHANGE"
STATUS = "LISTINGS_ITEM_STATUS_CHANGE"
ISSUES = "LISTINGS_ITEM_ISSUES_CHANGE"
KINDS = (QUANTITY, STATUS, ISSUES)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_SKU = 64
MAX_QUANTITY = 10_000_000


@dataclass(frozen=True)
class ListingsNotice:
    """One listings notification as taken: its kind, SKU and the offers it changed."""

    kind: str
    sku: str
    offers: int


def _loads(raw: bytes | str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise NotificationRefused(400, "body: not JSON") from None


def _unwrapped(body: bytes) -> Any:
    """The notification as Amazon writes it, from an EventBridge event or an SQS message too."""
    obj = _loads(body)
    for _ in range(2):
        if isinstance(obj, dict) and "NotificationType" not in obj:
            if isinstance(obj.get("detail"), dict):
                obj = obj["detail"]
            elif isinstance(obj.get("Body"), str):
                obj = _loads(obj["Body"])
    return obj


def _kind(body: bytes) -> tuple[str, Any]:
    if len(body) > MAX_BODY_BYTES:
        return "", None  # the ORDER_CHANGE reading refuses it with its own words
    try:
        notification = _unwrapped(body)
    except NotificationRefused:
        return "", None
    kind = notification.get("NotificationType") if isinstance(notification, dict) else None
    return (kind, notification) if kind in KINDS else ("", None)


def _text(obj: dict[str, Any], key: str, path: str, pattern: re.Pattern[str] | None = None,
          longest: int = 100) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > longest:
        raise NotificationRefused(400, f"{path}.{key}: expected a non-empty string")
    if pattern is not None and not pattern.match(value):
        raise NotificationRefused(400, f"{path}.{key}: not a valid identifier")
    return value


def _payload(notification: dict[str, Any]) -> dict[str, Any]:
    for key in ("NotificationVersion", "PayloadVersion", "EventTime"):
        _text(notification, key, "notification")
    metadata = notification.get("NotificationMetadata")
    if not isinstance(metadata, dict):
        raise NotificationRefused(400, "notification.NotificationMetadata: expected an object")
    payload = notification.get("Payload")
    if not isinstance(payload, dict):
        raise NotificationRefused(400, "notification.Payload: expected an object")
    return payload


def _strings(payload: dict[str, Any], key: str) -> list[str]:
    value = payload.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) <= 64 for v in value):
        raise NotificationRefused(400, f"Payload.{key}: expected an array of strings")
    return sorted(set(value))


def listings_notification_accept(*, body: bytes, api_key: str | None, now: dt.datetime) -> ListingsNotice | None:
    """Take one listings notification (see the module); None when the body is none."""
    kind, notification = _kind(body)
    if not kind:
        return None
    notification_authenticate(api_key=api_key)
    payload = _payload(notification)
    seller_id = _text(payload, "SellerId", "Payload", _ID)
    sku = _text(payload, "Sku", "Payload", longest=MAX_SKU)
    if kind == QUANTITY:
        return _quantity(payload, seller_id, sku, now)
    marketplace_id = _text(payload, "MarketplaceId", "Payload", _ID)
    account = Account.objects.filter(seller_id=seller_id, marketplace_id=marketplace_id).first()
    if account is None:
        raise UnknownAccount(f"no account for seller {seller_id} on marketplace {marketplace_id}")
    if kind == STATUS:
        changes: dict[str, Any] = {"amazon_status": _strings(payload, "Status")}
    else:
        changes = {"amazon_issue_severities": _strings(payload, "Severities")}
    with transaction.atomic():
        changed = Offer.objects.filter(account=account, sku=sku).update(**changes, updated_at=now)
    return ListingsNotice(kind, sku, changed)


def _quantity(payload: dict[str, Any], seller_id: str, sku: str, now: dt.datetime) -> ListingsNotice:
    channel = _text(payload, "FulfillmentChannelCode", "Payload")
    quantity = payload.get("Quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= MAX_QUANTITY:
        raise NotificationRefused(400, "Payload.Quantity: expected a whole number of at least 0")
    accounts = list(Account.objects.filter(seller_id=seller_id).order_by("pk"))
    if not accounts:
        raise UnknownAccount(f"no account for seller {seller_id}")
    if channel != "DEFAULT":
        return ListingsNotice(QUANTITY, sku, 0)  # only the merchant-fulfilled figure is ours (T3)
    holding = [a for a in accounts if Offer.objects.filter(account=a, sku=sku).exists()]
    targets = holding or (accounts if len(accounts) == 1 else [])
    with transaction.atomic():
        for account in targets:
            offer_quantity_seen(account=account, sku=sku, quantity=quantity, now=now)
    return ListingsNotice(QUANTITY, sku, len(targets))
