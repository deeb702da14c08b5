"""B10: what steady state costs: Amazon calls an order, at 60 and 600 orders an hour, with and
without notifications, and with 30% of them lost (issue #20; C45 for the result's shape).

Simulated clock (``bench.simulate``): the sandbox generates orders at a steady rate for one
seller and moves them through their lives; FBM orders the sandbox would leave unshipped are
shipped a few hours (2 to 4) after they were placed, as the store would ship them (their
``confirmShipment`` is not an order read and is not counted here); FBA orders ship by Amazon; a
few are canceled. ORDER_CHANGE notifications go straight to the channel's own service
(``notification_accept``), in-process, at the simulated second of the change; a lost one is
dropped at random (seeded). The real worker loop (``Worker.tick``) syncs under the default
usage plans; when it has nothing to do, the clock moves a second at a time until a lease is
due or a notification came (the real loop polls every second).

After the drive Amazon stops taking orders and the clock runs one more hour (the statuses
keep moving), then 15 minutes with the statuses still; then every order Amazon holds must be
in the channel with Amazon's status (``missed`` counts those that are not).
Figures: Amazon's calls by operation (as the sandbox counted them, 429 included), per order
generated; ``getOrder``'s budget used (calls over what its usage plan earns in the drive);
latency from a status change at Amazon to the store order (the import), for every import
and for those whose notification was lost.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import random
from pathlib import Path
from typing import Any

from bench import env
from bench.b3_latency import percentiles

HOURS, HOURS_QUICK, HOURS_TINY = 8.0, 2.0, 0.25
SETTLE_S = 3600.0
FROZEN_S = 900.0  # after the settling hour, Amazon's statuses stop moving: S1 reads the last of them
RATES = (60, 600)
TARGET_CALLS_NOTIFIED = 1.5
TARGET_CALLS_POLLING = 0.5
TARGET_P95_S = 5.0
SECRET = "bench-b10-secret"  # nosec B105  # the bench's own notification secret
CASES: tuple[tuple[int, bool, float], ...] = (
    (60, True, 0.0), (60, False, 0.0), (600, True, 0.0), (600, False, 0.0), (600, True, 0.3),
)


def run(*, size: int | None = None, quick: bool = False, tiny: bool = False) -> dict[str, Any]:
    hours = HOURS_TINY if tiny else HOURS_QUICK if quick else HOURS
    settle = 600.0 if tiny else SETTLE_S
    runs = []
    for per_hour, notified, lost in CASES:
        rate = size if (size and per_hour == max(RATES)) else per_hour
        runs.append(env.run_child("bench.b10_steady", "measure", {
            "per_hour": rate, "hours": hours, "notifications": notified, "lost": lost, "settle_s": settle}))
    return {
        "benchmark": "B10",
        "title": "steady state: Amazon calls an order, getOrder budget, notified latency",
        "simulated_hours": hours,
        "runs": runs,
        "targets": targets(runs),
    }


def targets(runs: list[dict[str, Any]]) -> dict[str, Any]:
    peak = [r for r in runs if r["orders_per_hour"] == max(RATES)] or runs
    on = [r for r in peak if r["notifications"] and not r["notifications_lost"]]
    off = [r for r in peak if not r["notifications"]]
    p95 = [r["notified_p95_s"] for r in on]
    return {
        "calls_per_order_notified_at_most": TARGET_CALLS_NOTIFIED,
        "calls_per_order_polling_at_most": TARGET_CALLS_POLLING,
        "notified_p95_at_most_s": TARGET_P95_S,
        "met_calls_notified": bool(on) and all(r["calls_per_order"] <= TARGET_CALLS_NOTIFIED for r in on),
        "met_calls_polling": bool(off) and all(r["calls_per_order"] <= TARGET_CALLS_POLLING for r in off),
        "met_notified_p95": bool(p95) and all(v is not None and v <= TARGET_P95_S for v in p95),
        "met_no_429": all(r["throttled"] == 0 for r in runs),
        "met_nothing_missed": all(r["missed"] == 0 for r in runs),
    }


class LocalNotifier:
    """The sandbox's notifier, delivering in-process to the channel's endpoint service; loses some."""

    def __init__(self, clock: Any, *, lost: float, seed: int) -> None:
        self.clock, self.lost, self.rng = clock, lost, random.Random(seed)  # nosec B311  # a bench's dice
        self.sent = self.dropped = 0
        self.came = False
        self.dropped_orders: set[str] = set()

    def publish(self, event: dict[str, Any]) -> None:
        from saleschannel.channel.services.notifications import notification_accept

        self.sent += 1
        order_id = event["detail"]["Payload"]["OrderChangeNotification"]["AmazonOrderId"]
        if self.rng.random() < self.lost:
            self.dropped += 1
            self.dropped_orders.add(order_id)
            return
        notification_accept(body=json.dumps(event).encode(), api_key=SECRET, now=self.clock.now())
        self.came = True

    def close(self) -> None:
        return None


def _ship_fbm_later(app: Any, rng: random.Random, seen: set[str]) -> None:
    """FBM orders that the sandbox's plan leaves unshipped ship 2 to 4 hours after they were placed."""
    for order_id, plan in list(app._plans.items()):
        if order_id in seen:
            continue
        seen.add(order_id)
        if plan.fba or any(status in ("SHIPPED", "CANCELLED") for _, status in plan.events):
            continue
        placed = app.store.get(order_id)
        if placed is None:
            continue
        at = dt.datetime.fromisoformat(placed["createdTime"].replace("Z", "+00:00"))
        app._seq += 1
        heapq.heappush(app._schedule, (at + dt.timedelta(seconds=rng.uniform(7200, 14400)), app._seq,
                                       order_id, "SHIPPED"))


