"""Leases in the database: one holder per account at a time, across every process.

A lease is taken with one conditional UPDATE (free, mine, or expired), which is atomic
on SQLite and PostgreSQL alike. On PostgreSQL, workers looking for due work first pick
candidate rows with ``SELECT … FOR UPDATE SKIP LOCKED`` so that they never queue behind
each other. A holder renews its lease by heartbeat; a lease whose holder stopped
renewing is taken over by the next worker that finds it expired.

- ``under_lease(*, account, work, clock, policy, holder=None, wait=None, stop=None) -> SyncRun``:
  work under the account's lease, as a worker does;
- ``account_sync_leased(*, account, ...) -> SyncRun``: one sync cycle under the account's
  lease, for ``sync --once`` and "Sync now"; raises ``LeaseBusy`` when it cannot be had.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import F, Q

from saleschannel.channel.models import Account, SyncCursor, SyncRun
from saleschannel.channel.services.sync.base import Checkpoint
from saleschannel.channel.services.sync.cycle import account_sync_cycle
from saleschannel.channel.services.sync.ratelimit import DatabaseRateLimiter
from saleschannel.channel.services.sync.scheduler import SyncPolicy, next_sync_delay
from saleschannel.channel.stock.services import offers_push_after_sync
from saleschannel.spapi.client import SpApiClient
from saleschannel.spapi.clock import Clock, SystemClock
from saleschannel.workers.models import Lease

log = logging.getLogger("saleschannel.workers.leases")


def holder_name() -> str:
    """A name for this process that no other process shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def account_lease_key(account_id: int) -> str:
    return f"account:{account_id}"


def lease_ensure(*, keys: Iterable[str], now: dt.datetime) -> None:
    """Create the lease rows that are missing, due at once."""
    Lease.objects.bulk_create([Lease(key=k, due_at=now) for k in keys], ignore_conflicts=True)


def _free_or_mine(holder: str, now: dt.datetime) -> Q:
    return Q(holder="") | Q(holder=holder) | Q(expires_at__isnull=True) | Q(expires_at__lt=now)


def lease_try(*, key: str, holder: str, ttl: float, now: dt.datetime) -> bool:
    """Take (or keep) the lease on ``key`` if it is free, mine or expired."""
    lease_ensure(keys=[key], now=now)
    with transaction.atomic():
        previous = Lease.objects.filter(key=key).values_list("holder", "expires_at").first()
        taken = Lease.objects.filter(Q(key=key) & _free_or_mine(holder, now)).update(
            holder=holder, expires_at=now + dt.timedelta(seconds=ttl), heartbeat_at=now
        )
        if taken and previous and previous[0] not in ("", holder):
            Lease.objects.filter(key=key).update(taken_over=F("taken_over") + 1)
            log.warning("lease %s taken over from %s, which stopped renewing it", key, previous[0])
    return bool(taken)


def lease_acquire(
    *,
    key: str,
    holder: str,
    ttl: float,
    wait: float,
    now: Callable[[], dt.datetime],
    sleep: Callable[[float], None] = time.sleep,
    poll: float = 1.0,
) -> bool:
    """Take the lease on ``key``, waiting up to ``wait`` seconds for its holder to free it."""
    start = now()
    while True:
        current = now()
        if lease_try(key=key, holder=holder, ttl=ttl, now=current):
            return True
        if (current - start).total_seconds() >= wait:
            return False
        sleep(poll)


def lease_claim_due(
    *, holder: str, ttl: float, now: dt.datetime, prefix: str = "account:", batch: int = 10
) -> Lease | None:
    """Claim the most overdue lease that nobody holds (or whose holder stopped); None when none is due."""
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        candidates = Lease.objects.filter(
            Q(key__startswith=prefix) & Q(due_at__lte=now) & _free_or_mine(holder, now)
        ).order_by("due_at", "pk")
        if skip_locked:
            # Lock one row: the next worker skips it and takes the next one.
            candidates = candidates.select_for_update(skip_locked=True)
            batch = 1
        for lease in candidates[:batch]:
            if lease_try(key=lease.key, holder=holder, ttl=ttl, now=now):
                return Lease.objects.get(pk=lease.pk)
    return None


def lease_renew(*, key: str, holder: str, ttl: float, now: dt.datetime) -> bool:
    """Extend my lease; False when it is no longer mine (it expired and was taken over)."""
    return bool(
        Lease.objects.filter(key=key, holder=holder).update(
            expires_at=now + dt.timedelta(seconds=ttl), heartbeat_at=now
        )
    )


def lease_release(*, key: str, holder: str, due_at: dt.datetime | None) -> bool:
    """Give my lease back, saying when the work is next due (None: not until something changes)."""
    return bool(Lease.objects.filter(key=key, holder=holder).update(holder="", expires_at=None, due_at=due_at))


