"""A worker on a simulated clock: the real ``Worker.tick`` against the sandbox in-process.

Nothing sleeps: the sandbox, the SP-API client and the database rate limiter share one
``FakeClock``; a rate-limit wait advances it, and when the worker has nothing to do the
loop moves the clock to the next account's due time (what ``Worker.run`` would wait for).
Simulated time therefore counts Amazon's usage plans only, not this machine's work.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

SANDBOX_URL = "https://sandbox.bench"


def sandbox(clock: Any, *, seed: int = 9, **options: Any) -> Any:
    from bench.orders import MARKETPLACE
    from saleschannel.spapi.sandbox import SandboxApp

    return SandboxApp(clock=clock, seed=seed, marketplaces=[MARKETPLACE], **options)


def worker(clock: Any, app: Any, *, policy: Any = None, holder: str = "bench-worker") -> Any:
    from saleschannel.channel.services.sync.client import account_client
    from saleschannel.channel.services.sync.scheduler import SyncPolicy
    from saleschannel.workers.loop import Worker

    transport = app.transport()

    def client_factory(account: Any, worker_clock: Any) -> Any:
        return account_client(account=account, clock=worker_clock, transport=transport)

    policy = policy or dataclasses.replace(SyncPolicy.from_settings(), lease_wait=0.0)
    return Worker(clock=clock, policy=policy, client_factory=client_factory, holder=holder)


def next_due_seconds(clock: Any, floor: float) -> float:
    """Seconds until the earliest account lease is due (at least ``floor``)."""
    from django.db.models import Min

    from saleschannel.workers.models import Lease

    due = Lease.objects.filter(key__startswith="account:", due_at__isnull=False).aggregate(m=Min("due_at"))["m"]
    if due is None:
        return floor
    return max(floor, (due - clock.now()).total_seconds())


def drive(clock: Any, workers: list[Any], *, done: Callable[[], bool], max_simulated: float,
          max_wall: float, on_idle: Callable[[float], None] | None = None) -> dict[str, Any]:
    """Tick the workers until ``done()``; returns simulated and wall seconds, ticks, idle jumps."""
    start_sim, start_wall = clock.monotonic(), time.perf_counter()
    ticks = jumps = 0
    while not done():
        busy = False
        for w in workers:
            busy = w.tick() or busy
            ticks += 1
        if busy:
            continue
        step = next_due_seconds(clock, workers[0].policy.idle_poll)
        if on_idle is not None:
            on_idle(step)
        clock.advance(step)
        jumps += 1
        if clock.monotonic() - start_sim > max_simulated or time.perf_counter() - start_wall > max_wall:
            break
    return {
        "simulated_s": round(clock.monotonic() - start_sim, 1),
        "wall_s": round(time.perf_counter() - start_wall, 2),
        "ticks": ticks,
        "idle_jumps": jumps,
        "completed": done(),
    }


def at(moment: dt.datetime) -> Any:
    from saleschannel.spapi.clock import FakeClock

    return FakeClock(moment)


class SteppingClock:
    """A ``FakeClock`` that lets the sandbox see every simulated second go by.

    The sandbox moves statuses and generates orders when it ticks, stamping them with the
    time of the tick. Advancing (or sleeping) in steps of ``step`` seconds with a sandbox
    tick after each keeps those stamps within ``step`` of the planned moment.
    """

    def __init__(self, start: dt.datetime, step: float = 1.0) -> None:
        self.base = at(start)
        self.step = step
        self.on_step: Callable[[], None] | None = None

    def now(self) -> dt.datetime:
        return self.base.now()

    def monotonic(self) -> float:
        return float(self.base.monotonic())

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        left = seconds
        while left > 0:
            part = min(self.step, left)
            self.base.advance(part)
            left -= part
            if self.on_step is not None:
                self.on_step()
