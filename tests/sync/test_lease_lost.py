"""A worker that loses its lease while it works stops writing (S5).

The other sync tests hold a lease no test outlives, so their heartbeat never fires. Here the
lease is short: the heartbeat renews it from its own thread (every third of the lease, in real
time), and another worker takes the account over in the middle of a cycle. The heartbeat's
next renewal finds the lease gone; the cycle must then stop between orders and write nothing
further: no more orders, no watermark.

The test waits for the heartbeat thread to end (it ends right after it marks the lease lost),
with a generous deadline, never on a wall-clock limit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time

import pytest

from saleschannel.channel.models import AmazonOrder, SyncCursor
from saleschannel.workers.leases import account_lease_key, account_sync_leased, lease_try
from saleschannel.workers.models import Lease

pytestmark = pytest.mark.django_db(transaction=True)

TAKEN_AT = 3  # the other worker takes the account over after this many orders
DEADLINE = 60.0  # seconds of real time for the heartbeat to notice; it beats every lease_ttl / 3


def _heartbeat_thread(key: str) -> threading.Thread:
    threads = [t for t in threading.enumerate() if t.name == f"heartbeat {key}"]
    assert len(threads) == 1, [t.name for t in threading.enumerate()]
    return threads[0]


def test_a_worker_that_loses_its_lease_mid_cycle_writes_nothing_further(account, sandbox, client_for, clock, policy):
    policy = dataclasses.replace(policy, lease_ttl=0.6, page_size=10)
    sandbox.generate(25)
    key = account_lease_key(account.pk)
    seen = {"imports": 0, "heartbeat_ended": None}

    def take_over_after_some_orders(step: str) -> None:
        if step != "import":
            return
        seen["imports"] += 1
        if seen["imports"] != TAKEN_AT:
            return
        # Another worker finds the lease expired (its clock is past our last renewal) and takes it.
        later = clock.now() + dt.timedelta(hours=2)
        assert lease_try(key=key, holder="the-other-worker", ttl=3600, now=later)
        beat = _heartbeat_thread(key)
        beat.join(timeout=DEADLINE)
        seen["heartbeat_ended"] = not beat.is_alive()

    run = account_sync_leased(account=account, client=client_for(account, sandbox), clock=clock, policy=policy,
                       checkpoint=take_over_after_some_orders)

    assert seen["heartbeat_ended"] is True  # the takeover landed mid-cycle and the heartbeat saw it
    assert AmazonOrder.objects.filter(account=account).count() == TAKEN_AT  # nothing written after it
    assert run.outcome == "partial" and run.error == "stopped on request"
    assert SyncCursor.objects.get(account=account).watermark is None  # the place was not moved either
    assert Lease.objects.get(key=key).holder == "the-other-worker"  # and the lease was not given back


def test_a_heartbeat_keeps_a_lease_it_holds(account, sandbox, client_for, clock, policy):
    """The counterpart: with nobody taking over, renewals keep the lease and the cycle runs to its end."""
    policy = dataclasses.replace(policy, lease_ttl=0.6, page_size=10)
    sandbox.generate(12)
    key = account_lease_key(account.pk)
    renewed = {"seen": False}

    def wait_for_a_renewal(step: str) -> None:
        if step == "import" and not renewed["seen"]:
            first = Lease.objects.get(key=key).heartbeat_at
            clock.advance(1)  # the next renewal stamps the new time
            for _ in range(int(DEADLINE / 0.05)):
                if Lease.objects.get(key=key).heartbeat_at != first:
                    renewed["seen"] = True
                    break
                time.sleep(0.05)

    run = account_sync_leased(account=account, client=client_for(account, sandbox), clock=clock, policy=policy,
                       checkpoint=wait_for_a_renewal)
    assert renewed["seen"]
    assert run.outcome == "ok", run.error
    assert AmazonOrder.objects.filter(account=account).count() == 12
