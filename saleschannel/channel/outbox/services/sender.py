"""Sending the outbox: claim due messages, send each once Amazon accepts it, retry the rest.

Sending is at least once: a sender may die after Amazon accepted a message and before it
wrote so; the message is then sent again, unchanged, and Amazon sees one package (C22).
A message Amazon accepted is never sent again. A message Amazon refuses (400 with
``errors[]``) waits for a correction (``outbox_message_resend``).

Claims: a sender marks the messages it takes with ``claimed_until`` in a short transaction
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent senders take different
rows; SQLite's writers are serialized) and sends outside any transaction. A sender that dies
leaves claims that run out, and the messages are taken again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import socket
from collections.abc import Callable, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from saleschannel.channel.models import Account
from saleschannel.channel.outbox.models import OutboxAttempt, OutboxMessage
from saleschannel.channel.outbox.services.ship import package_from_payload
from saleschannel.channel.services.sync.client import account_client
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.shipping.services import (
    shipment_items_reduce,
    shipment_tracking_update,
    tracking_check,
)
from saleschannel.spapi.clock import Clock, SystemClock
from saleschannel.spapi.errors import AuthFailed, BadResponse, SpApiError, Throttled, Transient

__all__ = [
    "CLAIM_SECONDS",
    "ClientFactory",
    "outbox_message_resend",
    "outbox_message_send",
    "outbox_send_due",
    "retry_delay",
]

log = logging.getLogger("saleschannel.outbox")
ClientFactory = Callable[[Account, Clock], Any]
#: How long a claim holds a message; longer than one send with its retries can take.
CLAIM_SECONDS = 300.0
#: The longest one send may wait for Amazon (rate limit, the client's own retries).
SEND_PATIENCE = 60.0
BASE_DELAY = 30.0
MAX_DELAY = 3600.0
State = OutboxMessage.State
_rng = random.Random()


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def retry_delay(attempts: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
    """Seconds before the next try after ``attempts`` failed ones: capped exponential back-off with
    jitter in its upper half, never less than Amazon's ``Retry-After``."""
    ceiling = min(MAX_DELAY, BASE_DELAY * 2 ** max(0, attempts - 1))
    delay = ceiling / 2 + (rng or _rng).uniform(0, ceiling / 2)
    return max(delay, retry_after or 0.0)


def _default_factory(account: Account, clock: Clock) -> Any:

    return account_client(account=account, clock=clock)


def _claim(now: dt.datetime, limit: int, holder: str, account: Account | None = None) -> list[int]:
    with transaction.atomic():
        # An account whose authorization Amazon refused waits for the merchant to reconnect it:
        # its messages stay pending, untried, and go as soon as it is connected again.
        due = (OutboxMessage.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
               .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
               .exclude(account__credentials_state=Account.CredentialsState.NEEDS_RECONNECTING)
               .order_by("next_attempt_at", "pk"))
        if account is not None:
            due = due.filter(account=account)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        OutboxMessage.objects.filter(pk__in=ids).update(
            claimed_until=now + dt.timedelta(seconds=CLAIM_SECONDS), claimed_by=holder
        )
    return ids


def outbox_send_due(
    *,
    now: dt.datetime | None = None,
    limit: int = 50,
    client_factory: ClientFactory | None = None,
    clock: Clock | None = None,
    account: Account | None = None,
) -> int:
    """Send up to ``limit`` due messages, oldest first; returns how many were tried.

    With ``account``, only that account's messages (``sync ACCOUNT --once``, T10).

    ``client_factory(account, clock)`` gives the account's ``SpApiClient``; the clients it gives
    stay the caller's (the worker keeps one per account). Without it, the sync engine's client
    is made (sharing the seller's rate-limit buckets) and closed again. The worker loop calls
    this each turn.
    """
    clock = clock or SystemClock()
    now = now or clock.now()
    factory = client_factory or _default_factory
    ids = _claim(now, limit, _holder(), account)
    clients: dict[int, Any] = {}
    try:
        for message in OutboxMessage.objects.filter(pk__in=ids).select_related("account").order_by("pk"):
            if message.account_id not in clients:
                clients[message.account_id] = factory(message.account, clock)
            _send_one(message, clients[message.account_id], now, clock)
    finally:
        if client_factory is None:
            for client in clients.values():
                client.close()
    return len(ids)