def measure(*, per_hour: float, hours: float, notifications: bool, lost: float, settle_s: float) -> dict[str, Any]:
    import os

    os.environ["SALESCHANNEL_NOTIFY_SECRET"] = SECRET
    with env.django_database("sqlite"):
        from bench import simulate, world
        from bench.orders import T0
        from saleschannel.spapi.ratelimit import DEFAULT_PLANS

        world.catalog_setup(0, mixed=False)
        start = T0 + dt.timedelta(minutes=5)
        clock = simulate.SteppingClock(start)
        account = world.account_setup(endpoint=simulate.SANDBOX_URL, token_url=f"{simulate.SANDBOX_URL}/auth/o2/token")
        app = simulate.sandbox(clock, rate_limits=True, generate_per_minute=per_hour / 60.0, seller_id=account.seller_id)
        notifier = LocalNotifier(clock, lost=lost, seed=20)
        if notifications:
            app.notifier = notifier
        rng = random.Random(10)  # nosec B311
        seen: set[str] = set()

        def on_step() -> None:
            app.tick()
            _ship_fbm_later(app, rng, seen)

        clock.on_step = on_step
        worker = simulate.worker(clock, app)
        begin = clock.monotonic()
        end = begin + hours * 3600
        drive = _drive(clock, worker, notifier, until=end, max_wall=3 * 3600)
        generated = len(app._plans)
        calls = app.calls()
        app.generate_per_minute = 0
        settle = _drive(clock, worker, notifier, until=end + settle_s, max_wall=3600)
        clock.on_step = None  # Amazon stops moving statuses: what is in flight now arrives, then we compare
        _drive(clock, worker, notifier, until=end + settle_s + FROZEN_S, max_wall=600)
        missed = _missed(app, account)
        latencies, lost_latencies = _latencies(account, since=start, lost_orders=notifier.dropped_orders, until=clock.now())
        notified = _without(latencies, lost_latencies)
        app.close()
    ops = {k: v for k, v in sorted(calls["operations"].items()) if v and k != "token"}
    reads = ops.get("getOrder", 0) + ops.get("searchOrders", 0)
    plan = DEFAULT_PLANS["getOrder"]
    earned = plan.burst + plan.rate * hours * 3600
    return {
        "orders_per_hour": per_hour,
        "notifications": notifications,
        "notifications_lost": lost,
        "simulated_hours": hours,
        "orders": generated,
        "calls": ops,
        "calls_per_order": round(reads / max(1, generated), 3),
        "calls_per_order_by_operation": {k: round(v / max(1, generated), 3) for k, v in ops.items()},
        "getorder_budget_used": round(ops.get("getOrder", 0) / earned, 3),
        "throttled": calls["throttled"],
        "notifications_sent": notifier.sent if notifications else 0,
        "notifications_dropped": notifier.dropped,
        "import_latency_s": percentiles(latencies),
        "notified_p95_s": percentiles(notified).get("p95") if notifications else None,
        "lost_notification_latency_s": percentiles(lost_latencies),
        "missed": missed,
        "drive": drive,
        "settle": settle,
    }


