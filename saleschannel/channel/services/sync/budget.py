"""getOrder's budget shared out: notifications first, then rechecks (S2(a), S3). Pure and typed.

- ``notified_fetch_needed(change, stored, *, reserve_pending) -> FetchDecision``: whether an
  ORDER_CHANGE notification needs a ``getOrder`` at all, from what it says and what is stored;
- ``recheck_interval(*, age, notified) -> timedelta``: how long an open order may go without news
  before S2(a) re-reads it;
- ``recheck_allowance(*, tokens, burst, pending_fetches, done_last_hour, orders_last_hour, notified)
  -> int``: how many rechecks this cycle may spend, from what notifications leave.

S1 reads every change Amazon's index shows, a hundred orders a call, within minutes; a
notification's ``getOrder`` only makes a change arrive in seconds, and a recheck only catches
what the index shows late. So a ``getOrder`` is spent where seconds matter to the rules (an
order to import, a cancellation to carry out, a reservation to make) and nowhere else; S1
brings the rest.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

#: Statuses of an order that may still change something the rules act on.
OPEN = frozenset({"Pending", "PendingAvailability", "Unshipped", "PartiallyShipped"})
PENDING = frozenset({"Pending", "PendingAvailability"})
ENDED = frozenset({"Canceled", "Unfulfillable"})
SHIPPED = frozenset({"Shipped", "PartiallyShipped"})

#: getOrder tokens rechecks leave in the bucket, for the notifications to come.
NOTIFICATION_RESERVE = 10.0
#: Rechecks an hour: at least this many, at most this many per order first seen in the last hour.
RECHECKS_FLOOR_PER_HOUR = 10
RECHECKS_PER_NEW_ORDER = 0.3
#: ... and with notifications missing (an account that receives none): today's safety, every
#: young open order every 15 minutes, capped by what the plan earns less the notifications' reserve.
RECHECKS_FLOOR_PER_HOUR_UNNOTIFIED = 120
RECHECKS_PER_NEW_ORDER_UNNOTIFIED = 0.4


@dataclass(frozen=True)
class Item:
    """One line, as a notification (or a stored snapshot) tells it."""

    sku: str
    quantity: int
    shipped: int


@dataclass(frozen=True)
class Notified:
    """What an ORDER_CHANGE notification says of the order."""

    status: str
    fulfillment: str  # "AFN" (FBA) or "MFN" (FBM); "" when it did not say
    items: tuple[Item, ...] | None  # None when it did not say


@dataclass(frozen=True)
class Stored:
    """What the channel holds of the order."""

    status: str
    imported: bool  # a store order exists
    holds_reservation: bool  # R-pending: a pending reservation is held
    items: tuple[Item, ...]


class Why(StrEnum):
    FETCH_UNKNOWN = "a status the rules do not know"
    FETCH_NEW = "an order to import"
    FETCH_PENDING = "a pending order to reserve"
    FETCH_ENDED = "a cancellation to carry out"
    FETCH_CHANGED = "the lines of an imported order changed"
    SKIP_KNOWN = "the stored snapshot already shows it"
    SKIP_FBA_OPEN = "an FBA order not yet shipped"
    SKIP_PENDING = "a pending order under Do Not Reserve"
    SKIP_NO_INTEREST = "a change the rules do not act on"


@dataclass(frozen=True)
class FetchDecision:
    fetch: bool
    why: Why


def _same_items(a: Sequence[Item] | None, b: Sequence[Item]) -> bool:
    return a is not None and sorted(a, key=repr) == sorted(b, key=repr)


def notified_fetch_needed(change: Notified, stored: Stored | None, *, reserve_pending: bool) -> FetchDecision:
    """S3 [D]: whether the order of this notification needs a ``getOrder`` now.

    No call when the stored snapshot already shows the status and lines told; for an FBA
    order not yet shipped (it is imported once shipped); for a pending order under Do Not
    Reserve (nothing happens until it is unshipped); and for a change the rules do not act
    on (an imported order shipped, an order never imported nor reserved that ended). S1 brings
    each of these within its cycle.
    """
    status = change.status
    if stored is not None and stored.status == status and (change.items is None or _same_items(change.items,
                                                                                                  stored.items)):
        return FetchDecision(False, Why.SKIP_KNOWN)
    if status not in OPEN | ENDED | {"Shipped"}:
        return FetchDecision(True, Why.FETCH_UNKNOWN)
    imported = stored is not None and stored.imported
    if status in ENDED:
        if imported or (stored is not None and stored.holds_reservation):
            return FetchDecision(True, Why.FETCH_ENDED)
        return FetchDecision(False, Why.SKIP_NO_INTEREST)
    if change.fulfillment == "AFN" and status not in SHIPPED:
        return FetchDecision(False, Why.SKIP_FBA_OPEN)
    if status in PENDING:
        return FetchDecision(True, Why.FETCH_PENDING) if reserve_pending else FetchDecision(False, Why.SKIP_PENDING)
    if not imported:
        return FetchDecision(True, Why.FETCH_NEW)
    if status == "Shipped" or (stored is not None and _same_items(change.items, stored.items)):
        return FetchDecision(False, Why.SKIP_NO_INTEREST)
    return FetchDecision(True, Why.FETCH_CHANGED)


def recheck_interval(*, age: dt.timedelta, notified: bool) -> dt.timedelta:
    """S2(a) [D]: how long an open order may go without news (S1, a notification, a recheck).

    The cadence grows with the order's age: an order changes most in its first hours, and
    what Amazon's index shows late it shows within minutes, not days. With notifications
    coming, an hour at first and up to a day; without, today's 15 minutes at first, up to
    six hours.
    """
    if notified:
        low, high, share = dt.timedelta(hours=1), dt.timedelta(hours=24), 1.0
    else:
        low, high, share = dt.timedelta(minutes=15), dt.timedelta(hours=6), 0.25
    return min(high, max(low, age * share))


def recheck_allowance(
    *,
    tokens: float,
    burst: float,
    pending_fetches: int,
    done_last_hour: int,
    orders_last_hour: int,
    notified: bool,
) -> int:
    """S2(a) [D]: how many rechecks this cycle may spend: what the getOrder bucket holds now beyond the
    notifications' reserve (and the fetches already asked for), within the hourly share.

    The hourly share is per order the account took in the last hour, with a floor for a
    quiet account: rechecks scale with the orders, not with how long they stay open.
    """
    reserve = NOTIFICATION_RESERVE + pending_fetches
    spare = math.floor(tokens - reserve) if tokens > reserve else 0
    if notified:
        hourly = max(RECHECKS_FLOOR_PER_HOUR, math.ceil(orders_last_hour * RECHECKS_PER_NEW_ORDER))
    else:
        hourly = max(RECHECKS_FLOOR_PER_HOUR_UNNOTIFIED, math.ceil(orders_last_hour * RECHECKS_PER_NEW_ORDER_UNNOTIFIED))
    return max(0, min(spare, hourly - done_last_hour))