def outbox_message_send(
    *, message: OutboxMessage, client: Any = None, now: dt.datetime | None = None, clock: Clock | None = None,
) -> OutboxMessage:
    """Send one pending message now (``ship --send-now``), whatever its retry time; returns it as saved.

    A message another sender holds, or one already sent or refused, is left as it is.
    """
    clock = clock or SystemClock()
    now = now or clock.now()
    taken = OutboxMessage.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now), pk=message.pk, state=State.PENDING,
    ).update(claimed_until=now + dt.timedelta(seconds=CLAIM_SECONDS), claimed_by=_holder())
    message.refresh_from_db()
    if not taken:
        return message
    own = client is None
    client = client or _default_factory(message.account, clock)
    try:
        _send_one(message, client, now, clock)
    finally:
        if own:
            client.close()
    message.refresh_from_db()
    return message


def _send_one(message: OutboxMessage, client: Any, now: dt.datetime, clock: Clock) -> None:
    try:
        package = package_from_payload(message.payload)
        client.confirm_shipment(message.amazon_order_id, marketplace_id=message.payload["marketplaceId"],
                                package=package, deadline=clock.monotonic() + SEND_PATIENCE)
    except (ValueError, KeyError) as exc:
        _refused(message, now, None, "the stored request breaks the model: " + str(exc)[:300], ())
    except SpApiError as exc:
        _failed(message, now, exc)
    except Exception as exc:  # a bug or a network failure the client did not wrap: try again later
        log.warning("outbox message %s failed: %s", message.pk, type(exc).__name__)
        _retry(message, now, None, f"{type(exc).__name__}: {str(exc)[:300]}", None)
    else:
        _sent(message, now)


def _sent(message: OutboxMessage, now: dt.datetime) -> None:
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(
            state=State.SENT, sent_at=now, attempts=message.attempts + 1, claimed_until=None, claimed_by="",
            last_error="", errors=[], updated_at=timezone.now(),
        )
        OutboxAttempt.objects.create(message=message, attempted_at=now, outcome=OutboxAttempt.Outcome.SENT, status=204)
    log.info("outbox message %s (%s of %s) accepted by Amazon", message.pk, message.kind, message.amazon_order_id)


def _failed(message: OutboxMessage, now: dt.datetime, exc: SpApiError) -> None:
    # Throttling, server trouble, an unreadable answer and a refused access token pass (the
    # client's own retries being spent does not make them final); a request Amazon refuses does not.
    if isinstance(exc, Throttled | Transient | AuthFailed | BadResponse):
        _retry(message, now, exc.status, str(exc), exc)
    else:
        errors = tuple({"code": e.code, "message": e.message, "details": e.details} for e in exc.errors)
        _refused(message, now, exc.status, str(exc), errors)


def _retry(message: OutboxMessage, now: dt.datetime, status: int | None, error: str, exc: SpApiError | None) -> None:
    attempts = message.attempts + 1
    delay = retry_delay(attempts, exc.retry_after if exc is not None else None)
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk, state=State.PENDING).update(
            attempts=attempts, next_attempt_at=now + dt.timedelta(seconds=delay), claimed_until=None,
            claimed_by="", last_error=error[:2000], updated_at=timezone.now(),
        )
        OutboxAttempt.objects.create(message=message, attempted_at=now, outcome=OutboxAttempt.Outcome.RETRY,
                                     status=status, error_code=(exc.code or "") if exc else "", error=error[:2000])
    log.info("outbox message %s will be sent again in %.0f s: %s", message.pk, delay, error[:200])


def _refused(
    message: OutboxMessage, now: dt.datetime, status: int | None, error: str, errors: tuple[dict[str, Any], ...],
) -> None:
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk, state=State.PENDING).update(
            state=State.REFUSED, attempts=message.attempts + 1, claimed_until=None, claimed_by="",
            last_error=error[:2000], errors=list(errors), updated_at=timezone.now(),
        )
        OutboxAttempt.objects.create(
            message=message, attempted_at=now, outcome=OutboxAttempt.Outcome.REFUSED, status=status,
            error_code=str(errors[0]["code"])[:64] if errors else "", error=error[:2000],
        )
    log.warning("Amazon refused outbox message %s (%s of %s): %s", message.pk, message.kind,
                message.amazon_order_id, error[:300])


