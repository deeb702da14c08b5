"""B2: Amazon API economy, and the time to drain a backlog under the default usage plans.

Simulated clock: the sandbox runs in-process with Amazon's default usage plans and a
``FakeClock`` shared with the client and the database rate limiter (``bench.simulate``),
so waiting for tokens costs no real time. The backlog is 10,000 orders already placed
(importable statuses, ``bench.orders``) put into the sandbox before the first cycle;
the store has every SKU in stock. Our engine: the real worker loop (``Worker.tick``: S1, S2 rechecks and sweeps, S3) until every
order is kept and evaluated. The calls are counted by the sandbox (what Amazon would
see). The baseline is a v0-style importer written here: ``getOrders`` pages of 100, then
``getOrderItems`` and ``getOrderAddress`` for each order, each waiting for its token
from the usage plans read out of Amazon's ``ordersV0.json`` model; it counts calls and
simulated time only (its database work would not change either).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from typing import Any

from bench import env

DEFAULT_ORDERS = 10_000
QUICK_ORDERS = 1_000
TARGET_CALLS_PER_ORDER = 0.011
TARGET_FACTOR = 100.0
SPACING = 1.0  # seconds between the backlog's orders


def run(*, size: int | None = None, quick: bool = False, tiny: bool = False) -> dict[str, Any]:
    orders = size or (QUICK_ORDERS if quick else DEFAULT_ORDERS)
    ours = env.run_child("bench.b2_api", "measure", {"backend": "sqlite", "orders": orders})
    baseline = baseline_v0(orders)
    per_order = ours["amazon_calls_per_order"]
    factor = round(baseline["calls_per_order"] / per_order, 1) if per_order else None
    return {
        "benchmark": "B2",
        "title": "Amazon API economy and backlog drain time (simulated clock)",
        "orders": orders,
        "engine": ours,
        "baseline_v0": baseline,
        "fewer_calls_factor": factor,
        "drain_time_ratio_baseline_over_engine": round(baseline["simulated_s"] / ours["drain"]["simulated_s"], 2)
        if ours["drain"]["simulated_s"] else None,
        "targets": {
            "calls_per_order_at_most": TARGET_CALLS_PER_ORDER,
            "fewer_calls_factor_at_least": TARGET_FACTOR,
            "met_calls": per_order <= TARGET_CALLS_PER_ORDER,
            "met_factor": factor is not None and factor >= TARGET_FACTOR,
        },
    }


def measure(*, backend: str, orders: int) -> dict[str, Any]:
    with env.django_database(backend):
        from bench import simulate, world
        from bench.orders import T0, importable_orders
        from saleschannel.channel.models import AmazonOrder

        # Plentiful stock: every cycle passes over the orders waiting for stock (R9), which
        # costs this machine time the simulated clock does not see and changes no call.
        world.catalog_setup(orders, mixed=False)
        start = T0 + dt.timedelta(minutes=1)
        now = start + dt.timedelta(seconds=orders * SPACING) + dt.timedelta(hours=1)
        clock = simulate.at(now)
        app = simulate.sandbox(clock, rate_limits=True)
        for body in importable_orders(orders, start=start, spacing=SPACING):
            app.put_order(body)
        account = world.account_setup(endpoint=simulate.SANDBOX_URL,
                                       token_url=f"{simulate.SANDBOX_URL}/auth/o2/token")
        worker = simulate.worker(clock, app)
        evaluated = AmazonOrder.objects.filter(account=account).exclude(import_state="").exclude(evaluated_at=None)

        def drained() -> bool:
            return evaluated.count() >= orders

        drain = simulate.drive(clock, [worker], done=drained, max_simulated=14 * 86400, max_wall=3600)
        calls = app.calls()
        states = world.import_states(account)
        app.close()
    api = {op: n for op, n in calls["operations"].items() if op != "token"}
    total = sum(api.values())
    imported = states.get("imported", 0)
    return {
        "backend": backend,
        "orders": orders,
        "drain": drain,
        "drain_simulated_hours": round(drain["simulated_s"] / 3600, 2),
        "amazon_calls": calls,
        "sp_api_calls": total,
        "amazon_calls_per_order": round(total / orders, 5),
        "amazon_calls_per_imported_order": round(total / imported, 5) if imported else None,
        "lwa_token_calls": calls["operations"].get("token", 0),
        "import_states": states,
        "note": "SP-API calls as the sandbox counted them (LWA token calls listed apart); simulated seconds "
                "are rate-limit waits and idle time under the default usage plans, not this machine's work",
    }


# --- the v0 baseline --------------------------------------------------------------------------


_PLAN = re.compile(r"\|\s*Rate \(requests per second\)\s*\|\s*Burst\s*\|.*?\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|", re.S)


def v0_usage_plans() -> dict[str, tuple[float, int]]:
    """Rate and burst of each v0 operation, read from the usage-plan table of Amazon's model."""
    text = resources.files("saleschannel.spapi.sandbox").joinpath("amazon_models/ordersV0.json").read_text()
    plans = {}
    for operations in json.loads(text)["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict) and "operationId" in operation:
                found = _PLAN.search(operation.get("description", ""))
                if found:
                    plans[operation["operationId"]] = (float(found[1]), int(found[2]))
    return plans


def baseline_v0(orders: int, *, page: int = 100) -> dict[str, Any]:
    """A v0 importer's calls for a backlog of ``orders``: a list call per page, items and address per order."""
    from saleschannel.spapi.clock import FakeClock
    from saleschannel.spapi.ratelimit import TokenBucketLimiter, UsagePlan

    plans = v0_usage_plans()
    used = ("getOrders", "getOrderItems", "getOrderAddress")
    limiter = TokenBucketLimiter(FakeClock(), plans={op: UsagePlan(*plans[op]) for op in used})
    clock = limiter._clock
    calls = dict.fromkeys(used, 0)

    def call(operation: str) -> None:
        limiter.acquire("A001BENCHSELLER", operation)
        calls[operation] += 1

    for first in range(0, orders, page):
        call("getOrders")
        for _ in range(min(page, orders - first)):
            call("getOrderItems")
            call("getOrderAddress")
    total = sum(calls.values())
    simulated = clock.monotonic()
    return {
        "usage_plans": {op: {"rate": plans[op][0], "burst": plans[op][1]} for op in used},
        "calls": calls,
        "calls_total": total,
        "calls_per_order": round(total / orders, 5),
        "simulated_s": round(simulated, 1),
        "simulated_hours": round(simulated / 3600, 2),
        "note": "calls made one after the other, each waiting for its token on a simulated clock",
    }
