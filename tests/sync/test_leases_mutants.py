"""Leases at their edges, where mutation testing found the other tests silent (docs/mutation.md)."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import socket
import threading
import time

import pytest

from saleschannel.workers.leases import (
    Heartbeat,
    account_lease_key,
    holder_name,
    lease_acquire,
    lease_claim_due,
    lease_ensure,
    lease_release,
    lease_renew,
    lease_try,
)
from saleschannel.workers.models import Lease

pytestmark = pytest.mark.django_db


def test_renewing_one_lease_stamps_it_and_leaves_the_holders_others_alone(clock):
    now = clock.now()
    assert lease_try(key="account:1", holder="A", ttl=30, now=now)
    assert lease_try(key="account:2", holder="A", ttl=30, now=now)
    later = now + dt.timedelta(seconds=20)
    assert lease_renew(key="account:1", holder="A", ttl=30, now=later)
    leases = {lease.key: lease for lease in Lease.objects.all()}
    assert leases["account:1"].heartbeat_at == later
    assert leases["account:1"].expires_at == later + dt.timedelta(seconds=30)
    assert leases["account:2"].heartbeat_at == now
    assert leases["account:2"].expires_at == now + dt.timedelta(seconds=30)


def test_acquire_with_no_wait_tries_once_and_sleeps_not_at_all(clock):
    assert lease_try(key="k", holder="A", ttl=600, now=clock.now())
    assert not lease_acquire(key="k", holder="B", ttl=20, wait=0, now=clock.now, sleep=clock.sleep)
    assert clock.slept == 0


def test_acquire_polls_every_second_by_default_until_the_wait_is_over(clock):
    assert lease_try(key="k", holder="A", ttl=600, now=clock.now())
    assert not lease_acquire(key="k", holder="B", ttl=20, wait=3, now=clock.now, sleep=clock.sleep)
    assert clock.slept == 3.0


def test_claim_due_takes_only_account_leases_by_default(clock):
    now = clock.now()
    lease_ensure(keys=["retention:daily"], now=now - dt.timedelta(seconds=60))
    assert lease_claim_due(holder="A", ttl=30, now=now) is None
    lease_ensure(keys=["account:9"], now=now)
    claimed = lease_claim_due(holder="A", ttl=30, now=now)
    assert claimed is not None and claimed.key == "account:9"


def test_claim_due_takes_a_due_lease_its_holder_still_holds(clock):
    now = clock.now()
    assert lease_try(key="account:1", holder="A", ttl=300, now=now)
    Lease.objects.filter(key="account:1").update(due_at=now)
    assert lease_claim_due(holder="B", ttl=30, now=now) is None  # held by A, not expired
    claimed = lease_claim_due(holder="A", ttl=30, now=now)  # mine: claimed again
    assert claimed is not None and claimed.holder == "A"


def test_a_lease_is_held_up_to_its_expiry_and_free_just_after(clock):
    now = clock.now()
    assert lease_try(key="account:1", holder="A", ttl=30, now=now)
    expiry = Lease.objects.get(key="account:1").expires_at
    assert expiry == now + dt.timedelta(seconds=30)
    assert not lease_try(key="account:1", holder="B", ttl=30, now=expiry)  # at the instant: still A's
    assert lease_try(key="account:1", holder="B", ttl=30, now=expiry + dt.timedelta(microseconds=1))


def test_taking_a_lease_stamps_holder_expiry_and_heartbeat_and_counts_no_takeover_when_free_or_mine(clock):
    now = clock.now()
    assert lease_try(key="account:1", holder="A", ttl=45, now=now)
    later = now + dt.timedelta(seconds=10)
    assert lease_try(key="account:1", holder="A", ttl=45, now=later)  # mine: kept, stamped again
    lease = Lease.objects.get(key="account:1")
    assert (lease.holder, lease.expires_at, lease.heartbeat_at) == ("A", later + dt.timedelta(seconds=45), later)
    assert lease.taken_over == 0
    assert lease_release(key="account:1", holder="A", due_at=None)
    assert lease_try(key="account:1", holder="B", ttl=45, now=later)  # given back: free, no takeover
    assert Lease.objects.get(key="account:1").taken_over == 0


def test_a_takeover_is_logged_with_the_lease_and_the_holder_that_stopped(clock, caplog):
    now = clock.now()
    assert lease_try(key="account:7", holder="the-old-one", ttl=30, now=now)
    with caplog.at_level(logging.WARNING, logger="saleschannel.workers.leases"):
        assert lease_try(key="account:7", holder="B", ttl=30, now=now + dt.timedelta(seconds=31))
    assert [r.getMessage() for r in caplog.records] == [
        "lease account:7 taken over from the-old-one, which stopped renewing it"]
    assert Lease.objects.get(key="account:7").taken_over == 1


def test_a_released_lease_has_no_holder_and_no_expiry(clock):
    now = clock.now()
    assert lease_try(key="account:1", holder="A", ttl=30, now=now)
    assert lease_release(key="account:1", holder="A", due_at=None)
    lease = Lease.objects.get(key="account:1")
    assert (lease.holder, lease.expires_at, lease.due_at) == ("", None, None)


def test_a_lease_row_is_made_due_at_once(clock):
    now = clock.now()
    lease_ensure(keys=["account:3"], now=now)
    lease_ensure(keys=["account:3"], now=now + dt.timedelta(seconds=60))  # already there: left as it is
    lease = Lease.objects.get(key="account:3")
    assert (lease.holder, lease.due_at, lease.expires_at) == ("", now, None)


def test_a_lease_with_a_holder_but_no_expiry_is_free(clock):
    now = clock.now()
    Lease.objects.create(key="account:4", holder="A", expires_at=None, due_at=now)
    assert lease_try(key="account:4", holder="B", ttl=30, now=now)
    claimed = lease_claim_due(holder="C", ttl=30, now=now + dt.timedelta(seconds=31))
    assert claimed is not None and claimed.key == "account:4"


def test_claim_due_stamps_the_lease_it_returns(clock):
    now = clock.now()
    lease_ensure(keys=["account:5"], now=now - dt.timedelta(seconds=1))
    claimed = lease_claim_due(holder="A", ttl=40, now=now)
    assert claimed is not None
    assert (claimed.key, claimed.holder, claimed.expires_at, claimed.heartbeat_at) == (
        "account:5", "A", now + dt.timedelta(seconds=40), now)


def test_claim_due_takes_a_lease_due_this_very_instant_but_not_one_due_later(clock):
    now = clock.now()
    lease_ensure(keys=["account:6"], now=now + dt.timedelta(microseconds=1))
    assert lease_claim_due(holder="A", ttl=30, now=now) is None
    claimed = lease_claim_due(holder="A", ttl=30, now=now + dt.timedelta(microseconds=1))
    assert claimed is not None and claimed.key == "account:6"


def test_claim_due_passes_over_a_lease_another_holds(clock):
    now = clock.now()
    lease_ensure(keys=["account:1", "account:2"], now=now - dt.timedelta(seconds=10))
    assert lease_try(key="account:1", holder="A", ttl=300, now=now)  # the most overdue, but held
    claimed = lease_claim_due(holder="B", ttl=30, now=now)
    assert claimed is not None and (claimed.key, claimed.holder) == ("account:2", "B")


def test_holder_names_name_the_host_and_the_process_and_differ_each_time():
    first, second = holder_name(), holder_name()
    host, pid, tag = first.rsplit(":", 2)
    assert (host, pid) == (socket.gethostname(), str(os.getpid()))
    assert len(tag) == 8 and int(tag, 16) >= 0
    assert first != second and second.rsplit(":", 2)[:2] == [host, pid]


def test_account_lease_keys():
    assert account_lease_key(42) == "account:42"


# The heartbeat renews from its own thread, with its own connection: these tests commit their rows.
DEADLINE = 30.0  # seconds of real time for the heartbeat's thread to reach what a test waits for


def _stamps(clock, calls: list[float], fail_first: bool = False):
    """A ``now`` for the heartbeat that moves the fake clock a second a beat and notes the real time of each call."""

    def now() -> dt.datetime:
        calls.append(time.monotonic())
        if fail_first and len(calls) == 1:
            raise RuntimeError("the clock is gone for a moment")
        clock.advance(1)
        return clock.now()

    return now


def _wait_for(condition) -> bool:
    for _ in range(int(DEADLINE / 0.02)):
        if condition():
            return True
        time.sleep(0.02)
    return False


def _heartbeat_thread(key: str) -> threading.Thread:
    (thread,) = [t for t in threading.enumerate() if t.name == f"heartbeat {key}"]
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_renews_every_third_of_the_lease_from_a_daemon_thread_that_ends_with_the_work(clock):
    key, ttl = "account:1", 0.9
    start = clock.now()
    assert lease_try(key=key, holder="A", ttl=ttl, now=start)
    calls: list[float] = []
    with Heartbeat(key=key, holder="A", ttl=ttl, now=_stamps(clock, calls)) as beat:
        thread = _heartbeat_thread(key)
        assert thread.daemon  # a heartbeat never keeps the process alive
        assert _wait_for(lambda: len(calls) >= 3 and Lease.objects.get(key=key).heartbeat_at >= start + dt.timedelta(seconds=3))
    thread.join(DEADLINE)
    assert not thread.is_alive()
    assert not beat.lost.is_set()
    lease = Lease.objects.get(key=key)
    assert lease.holder == "A"
    assert lease.expires_at == lease.heartbeat_at + dt.timedelta(seconds=ttl)
    # Event.wait never returns early: the beats are at least a third of the lease apart (a little slack for
    # the clock's resolution), never a quarter.
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert min(gaps) >= 0.9 * ttl / 3, gaps



@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_that_finds_its_lease_taken_says_so_and_stops(clock, caplog):
    key = "account:2"
    assert lease_try(key=key, holder="A", ttl=0.6, now=clock.now())
    assert lease_try(key=key, holder="B", ttl=3600, now=clock.now() + dt.timedelta(hours=1))  # A stopped, B took it
    with (caplog.at_level(logging.WARNING, logger="saleschannel.workers.leases"),
          Heartbeat(key=key, holder="A", ttl=0.6, now=clock.now) as beat):
        thread = _heartbeat_thread(key)
        assert beat.lost.wait(DEADLINE)
        thread.join(DEADLINE)
        assert not thread.is_alive()  # it ended by itself, before the work did
    assert "lease account:2 lost: another worker took it over" in [r.getMessage() for r in caplog.records]
    assert Lease.objects.get(key=key).holder == "B"


@pytest.mark.django_db(transaction=True)
def test_a_renewal_that_fails_is_logged_and_retried_on_the_next_beat(clock, caplog):
    key = "account:3"
    start = clock.now()
    assert lease_try(key=key, holder="A", ttl=0.6, now=start)
    calls: list[float] = []
    with (caplog.at_level(logging.WARNING, logger="saleschannel.workers.leases"),
          Heartbeat(key=key, holder="A", ttl=0.6, now=_stamps(clock, calls, fail_first=True)) as beat):
        assert _wait_for(lambda: Lease.objects.get(key=key).heartbeat_at > start)
    assert not beat.lost.is_set()
    failed = [r for r in caplog.records if r.getMessage() == "lease account:3: renewal failed"]
    assert failed and failed[0].exc_info is not None and failed[0].exc_info[0] is RuntimeError


@pytest.mark.django_db
def test_a_lease_first_taken_is_made_due_at_that_time(clock):
    now = clock.now()
    assert lease_try(key="account:8", holder="A", ttl=30, now=now)
    assert Lease.objects.get(key="account:8").due_at == now


@pytest.mark.django_db
def test_releasing_one_lease_leaves_the_holders_others_held(clock):
    now = clock.now()
    assert lease_try(key="account:1", holder="A", ttl=30, now=now)
    assert lease_try(key="account:2", holder="A", ttl=30, now=now)
    assert lease_release(key="account:1", holder="A", due_at=None)
    other = Lease.objects.get(key="account:2")
    assert (other.holder, other.expires_at, other.due_at) == ("A", now + dt.timedelta(seconds=30), now)
