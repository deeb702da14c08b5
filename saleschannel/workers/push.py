"""Stock pushes under the account's lease (T10): one account's pushes are made by one process at a
time, in order, whether by a worker, ``push --once`` or ``sync --once``.

- ``account_push_leased(*, account, client=None, clock=None, policy=None, stop=None, wait=None) -> PushCycle``:
  one push cycle under the account's lease, waiting for it like ``sync --once``; ``LeaseBusy`` when
  it cannot be had. The lease is given back due when it was (the sync schedule is not moved).
- ``account_push_try(*, account, client, clock, holder, ttl, stop=None) -> PushCycle | None``: the
  worker's step: the lease if it is free now, else nothing (whoever holds it pushes after its cycle).

``sync --once`` pushes through ``channel.stock.services.offers_push_after_sync`` under the lease it holds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from saleschannel.channel.models import Account
from saleschannel.channel.services.sync.scheduler import SyncPolicy
from saleschannel.channel.stock.services import PushCycle, offers_push
from saleschannel.spapi.client import SpApiClient
from saleschannel.spapi.clock import Clock, SystemClock
from saleschannel.spapi.errors import SpApiError
from saleschannel.workers.leases import (
    Heartbeat,
    LeaseBusy,
    account_lease_key,
    holder_name,
    lease_acquire,
    lease_release,
    lease_try,
)
from saleschannel.workers.models import Lease

log = logging.getLogger("saleschannel.push")


def _push(account: Account, client: SpApiClient | None, clock: Clock, stop: Callable[[], bool]) -> PushCycle:
    account.refresh_from_db(fields=["credentials_state"])
    return offers_push(account=account, client=client, clock=clock, stop=stop)


def account_push_leased(
    *,
    account: Account,
    client: SpApiClient | None = None,
    clock: Clock | None = None,
    policy: SyncPolicy | None = None,
    stop: Callable[[], bool] | None = None,
    wait: float | None = None,
) -> PushCycle:
    """``push ACCOUNT --once``: one push cycle under the account's lease (see the module)."""
    clock = clock or SystemClock()
    policy = policy or SyncPolicy.from_settings()
    holder, key = holder_name(), account_lease_key(account.pk)
    if not lease_acquire(key=key, holder=holder, ttl=policy.lease_ttl,
                         wait=policy.lease_wait if wait is None else wait, now=clock.now, sleep=clock.sleep):
        raise LeaseBusy(f"account {account.name}: another worker is working on it and keeps its lease")
    due_at = Lease.objects.filter(key=key).values_list("due_at", flat=True).first()
    try:
        with Heartbeat(key=key, holder=holder, ttl=policy.lease_ttl, now=clock.now) as beat:
            return _push(account, client, clock, lambda: beat.lost.is_set() or (stop is not None and stop()))
    finally:
        lease_release(key=key, holder=holder, due_at=due_at)


def account_push_try(
    *,
    account: Account,
    client: SpApiClient,
    clock: Clock,
    holder: str,
    ttl: float,
    stop: Callable[[], bool] | None = None,
) -> PushCycle | None:
    """The worker's push step for one account (see the module); None when the lease is held elsewhere."""
    key = account_lease_key(account.pk)
    due_at = Lease.objects.filter(key=key).values_list("due_at", flat=True).first()
    if not lease_try(key=key, holder=holder, ttl=ttl, now=clock.now()):
        return None
    try:
        # Renewed while it works: a long cycle (the daily read of many SKUs) keeps the account to itself.
        with Heartbeat(key=key, holder=holder, ttl=ttl, now=clock.now) as beat:
            return _push(account, client, clock, lambda: beat.lost.is_set() or (stop is not None and stop()))
    except SpApiError as exc:
        log.warning("account %s: push cycle failed: %s", account.pk, exc)
        return None
    finally:
        lease_release(key=key, holder=holder, due_at=due_at)
