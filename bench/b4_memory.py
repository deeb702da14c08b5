"""B4: peak resident memory of a backfill of 10,000, 50,000 and 100,000 orders; must not grow with the count.

A backfill reads an account's history: orders placed before the account was connected
(its first sync starts at ``integrated_at``), which are kept and shown, marked "placed
before integration", and never imported (R4). One child process per size, on SQLite. It
sets up the store and the account, then runs ``account_backfill`` (the real client, the
database rate limiter, the sync's per-order path: record the snapshot, evaluate the
rules, one transaction each) against ``bench.streaming.StreamingAmazon``, which makes each ``searchOrders`` page
when asked and keeps nothing, on a simulated clock (rate-limit waits cost no time). The
peak is the process's high-water mark, ``VmHWM`` from ``/proc/self/status`` (the same as
``ru_maxrss``), read when the backfill has ended; resident memory is also sampled after
every tenth of the pages, to show whether it grows along the way. The sizes run side by
side (a process each), so their wall times show contention, not speed.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import env

SIZES = (10_000, 50_000, 100_000)
QUICK_SIZES = (1_000, 5_000)
TARGET_MB = 150.0
FLAT_TOLERANCE_MB = 10.0  # "flat": the largest backfill's peak within this of the smallest's


def run(*, size: int | None = None, quick: bool = False, tiny: bool = False) -> dict[str, Any]:
    sizes = (size, size * 2) if size else QUICK_SIZES if quick else SIZES
    # BENCH_TIME_BUDGET_S: a backfill still running when the budget is spent stops there
    # (between orders, as a worker asked to stop does) and reports how far it got.
    budget = float(os.environ.get("BENCH_TIME_BUDGET_S", "0")) or None
    # Side by side, one process each: a process's peak memory does not depend on the others
    # running, and the sizes would otherwise take hours one after the other on two cores.
    with ThreadPoolExecutor(max_workers=len(sizes)) as pool:
        results = list(pool.map(
            lambda n: env.run_child("bench.b4_memory", "measure", {"orders": n, "budget_s": budget},
                                   timeout=5 * 3600), sizes))
    peaks = [r["peak_mb"] for r in results]
    growth = round(peaks[-1] - peaks[0], 1)
    complete = all(r["fetched"] >= r["orders"] for r in results)
    return {
        "benchmark": "B4",
        "title": "peak resident memory of a backfill",
        "sizes": list(sizes),
        "results": results,
        "growth_mb_smallest_to_largest": growth,
        "all_sizes_complete": complete,
        "time_budget_s": budget,
        "targets": {
            "peak_mb_at_most": TARGET_MB,
            "flat_within_mb": FLAT_TOLERANCE_MB,
            "met_peak": max(peaks) <= TARGET_MB,
            "met_flat": growth <= FLAT_TOLERANCE_MB,
        },
    }


def status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def measure(*, orders: int, budget_s: float | None = None) -> dict[str, Any]:
    with env.django_database("sqlite"):
        from bench import world
        from bench.orders import T0, importable_orders
        from bench.simulate import SANDBOX_URL, at
        from bench.streaming import StreamingAmazon
        from saleschannel.channel.services.sync.backfill import account_backfill
        from saleschannel.channel.services.sync.client import account_client

        world.catalog_setup(orders)
        spacing = 300.0  # 100,000 orders over the year before the account was connected
        start = T0 - dt.timedelta(seconds=orders * spacing + 3600)
        cutoff = T0 + dt.timedelta(hours=1)
        clock = at(cutoff + dt.timedelta(minutes=5))
        account = world.account_setup(endpoint=SANDBOX_URL, token_url=f"{SANDBOX_URL}/auth/o2/token")
        amazon = StreamingAmazon(clock, importable_orders(orders, start=start, spacing=spacing), orders,
                                 cutoff=cutoff)
        client = account_client(account=account, clock=clock, transport=amazon.transport())
        before = {"rss_mb": status_mb("VmRSS"), "hwm_mb": status_mb("VmHWM")}
        pages = -(-orders // 100)
        samples: list[dict[str, Any]] = []

        def progress(run: Any, *_: Any) -> None:
            if run.pages % max(1, pages // 10) == 0 or run.pages == pages:
                samples.append({"pages": run.pages, "fetched": run.fetched, "rss_mb": status_mb("VmRSS"),
                                "s": round(time.perf_counter() - t0, 1)})

        t0 = time.perf_counter()
        since = start - dt.timedelta(hours=1)

        def out_of_time() -> bool:
            return budget_s is not None and time.perf_counter() - t0 > budget_s

        sync_run = account_backfill(account=account, since=since, client=client, clock=clock, progress=progress,
                                    stop=out_of_time)
        wall = time.perf_counter() - t0
        peak, maxrss = status_mb("VmHWM"), round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        states = world.import_states(account)
        client.close()
        amazon.close()
    return {
        "orders": orders,
        "outcome": sync_run.outcome,
        "fetched": sync_run.fetched,
        "pages": amazon.pages,
        "import_states": states,
        "before_backfill": before,
        "peak_mb": peak,
        "ru_maxrss_mb": maxrss,
        "rss_samples": samples,
        "wall_s": round(wall, 1),
        "orders_per_s": round(sync_run.fetched / wall, 1),
        "stopped_by_time_budget": sync_run.fetched < orders,
    }
