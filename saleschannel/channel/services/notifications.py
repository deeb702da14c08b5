"""Amazon's ORDER_CHANGE notifications: read, authenticate, route, and ask for a getOrder (S3).

- ``notification_accept(*, body, api_key, now) -> OrderFetchRequest`` (the endpoint's service);
- ``fetch_request_add(*, account, amazon_order_id, now, ...) -> OrderFetchRequest``;
- ``fetch_requests_serve(*, account, client, clock, limit, holder="", stop=None) -> int``:
  the worker's side, on getOrder's own budget.

A notification never changes an order by itself: it only schedules a ``getOrder`` of
that order (an ``OrderFetchRequest``), which the worker serves on getOrder's own
budget, ahead of any recheck; and only when what it says (status, fulfillment type,
lines) matters to the rules now (``sync.budget.notified_fetch_needed``): S1 brings the
rest within its cycle. Either way it is news of the order, which defers its recheck. So a repeated, late or out-of-order notification can do no harm: the order is
read as Amazon has it now, and an older snapshot never replaces a newer one (S1).

The body may come as Amazon writes it (SQS delivers it as is), wrapped in an
EventBridge event (``detail``), or as an SQS message whose ``Body`` is the JSON text.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from saleschannel.channel.errors import NotificationRefused, UnknownAccount
from saleschannel.channel.models import (
    Account,
    AmazonOrder,
    AmazonStatusEvent,
    OrderFetchRequest,
    OrderRecheck,
    OrderSettings,
    SyncCursor,
)
from saleschannel.channel.services.accounts import account_credentials_state_set
from saleschannel.channel.services.sync.base import order_take
from saleschannel.channel.services.sync.budget import Item, Notified, Stored, notified_fetch_needed
from saleschannel.channel.services.sync.fetches import (
    fetch_request_done,
    fetch_request_failed,
    fetch_request_release,
    fetch_requests_claim,
)
from saleschannel.home import key_from_env_or_file
from saleschannel.spapi.clock import Clock
from saleschannel.spapi.errors import AuthFailed, RateLimitDeadline, SpApiError, UnreadableOrderError
from saleschannel.spapi.models import Order, UnreadableOrder, read_order

if TYPE_CHECKING:
    from saleschannel.spapi.client import SpApiClient

MAX_BODY_BYTES = 256 * 1024
SECRET_ENV = "SALESCHANNEL_NOTIFY_SECRET"  # nosec B105  # the name of an environment variable
SECRET_FILE = "notify.key"  # nosec B105  # the name of the file that holds the secret
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class OrderChange:
    """What the channel needs from one ORDER_CHANGE notification."""

    seller_id: str
    marketplace_id: str
    amazon_order_id: str
    notification_id: str
    event_time: dt.datetime | None
    order_status: str
    fulfillment: str = ""  # "AFN" or "MFN"; "" when the notification did not say
    items: tuple[Item, ...] | None = None  # None when the notification did not tell every line
    changed_at: dt.datetime | None = None  # when Amazon says the order changed (``TimeOfOrderChange``)


@dataclass(frozen=True)
class Accepted:
    """A notification taken: the fetch it asked for, or None and why none was needed."""

    amazon_order_id: str
    fetch: OrderFetchRequest | None
    why: str


def notify_secret() -> str:
    """The installation's notification secret (C16): the environment, else a key file under home."""
    return key_from_env_or_file(SECRET_ENV, SECRET_FILE)


def notification_authenticate(*, api_key: str | None) -> None:
    """Refuse (401) a request whose ``x-api-key`` is not the installation's secret."""
    if not api_key or not hmac.compare_digest(api_key.encode(), notify_secret().encode()):
        raise NotificationRefused(401, "x-api-key: refused")


def _field(obj: Any, key: str, path: str) -> Any:
    if not isinstance(obj, dict):
        raise NotificationRefused(400, f"{path}: expected an object")
    if key not in obj:
        raise NotificationRefused(400, f"{path}.{key}: missing")
    return obj[key]


def _text(obj: Any, key: str, path: str, pattern: re.Pattern[str] | None = None) -> str:
    value = _field(obj, key, path)
    if not isinstance(value, str) or not value.strip():
        raise NotificationRefused(400, f"{path}.{key}: expected a non-empty string")
    if pattern is not None and not pattern.match(value):
        raise NotificationRefused(400, f"{path}.{key}: not a valid identifier")
    return value