def _drive(clock: Any, worker: Any, notifier: LocalNotifier, *, until: float, max_wall: float) -> dict[str, Any]:
    """Tick the worker; when idle, let seconds pass until a lease is due or a notification came."""
    import time

    from bench.simulate import next_due_seconds

    wall = time.perf_counter()
    ticks = 0
    while clock.monotonic() < until and time.perf_counter() - wall < max_wall:
        ticks += 1
        if worker.tick():
            continue
        wait = min(next_due_seconds(clock, 1.0), until - clock.monotonic())
        notifier.came = False
        waited = 0.0
        while waited < wait and not notifier.came:
            clock.advance(1.0)
            waited += 1.0
    return {"wall_s": round(time.perf_counter() - wall, 1), "ticks": ticks,
            "completed": clock.monotonic() >= until}


def _without(values: list[float], some: list[float]) -> list[float]:
    """``values`` less one of each value in ``some`` (a sub-list of it)."""
    left = list(values)
    for value in some:
        left.remove(value)
    return left


def _missed(app: Any, account: Any) -> int:
    from saleschannel.channel.models import AmazonOrder
    from saleschannel.spapi.sandbox.notify import V0_STATUS

    amazon = {o["orderId"]: V0_STATUS[o["fulfillment"]["fulfillmentStatus"]] for o in app.store.all()}
    ours = dict(AmazonOrder.objects.filter(account=account).values_list("amazon_order_id", "status"))
    return sum(1 for order_id, status in amazon.items() if ours.get(order_id) != status)


def _latencies(account: Any, *, since: dt.datetime, lost_orders: set[str],
               until: dt.datetime) -> tuple[list[float], list[float]]:
    """Seconds from the status change a store order was created at, to its creation (B3's measure);
    the second list: the orders whose notification of that change was lost."""
    from saleschannel.channel.models import AmazonStatusEvent, ImportAttempt

    changed = {
        (e["amazon_order_id"], e["seen_at"]): e["changed_at"]
        for e in AmazonStatusEvent.objects.filter(amazon_order__account=account).values(
            "amazon_order_id", "seen_at", "changed_at")
    }
    every, lost = [], []
    for attempt in ImportAttempt.objects.filter(amazon_order__account=account, succeeded=True).values(
            "amazon_order_id", "amazon_order__amazon_order_id", "attempted_at"):
        at = changed.get((attempt["amazon_order_id"], attempt["attempted_at"]))
        if at is None or at < since or at > until:
            continue
        seconds = (attempt["attempted_at"] - at).total_seconds()
        every.append(seconds)
        if attempt["amazon_order__amazon_order_id"] in lost_orders:
            lost.append(seconds)
    return every, lost


def main(argv: list[str]) -> int:
    """``python -m bench.b10_steady before SAVED.json [RESULT.json]``: put the runs of ``SAVED.json`` (B10
    run on today's engine, e.g. from a checkout of the commit before a change) under ``"before"`` in
    the result (default ``bench/results/b10.json``), as C45 asks."""
    if len(argv) not in (2, 3) or argv[0] != "before":
        print(main.__doc__)
        return 2
    target = env.RESULTS / "b10.json" if len(argv) == 2 else Path(argv[2])
    saved = json.loads(Path(argv[1]).read_text())
    result = json.loads(target.read_text())
    result["before"] = saved["runs"]
    result["before_command"] = saved.get("command", "")
    result["targets_before"] = saved.get("targets", {})
    target.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    print(f"{target}: {len(saved['runs'])} runs under \"before\"")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