# --- correcting and resending ---------------------------------------------------------------

#: What a correction may change, by the names of the shipment's fields.
CHANGEABLE = {"carrier_code": "carrierCode", "carrier_name": "carrierName", "tracking_number": "trackingNumber",
              "shipping_method": "shippingMethod", "shipped_at": "shipDate"}
ALIASES = {"carrier": "carrier_code", "tracking": "tracking_number", "ship_date": "shipped_at"}


def _changes_check(changes: Mapping[str, Any]) -> dict[str, Any]:
    named: dict[str, Any] = {}
    for key, value in changes.items():
        name = ALIASES.get(key, key)
        if name not in CHANGEABLE:
            raise InvalidInput(key, value, f"cannot be changed (only {', '.join(CHANGEABLE)})")
        if name == "shipped_at" and isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise InvalidInput("ship_date", value, "is not an ISO 8601 date and time") from None
        named[name] = value
    return named


def outbox_message_resend(
    *, message: OutboxMessage, changes: Mapping[str, Any], now: dt.datetime | None = None,
) -> OutboxMessage:
    """Correct a message Amazon refused and send it again (the worker sends it on its next turn).

    ``changes`` may set ``carrier_code``/``carrier``, ``carrier_name``, ``tracking_number``/
    ``tracking``, ``shipping_method`` and ``shipped_at``/``ship_date``, and ``items`` (shipment
    item pk -> fewer units, C39); they are made on the shipment too. The package keeps its ``packageReferenceId``. Refuses with ``InvalidInput``
    (nothing changed) a message that is not refused, or a change that breaks the rules.
    """
    now = now or timezone.now()
    changes = dict(changes)
    items = changes.pop("items", None)
    named = _changes_check(changes)
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update(of=("self",)).select_related("shipment").get(pk=message.pk)
        if locked.state != State.REFUSED:
            raise InvalidInput("message", locked.pk, f"is {locked.state}: only a message Amazon refused is resent")
        payload = dict(locked.payload)
        if items is not None:
            payload["packageDetail"] = _items_corrected(locked, items)
        if locked.shipment is not None and named:
            shipment = shipment_tracking_update(shipment=locked.shipment, changes=named)
            named = {name: getattr(shipment, name) for name in CHANGEABLE}
        elif named:
            tracking_check(**{"carrier_code": payload["packageDetail"].get("carrierCode"),
                              "tracking_number": payload["packageDetail"].get("trackingNumber"), **named})
        payload["packageDetail"] = _detail_with(payload["packageDetail"], named)
        try:
            package_from_payload(payload)  # the corrected request still follows the model
        except (ValueError, KeyError) as exc:
            raise InvalidInput("changes", ", ".join(sorted(changes)) or "none", str(exc)) from None
        locked.payload, locked.state, locked.next_attempt_at = payload, State.PENDING, now
        locked.errors, locked.last_error, locked.claimed_until, locked.claimed_by = [], "", None, ""
        locked.save()
    message.refresh_from_db()
    return message


def _items_corrected(message: OutboxMessage, items: Any) -> dict[str, Any]:
    """C39: the shipment's items corrected (fewer units; what never left goes back to stock),
    and the package's ``orderItems`` written from them again."""
    if message.shipment is None or not isinstance(items, Mapping):
        raise InvalidInput("items", type(items).__name__, "give the quantity of each item of the shipment")
    shipment = shipment_items_reduce(shipment=message.shipment, quantities=items)
    detail = dict(message.payload["packageDetail"])
    detail["orderItems"] = [{"orderItemId": si.order_item.external_line_id, "quantity": int(si.qty)}
                            for si in shipment.items.select_related("order_item").order_by("pk")]
    return detail


def _detail_with(detail: dict[str, Any], named: Mapping[str, Any]) -> dict[str, Any]:
    updated = dict(detail)
    for name, value in named.items():
        key = CHANGEABLE[name]
        if name == "shipped_at":
            updated[key] = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        elif value:
            updated[key] = value
        else:
            updated.pop(key, None)
    return updated