class Heartbeat:
    """Renews a lease from a background thread while the work runs.

    ``lost`` is set when a renewal finds the lease taken by someone else; the work
    checks it between orders and stops without writing anything further.
    """

    def __init__(self, *, key: str, holder: str, ttl: float, now: Callable[[], dt.datetime]):
        self.key, self.holder, self.ttl, self._now = key, holder, ttl, now
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat {key}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.ttl)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.ttl / 3):
                try:
                    if not lease_renew(key=self.key, holder=self.holder, ttl=self.ttl, now=self._now()):
                        log.warning("lease %s lost: another worker took it over", self.key)
                        self.lost.set()
                        return
                except Exception:  # a failed renewal is retried on the next beat
                    log.warning("lease %s: renewal failed", self.key, exc_info=True)
        finally:
            connection.close()


class LeaseBusy(Exception):
    """Another process holds the account's lease and kept renewing it."""


def next_due_at(*, account: Account, run: SyncRun, clock: Clock, policy: SyncPolicy) -> dt.datetime | None:
    """When the account's next cycle should start: the scheduler's answer for its bucket now."""
    if account.credentials_state == "needs_reconnecting":
        return None
    tokens, plan = DatabaseRateLimiter(clock=clock).available(account.seller_id, "searchOrders")
    in_progress = SyncCursor.objects.filter(account=account, query_after__isnull=False).exists()
    paused = run.outcome == SyncRun.Outcome.PARTIAL and in_progress
    delay = next_sync_delay(tokens=tokens, rate=plan.rate, burst=plan.burst, policy=policy, paused=paused)
    if run.outcome == SyncRun.Outcome.FAILED:
        delay = max(delay, policy.failure_backoff)
    return clock.now() + dt.timedelta(seconds=delay)


def under_lease(
    *,
    account: Account,
    work: Callable[[Callable[[], bool]], SyncRun],
    clock: Clock,
    policy: SyncPolicy,
    holder: str | None = None,
    wait: float | None = None,
    stop: Callable[[], bool] | None = None,
) -> SyncRun:
    """Run ``work(stopping)`` under the account's lease, as a worker would (S5).

    Waits up to ``wait`` seconds (the policy's minute by default) for the lease and takes
    over one whose holder stopped renewing it; raises ``LeaseBusy`` otherwise. ``stopping``
    turns true when the lease is lost or ``stop`` says so. The lease is given back with
    the time the scheduler wants the account next.
    """
    holder = holder or holder_name()
    key = account_lease_key(account.pk)
    if not lease_acquire(key=key, holder=holder, ttl=policy.lease_ttl,
                         wait=policy.lease_wait if wait is None else wait, now=clock.now, sleep=clock.sleep):
        raise LeaseBusy(f"account {account.name}: another worker is syncing it and keeps its lease")
    run: SyncRun | None = None
    try:
        with Heartbeat(key=key, holder=holder, ttl=policy.lease_ttl, now=clock.now) as beat:
            def stopping() -> bool:
                return beat.lost.is_set() or (stop is not None and stop())

            run = work(stopping)
        return run
    finally:
        lease_release(key=key, holder=holder, due_at=due_after(account, run, clock, policy))


def due_after(account: Account, run: SyncRun | None, clock: Clock, policy: SyncPolicy) -> dt.datetime | None:
    if run is None:  # the cycle raised: try again after the back-off
        return clock.now() + dt.timedelta(seconds=policy.failure_backoff)
    account.refresh_from_db(fields=["credentials_state"])
    return next_due_at(account=account, run=run, clock=clock, policy=policy)


def account_sync_leased(
    *,
    account: Account,
    client: SpApiClient | None = None,
    clock: Clock | None = None,
    now: dt.datetime | None = None,
    policy: SyncPolicy | None = None,
    checkpoint: Checkpoint | None = None,
    stop: Callable[[], bool] | None = None,
    wait: float | None = None,
) -> SyncRun:
    """One sync cycle of one account under its lease, like a worker (S5).

    Waits up to ``wait`` seconds (a minute by default) for the lease, takes over one whose
    holder stopped renewing it, renews it by heartbeat and gives it back with the time the
    account is next due; raises ``LeaseBusy`` when it cannot be had.
    """
    clock = clock or SystemClock()
    policy = policy or SyncPolicy.from_settings()
    return under_lease(
        account=account, clock=clock, policy=policy, stop=stop, wait=wait,
        work=lambda stopping: _sync_then_push(account_sync_cycle(
            account=account, client=client, clock=clock, now=now, policy=policy, checkpoint=checkpoint,
            stop=stopping), account, client, clock, stopping),
    )


def _sync_then_push(run: SyncRun, account: Account, client: SpApiClient | None, clock: Clock,
                    stopping: Callable[[], bool]) -> SyncRun:
    """T10, C48: a cycle run by hand also pushes, under the same lease, what its imports changed."""
    offers_push_after_sync(account=account, client=client, clock=clock, stop=stopping)
    return run
