"""``amazon_order_record``: keep the latest snapshot of an Amazon order and its status history.

Snapshots are upserted by (account, order id): an older ``lastUpdatedTime`` never replaces
a newer one and the same one seen twice changes nothing (S1); each new Amazon status is
kept as an ``AmazonStatusEvent`` (R18). An unreadable order is kept raw with status
``Error`` and import state ``error`` (R7).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from saleschannel.channel import rules
from saleschannel.channel.models import Account, AmazonOrder, AmazonStatusEvent, ImportPeriod
from saleschannel.channel.services.imports.snapshot import (
    amazon_order_id_of,
    order_view,
    snapshot_fields,
    status_tolerated,
)
from saleschannel.channel.stock.services.offers import offers_due_for_amazon_order
from saleschannel.commerce.memo import remembered
from saleschannel.spapi.models import Order, UnreadableOrder, read_order

NUL = "\x00"


def account_view(account: Account) -> rules.AccountView:
    """The account's instants the rules read: ``integrated_at`` and the import periods (R4, R5).

    Read once per unit of work inside ``reads_remembered()``."""
    periods = remembered("import_periods", account.pk, lambda: tuple(
        ImportPeriod.objects.filter(account=account).order_by("started_at").values_list("started_at", "ended_at")))
    return rules.AccountView(integrated_at=account.integrated_at, import_periods=periods)


@dataclass(frozen=True)
class Recorded:
    """A snapshot just recorded: the row (locked until the transaction ends, when ``changed``) and
    the order as it was stored, which the evaluation in the same transaction takes as it is."""

    amazon_order: AmazonOrder
    changed: bool
    order: Order | UnreadableOrder


def _is_newer(incoming: dt.datetime | None, stored: AmazonOrder, raw: dict[str, Any], *, readable: bool) -> bool:
    """Whether a snapshot should replace the stored one (S1)."""
    current = stored.last_updated_time
    if incoming is None or current is None:
        # Unreadable snapshots without a readable time: replace only another such one that differs.
        return incoming is not None or (current is None and raw != stored.raw)
    if incoming == current and readable and stored.reason_code == rules.Reason.UNREADABLE.value:
        # The same version, read right this time (Amazon's answer was damaged before): take it.
        return raw != stored.raw
    return incoming > current


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(NUL, "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def storable(order: Order | UnreadableOrder) -> Order | UnreadableOrder:
    """The order as the database can keep it: PostgreSQL stores no NUL character in text or JSON,
    so each becomes U+FFFD and the order is read again; one such character must not fail the page.
    A status the model does not name does not make the order unreadable (C37)."""
    order = status_tolerated(order)
    if "\\u0000" not in json.dumps(order.raw):
        return order
    raw = _without_nul(order.raw)
    if isinstance(order, Order):
        return status_tolerated(read_order(raw))
    return UnreadableOrder(order_id=_without_nul(order.order_id), raw=raw, error=_without_nul(order.error))


def amazon_order_record(
    *, account: Account, order: Order | UnreadableOrder, seen_at: dt.datetime,
) -> tuple[AmazonOrder, bool]:
    """Store this snapshot of an Amazon order unless a newer one is stored; returns (order, changed)."""
    recorded = amazon_order_recorded(account=account, order=order, seen_at=seen_at)
    return recorded.amazon_order, recorded.changed


def amazon_order_recorded(*, account: Account, order: Order | UnreadableOrder, seen_at: dt.datetime) -> Recorded:
    """``amazon_order_record``, handing on the row and the order as stored: inside the caller's
    transaction, ``amazon_order_evaluate(..., recorded=...)`` then neither reads nor parses it again.

    Never raises for bad Amazon data: an order whose id cannot be used is kept under a
    made-up ``unreadable-…`` id with the reason.
    """
    order = storable(order)
    amazon_order_id, id_problem = amazon_order_id_of(order)
    if id_problem and isinstance(order, Order):
        order = UnreadableOrder(order_id=None, raw=order.raw, error=id_problem)
    fields = snapshot_fields(order)
    eligible = isinstance(order, Order) and rules.snapshot_makes_eligible(
        order_view(amazon_order_id, order), account_view(account)
    )
    for _ in range(2):
        try:
            with transaction.atomic():
                return _upsert(account, amazon_order_id, order, fields, eligible, seen_at)
        except IntegrityError:
            continue  # another writer created it meanwhile: read it and compare again
    with transaction.atomic():
        return _upsert(account, amazon_order_id, order, fields, eligible, seen_at)


def _upsert(
    account: Account, amazon_order_id: str, order: Order | UnreadableOrder, fields: dict[str, Any],
    eligible: bool, seen_at: dt.datetime,
) -> Recorded:
    recorded = _upsert_snapshot(account, amazon_order_id, order, fields, eligible, seen_at)
    if recorded.changed:  # Stock to Amazon (T5): the order's SKUs are due for a push
        offers_due_for_amazon_order(amazon_order=recorded.amazon_order, now=seen_at)
    return recorded


def _upsert_snapshot(
    account: Account, amazon_order_id: str, order: Order | UnreadableOrder, fields: dict[str, Any],
    eligible: bool, seen_at: dt.datetime,
) -> Recorded:
    stored = AmazonOrder.objects.select_for_update().filter(account=account, amazon_order_id=amazon_order_id).first()
    unreadable = isinstance(order, UnreadableOrder)
    if stored is None:
        stored = AmazonOrder(account=account, amazon_order_id=amazon_order_id, first_seen_at=seen_at,
                             last_seen_at=seen_at, auto_eligible=eligible, **fields)
        if unreadable:
            _mark_unreadable(stored, order)
        stored.save()
        _status_event(stored, seen_at)
        return Recorded(stored, True, order)
    if not _is_newer(fields["last_updated_time"], stored, fields["raw"], readable=not unreadable):
        return Recorded(stored, False, order)
    status_changed = stored.status != fields["status"]
    was_creating = rules.status_known(stored.status) in rules.CREATING_STATUSES
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.last_seen_at = seen_at
    # C31: an order once seen in a creating status without being eligible was the merchant's to
    # handle in Seller Central; no later snapshot makes it eligible (a hand import still may).
    stored.auto_eligible = stored.auto_eligible or (eligible and not was_creating)
    if unreadable and stored.store_order_id is None:
        _mark_unreadable(stored, order)
    stored.save()
    if status_changed and not _told_already(stored):
        _status_event(stored, seen_at)
    stored.account = account
    return Recorded(stored, True, order)


def _mark_unreadable(stored: AmazonOrder, order: Order | UnreadableOrder) -> None:
    error = order.error if isinstance(order, UnreadableOrder) else ""
    stored.import_state = AmazonOrder.ImportState.ERROR
    stored.reason_code = rules.Reason.UNREADABLE.value
    stored.reason = f"Amazon's data cannot be read: {error[:500]}"
    stored.next_retry_at = None


def _told_already(stored: AmazonOrder) -> bool:
    """R18: a notification already put this status in the history (it needed no fetch)."""
    latest = stored.status_events.order_by("-seen_at", "-pk").values_list("status", flat=True).first()
    return latest == stored.status


def _status_event(stored: AmazonOrder, seen_at: dt.datetime) -> None:
    AmazonStatusEvent.objects.create(amazon_order=stored, status=stored.status, seen_at=seen_at,
                                     changed_at=stored.last_updated_time)
