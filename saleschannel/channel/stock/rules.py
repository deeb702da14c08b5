"""The desired quantity of an MFN offer (T4), PURE: no database, no Django, no clock.

``desired_quantity(DesiredInputs(...)) -> Desired``: the quantity the store wants Amazon
to show for one MFN offer now, or "left alone" (``quantity is None``: never pushed), with
the clause of T4 that decided it. ``push_order(items)`` sorts due pushes as T6 says.
Rules are cited by their numbers in ``spec/stock-to-amazon.md``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, StrEnum


class Clause(StrEnum):
    """Which clause of T4 decided the desired quantity."""

    PLACEHOLDER = "placeholder"  # T4.2: an R10 placeholder, never pushed
    DO_NOT_MANAGE = "do_not_manage"  # T4.1
    DISABLED = "disabled"  # T4.2
    BELOW_THRESHOLD = "below_threshold"  # T4.5: q - g below the Out-of-Stock Threshold
    CAPPED = "capped"  # T4.5: the Maximum Listed Quantity
    SALABLE = "salable"  # T4.3, T4.4, T4.5: q - g, whole units, never below 0


@dataclass(frozen=True)
class DesiredInputs:
    """What T4 needs to know of one MFN offer, read by the caller from the store and the settings.

    ``salable`` is the SKU's salable quantity on the stock that feeds the account's target
    store (every source, net of every reservation, from every channel); ``in_flight`` the
    guard of T4.4 (units of the account's open MFN Amazon orders that hold neither a store
    order nor a pending reservation, C43).
    """

    manages_stock: bool
    enabled: bool
    is_placeholder: bool
    salable: Decimal
    in_flight: Decimal
    threshold: int
    maximum: int | None
    do_not_manage_quantity: int


@dataclass(frozen=True)
class Desired:
    """The desired quantity (``None``: left alone, Amazon keeps its own figure) and its clause."""

    quantity: int | None
    clause: Clause

    @property
    def left_alone(self) -> bool:
        return self.quantity is None


def desired_quantity(inputs: DesiredInputs) -> Desired:
    """T4, in its order; the R10 placeholder (disabled and Do Not Manage) is tested first, as it
    would otherwise fall under T4.1 and be pushed the "Do Not Manage Stock" Quantity."""
    if inputs.is_placeholder:
        return Desired(None, Clause.PLACEHOLDER)
    if not inputs.manages_stock:
        return Desired(max(inputs.do_not_manage_quantity, 0), Clause.DO_NOT_MANAGE)
    if not inputs.enabled:
        return Desired(0, Clause.DISABLED)
    # Whole units, rounded down; for a whole threshold, floor(x) < t exactly when x < t.
    available = math.floor(inputs.salable - inputs.in_flight)
    if available < inputs.threshold:
        return Desired(0, Clause.BELOW_THRESHOLD)
    if available <= 0:
        return Desired(0, Clause.SALABLE)  # never below 0
    if inputs.maximum is not None and available > inputs.maximum:
        return Desired(inputs.maximum, Clause.CAPPED)
    return Desired(available, Clause.SALABLE)


class Direction(IntEnum):
    """T6: the kinds of push, in the order they go."""

    TO_ZERO = 0
    DECREASE = 1
    INCREASE = 2


def push_direction(*, desired: int, last_known: int | None) -> Direction:
    """T6: to 0 first, then other decreases, then increases. An offer whose quantity on Amazon
    is unknown counts as an increase unless it goes to 0 (nothing says it goes down)."""
    if desired == 0:
        return Direction.TO_ZERO
    if last_known is not None and desired < last_known:
        return Direction.DECREASE
    return Direction.INCREASE


@dataclass(frozen=True)
class PushCandidate:
    """A due offer with its desired quantity: what T6 orders."""

    sku: str
    desired: int
    last_known: int | None
    due_since: dt.datetime

    @property
    def direction(self) -> Direction:
        return push_direction(desired=self.desired, last_known=self.last_known)


def push_order(candidates: Iterable[PushCandidate]) -> list[PushCandidate]:
    """T6: to 0 first, then other decreases, then increases; oldest first within each (SKU breaks ties)."""
    return sorted(candidates, key=lambda c: (c.direction, c.due_since, c.sku))
