"""Leases in the database: one holder per account at a time, across every process.

A lease is taken with one conditional UPDATE (free, mine, or expired), which is atomic
on SQLite and PostgreSQL alike. On PostgreSQL, workers looking for due work first pick
candidate rows with ``SELECT … FOR UPDATE SKIP LOCKED`` so that they never queue behind
each other. A holder renews its lease by heartbeat; a lease whose holder stopped
renewing is taken over by the next worker that finds it expired.
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
