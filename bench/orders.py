"""Amazon orders for the benchmarks, in the Orders API 2026-01-01 shape.

Made by the sandbox's own generator (``spapi.sandbox.generator``) and moved to a status
by its own lifecycle (``spapi.sandbox.lifecycle``), so they carry what Amazon shows at
that status: FBA and FBM, one to four lines, prices once past PENDING, withheld buyers
on FBA. The n-th order of a seed is always the same order. No Django here.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from saleschannel.spapi.params import format_time
from saleschannel.spapi.sandbox.generator import DEFAULT_SKUS, MARKETPLACES, OrderGenerator
from saleschannel.spapi.sandbox.lifecycle import apply_status

#: The account is connected (``integrated_at``) and import enabled at this instant.
T0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
MARKETPLACE = MARKETPLACES[0]  # Amazon.com, USD: the account's marketplace
SEED = 9


def importable_orders(count: int, *, seed: int = SEED, start: dt.datetime | None = None,
                      spacing: float = 20.0) -> Iterator[dict[str, Any]]:
    """``count`` orders in statuses the matrix creates from (R7): FBA SHIPPED, FBM UNSHIPPED or SHIPPED.

    Order ``n`` was created ``start + n*spacing`` seconds and last updated ten minutes later.
    """
    generator = OrderGenerator(seed, skus=DEFAULT_SKUS, marketplaces=(MARKETPLACE,))
    start = start or T0 + dt.timedelta(days=1)
    for n in range(count):
        created = start + dt.timedelta(seconds=n * spacing)
        body, plan = generator.next_order(created)
        rng = random.Random(f"{seed}:{n}")
        updated = created + dt.timedelta(minutes=10)
        status = "SHIPPED" if plan.fba or rng.random() < 0.2 else "UNSHIPPED"
        apply_status(body, status, updated, plan, rng)
        body["lastUpdatedTime"] = format_time(updated, "lastUpdatedTime")
        yield body


def pending_and_importable(count: int, *, seed: int = SEED, start: dt.datetime | None = None,
                           spacing: float = 20.0) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Pairs (the order as Amazon shows it PENDING, the same order once UNSHIPPED or SHIPPED).

    The second has no ``lastUpdatedTime``: the sandbox stamps it when it is put.
    """
    generator = OrderGenerator(seed, skus=DEFAULT_SKUS, marketplaces=(MARKETPLACE,))
    start = start or T0 + dt.timedelta(days=1)
    for n in range(count):
        created = start + dt.timedelta(seconds=n * spacing)
        pending, plan = generator.next_order(created)
        rng = random.Random(f"{seed}:{n}")
        later = copy.deepcopy(pending)
        apply_status(later, "SHIPPED" if plan.fba else "UNSHIPPED", created, plan, rng)
        later.pop("lastUpdatedTime", None)
        yield pending, later


def order_mix(bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """What the orders are: channels, lines per order, unknown SKUs."""
    lines = [len(b["orderItems"]) for b in bodies]
    fba = sum(1 for b in bodies if b["fulfillment"]["fulfilledBy"] == "AMAZON")
    unknown = sum(1 for b in bodies if any(i["product"]["sellerSku"].startswith("UNKNOWN-") for i in b["orderItems"]))
    return {
        "orders": len(bodies),
        "fba": fba,
        "fbm": len(bodies) - fba,
        "lines_per_order": {str(k): lines.count(k) for k in sorted(set(lines))},
        "orders_with_unmatched_sku": unknown,
    }
