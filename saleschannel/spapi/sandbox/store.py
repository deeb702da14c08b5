"""The sandbox's orders, kept as Amazon's 2026-01-01 JSON, and the searches over them.

Each order keeps its last few versions with the sandbox time each was made, apart from
its ``lastUpdatedTime``: ``searchOrders`` shows the version that is older than the
visibility lag, as Amazon's index shows changes late; ``getOrder`` the newest.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from saleschannel.spapi.models import parse_datetime
from saleschannel.spapi.params import format_time

Order = dict[str, Any]
SortKey = tuple[dt.datetime, str]


def clone(value: Any) -> Any:
    """A deep copy of JSON data; several times faster than ``copy.deepcopy`` for it."""
    if isinstance(value, dict):
        return {key: clone(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clone(item) for item in value]
    return value


#: Versions kept per order, so a search under a visibility lag can show the one indexed.
VERSIONS_KEPT = 8


@dataclass
class _Stored:
    """An order's versions, oldest first, each with the moment it was made."""

    versions: list[tuple[dt.datetime, Order]]

    @property
    def order(self) -> Order:
        return self.versions[-1][1]

    def as_of(self, moment: dt.datetime) -> Order | None:
        """The version a search at ``moment`` sees, or None if it did not exist yet."""
        for changed_at, order in reversed(self.versions):
            if changed_at <= moment:
                return order
        return None

    def add(self, order: Order, now: dt.datetime) -> None:
        self.versions = [*self.versions, (now, order)][-VERSIONS_KEPT:]


@dataclass(frozen=True)
class SearchQuery:
    """The filters of a ``searchOrders`` request, already checked against the model."""

    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    last_updated_after: dt.datetime | None = None
    last_updated_before: dt.datetime | None = None
    fulfillment_statuses: tuple[str, ...] | None = None
    fulfilled_by: tuple[str, ...] | None = None
    marketplace_ids: tuple[str, ...] | None = None

    @property
    def by_creation(self) -> bool:
        return self.created_after is not None

    def sort_key(self, order: Order) -> SortKey:
        """Where an order falls in this search's order: by the filtered time, then id."""
        field = "createdTime" if self.by_creation else "lastUpdatedTime"
        return (parse_datetime(order[field]), order["orderId"])

    def matches(self, order: Order) -> bool:
        created = parse_datetime(order["createdTime"])
        updated = parse_datetime(order["lastUpdatedTime"])
        fulfillment = order.get("fulfillment") or {}
        channel = order.get("salesChannel") or {}
        return (
            _within(created, self.created_after, self.created_before)
            and _within(updated, self.last_updated_after, self.last_updated_before)
            and _member(fulfillment.get("fulfillmentStatus"), self.fulfillment_statuses)
            and _member(fulfillment.get("fulfilledBy"), self.fulfilled_by)
            and _member(channel.get("marketplaceId"), self.marketplace_ids)
        )


def _within(value: dt.datetime, after: dt.datetime | None, before: dt.datetime | None) -> bool:
    return (after is None or value >= after) and (before is None or value <= before)


def _member(value: object, allowed: Sequence[str] | None) -> bool:
    return allowed is None or value in allowed


class OrderStore:
    """Orders by id; thread-safe; hands out copies so callers cannot change it by accident."""

    def __init__(self) -> None:
        self._orders: dict[str, _Stored] = {}
        self._lock = threading.RLock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._orders)

    def __contains__(self, order_id: object) -> bool:
        with self._lock:
            return order_id in self._orders

    def put(self, order: Order, now: dt.datetime) -> Order:
        """Store or replace an order; ``lastUpdatedTime`` becomes ``now`` unless it has one."""
        stored = clone(order)
        stored.setdefault("lastUpdatedTime", format_time(now, "lastUpdatedTime"))
        with self._lock:
            entry = self._orders.get(stored["orderId"])
            if entry is None:
                self._orders[stored["orderId"]] = _Stored([(now, stored)])
            else:
                entry.add(stored, now)
        return clone(stored)

    def get(self, order_id: str) -> Order | None:
        with self._lock:
            entry = self._orders.get(order_id)
            return None if entry is None else clone(entry.order)

    def all(self) -> list[Order]:
        with self._lock:
            return [clone(e.order) for e in self._orders.values()]

    def update(self, order_id: str, change: Callable[[Order], object], now: dt.datetime) -> Order:
        """Apply ``change`` to the order under the lock; it was updated ``now``. KeyError if unknown."""
        with self._lock:
            entry = self._orders[order_id]
            working = clone(entry.order)
            change(working)
            working["lastUpdatedTime"] = format_time(now, "lastUpdatedTime")
            entry.add(working, now)
            return clone(working)

    def search(
        self, query: SearchQuery, *, visible_before: dt.datetime, after_key: SortKey | None, limit: int
    ) -> list[Order]:
        """Up to ``limit`` versions indexed by ``visible_before`` that match, sorted, past ``after_key``."""
        with self._lock:
            indexed = (e.as_of(visible_before) for e in self._orders.values())
            found = [o for o in indexed if o is not None and query.matches(o)]
            keyed = sorted(((query.sort_key(o), o) for o in found), key=lambda pair: pair[0])
            after = [o for key, o in keyed if after_key is None or key > after_key]
            return [clone(o) for o in after[:limit]]

    def clear(self) -> None:
        with self._lock:
            self._orders.clear()