def _time(value: Any, path: str) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise NotificationRefused(400, f"{path}: expected an ISO 8601 time")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise NotificationRefused(400, f"{path}: not an ISO 8601 time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _unwrap(obj: Any) -> Any:
    """Amazon's notification from an EventBridge event or an SQS message, or as it came."""
    for _ in range(2):
        if isinstance(obj, dict) and "NotificationType" not in obj:
            if isinstance(obj.get("detail"), dict):
                obj = obj["detail"]
            elif isinstance(obj.get("Body"), str):
                obj = _json(obj["Body"].encode())
    return obj


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise NotificationRefused(400, "body: not JSON") from None


def notification_parse(body: bytes) -> OrderChange:
    """Read one ORDER_CHANGE notification (``amazon-models/OrderChangeNotification.json``)."""
    if len(body) > MAX_BODY_BYTES:
        raise NotificationRefused(400, f"body: larger than {MAX_BODY_BYTES} bytes")
    notification = _unwrap(_json(body))
    for key in ("NotificationVersion", "PayloadVersion"):
        _text(notification, key, "notification")
    kind = _text(notification, "NotificationType", "notification")
    if kind != "ORDER_CHANGE":
        raise NotificationRefused(400, f"notification.NotificationType: {kind[:40]!r} is not ORDER_CHANGE")
    event_time = _time(_text(notification, "EventTime", "notification"), "notification.EventTime")
    metadata = _field(notification, "NotificationMetadata", "notification")
    notification_id = _text(metadata, "NotificationId", "notification.NotificationMetadata")
    change = _field(_field(notification, "Payload", "notification"), "OrderChangeNotification", "Payload")
    path = "Payload.OrderChangeNotification"
    summary = _field(change, "Summary", path)
    return OrderChange(
        seller_id=_text(change, "SellerId", path, _ID),
        marketplace_id=_text(summary, "MarketplaceId", f"{path}.Summary", _ID),
        amazon_order_id=_text(change, "AmazonOrderId", path, _ID),
        notification_id=notification_id[:100],
        event_time=event_time,
        order_status=str(summary.get("OrderStatus") or "")[:64],
        fulfillment=str(summary.get("FulfillmentType") or "")[:8],
        items=_items(summary.get("OrderItems")),
        changed_at=_changed_at(change.get("OrderChangeTrigger")),
    )


def _changed_at(trigger: Any) -> dt.datetime | None:
    if not isinstance(trigger, dict):
        return None
    try:
        return _time(trigger.get("TimeOfOrderChange"), "Payload.OrderChangeNotification.OrderChangeTrigger")
    except NotificationRefused:
        return None  # a hint only: the snapshot's own time is what counts


def _items(items: Any) -> tuple[Item, ...] | None:
    """The lines told (SKU, quantity, quantity shipped); None unless every line says all three."""
    if not isinstance(items, list):
        return None
    told = []
    for item in items:
        if not isinstance(item, dict):
            return None
        sku, quantity, shipped = item.get("SellerSKU"), item.get("Quantity"), item.get("QuantityShipped")
        if not isinstance(sku, str) or type(quantity) is not int or type(shipped) is not int:
            return None
        told.append(Item(sku=sku, quantity=quantity, shipped=shipped))
    return tuple(told)


def _stored(account: Account, amazon_order_id: str) -> Stored | None:
    order = (AmazonOrder.objects.filter(account=account, amazon_order_id=amazon_order_id)
             .only("status", "store_order_id", "holds_pending_reservation", "raw").first())
    if order is None:
        return None
    parsed = read_order(order.raw)
    items = tuple(Item(sku=i.seller_sku or "", quantity=i.quantity_ordered, shipped=i.quantity_shipped or 0)
                  for i in parsed.items) if isinstance(parsed, Order) else ()
    return Stored(status=order.status, imported=order.store_order_id is not None,
                  holds_reservation=order.holds_pending_reservation, items=items)


def _reserves_pending(account: Account) -> bool:
    return OrderSettings.objects.filter(account=account, pending_orders=OrderSettings.PendingOrders.RESERVE).exists()


def _news_noted(account: Account, change: OrderChange, now: dt.datetime, *, fetching: bool) -> None:
    """The order's news came by notification: its recheck (S2(a)) can wait; the account hears.
    A new status told without a fetch goes into the order's status history now (R18)."""
    with transaction.atomic():
        SyncCursor.objects.filter(account=account).update(notified_at=now)
        order = (AmazonOrder.objects.filter(account=account, amazon_order_id=change.amazon_order_id)
                 .only("pk", "status").first())
        if order is None:
            return
        OrderRecheck.objects.update_or_create(amazon_order=order, defaults={"checked_at": now})
        if not fetching and change.order_status and change.order_status != order.status:
            latest = order.status_events.order_by("-seen_at", "-pk").values_list("status", flat=True).first()
            if latest != change.order_status:
                AmazonStatusEvent.objects.create(amazon_order=order, status=change.order_status, seen_at=now,
                                                 changed_at=change.changed_at or change.event_time)


def notification_accept(*, body: bytes, api_key: str | None, now: dt.datetime) -> Accepted:
    """Authenticate, read and route one notification; schedule the getOrder of its order when
    what it says needs one (``budget.notified_fetch_needed``).

    Returns the pending fetch request of that order (the one already pending when the
    notification repeats), or none and why. Raises ``NotificationRefused`` (401/400) or
    ``UnknownAccount``, and then nothing is changed.
    """
    notification_authenticate(api_key=api_key)
    change = notification_parse(body)
    account = Account.objects.filter(seller_id=change.seller_id, marketplace_id=change.marketplace_id).first()
    if account is None:
        raise UnknownAccount(f"no account for seller {change.seller_id} on marketplace {change.marketplace_id}")
    told = Notified(status=change.order_status, fulfillment=change.fulfillment, items=change.items)
    decision = notified_fetch_needed(told, _stored(account, change.amazon_order_id),
                                     reserve_pending=_reserves_pending(account))
    _news_noted(account, change, now, fetching=decision.fetch)
    if not decision.fetch:
        return Accepted(change.amazon_order_id, None, decision.why.value)
    fetch = fetch_request_add(
        account=account,
        amazon_order_id=change.amazon_order_id,
        now=now,
        notification_id=change.notification_id,
        event_time=change.event_time,
    )
    return Accepted(change.amazon_order_id, fetch, decision.why.value)


def fetch_request_add(
    *,
    account: Account,
    amazon_order_id: str,
    now: dt.datetime,
    notification_id: str = "",
    event_time: dt.datetime | None = None,
) -> OrderFetchRequest:
    """Ask the worker for a getOrder of one order, at once; one pending request per order."""
    pending = OrderFetchRequest.objects.filter(
        account=account, amazon_order_id=amazon_order_id, done_at__isnull=True
    )
    try:
        with transaction.atomic():
            return OrderFetchRequest.objects.create(
                account=account,
                amazon_order_id=amazon_order_id,
                requested_at=now,
                notification_id=notification_id,
                event_time=event_time,
            )
    except IntegrityError:
        # Already pending: serve it now rather than after a back-off, and, if a worker is
        # reading it at this moment, once more after (its read may predate this change).
        pending.update(requested_at=now, not_before=None)
        return pending.get()


def _fetch_one(request: OrderFetchRequest, *, client: SpApiClient, clock: Clock, max_attempts: int) -> bool:
    """Read one requested order and take it in; False when getOrder's budget is spent for now."""

    try:
        order: Order | UnreadableOrder = client.get_order(request.amazon_order_id)
    except RateLimitDeadline as exc:
        wait = exc.retry_after or 1.0
        fetch_request_release(request=request, not_before=clock.now() + dt.timedelta(seconds=wait))
        return False
    except UnreadableOrderError as exc:
        order = exc.unreadable
    except AuthFailed as exc:

        fetch_request_release(request=request)
        # No retry storm: the account is parked until it is reconnected.
        account_credentials_state_set(account=request.account, ok=False, error=str(exc), now=clock.now())
        raise
    except SpApiError as exc:  # not found yet, or Amazon failing: back off; polling remains the safety net
        fetch_request_failed(request=request, now=clock.now(), error=str(exc), max_attempts=max_attempts)
        return True
    order_take(account=request.account, order=order, seen_at=clock.now())
    fetch_request_done(request=request, now=clock.now())
    return True


def fetch_requests_serve(
    *,
    account: Account,
    client: SpApiClient,
    clock: Clock,
    limit: int,
    holder: str = "",
    max_attempts: int = 5,
    stop: Callable[[], bool] | None = None,
) -> int:
    """Serve up to ``limit`` pending getOrder requests of the account (S3); the number served."""
    holder = holder or f"cycle:{account.pk}"
    claimed = fetch_requests_claim(holder=holder, now=clock.now(), limit=limit, account_id=account.pk)
    served = 0
    position = 0
    try:
        for position, request in enumerate(claimed):
            if stop is not None and stop():
                break
            if not _fetch_one(request, client=client, clock=clock, max_attempts=max_attempts):
                position += 1  # that one was given back with its wait
                break
            served += 1
        else:
            return served
    except BaseException:
        _release_all(claimed[position:])  # served again later: taking an order twice changes nothing
        raise
    _release_all(claimed[position:])
    return served


def _release_all(requests: list[OrderFetchRequest]) -> None:
    for request in requests:
        fetch_request_release(request=request, not_before=request.not_before)
