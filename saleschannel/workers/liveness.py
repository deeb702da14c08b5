"""Whether a worker is running: each worker's heartbeat, kept as a lease row ``worker:<holder>``.

A worker beats every few seconds between its steps; while a long cycle runs, the account's
lease, renewed by its own heartbeat, says the same. "Sync now" asks whether anyone will
serve the request (``workers_alive``), and a worker taking over a request started by another
asks whether that one is still there (``holder_alive``).

- ``worker_beat(*, holder, now, ttl)``; ``worker_gone(*, holder)``
- ``workers_alive(*, now) -> bool``; ``holder_alive(*, holder, now) -> bool``
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from saleschannel.workers.models import Lease

WORKER_PREFIX = "worker:"
FORGOTTEN_AFTER = dt.timedelta(days=1)


def _live(now: dt.datetime) -> Q:
    held = (Q(key__startswith=WORKER_PREFIX) | Q(key__startswith="account:")) & ~Q(holder="")
    return held & Q(expires_at__gt=now)


def worker_beat(*, holder: str, now: dt.datetime, ttl: float) -> None:
    """Say that ``holder`` is running, until ``ttl`` seconds from now."""
    key = f"{WORKER_PREFIX}{holder}"[:100]
    until = now + dt.timedelta(seconds=ttl)
    if not Lease.objects.filter(key=key).update(holder=holder, heartbeat_at=now, expires_at=until):
        Lease.objects.bulk_create([Lease(key=key, holder=holder, heartbeat_at=now, expires_at=until)],
                                  ignore_conflicts=True)
        # The rows of workers that died long ago.
        Lease.objects.filter(key__startswith=WORKER_PREFIX, expires_at__lt=now - FORGOTTEN_AFTER).delete()


def worker_gone(*, holder: str) -> None:
    Lease.objects.filter(key=f"{WORKER_PREFIX}{holder}"[:100]).delete()


def workers_alive(*, now: dt.datetime) -> bool:
    """Whether any worker is running now (beating, or holding an account's lease)."""
    return Lease.objects.filter(_live(now)).exists()


def holder_alive(*, holder: str, now: dt.datetime) -> bool:
    return bool(holder) and Lease.objects.filter(_live(now), holder=holder).exists()
