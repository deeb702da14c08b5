"""Leases: one holder per account, taken over when the holder stops renewing."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.workers.leases import (
    lease_acquire,
    lease_claim_due,
    lease_ensure,
    lease_release,
    lease_renew,
    lease_try,
)
from saleschannel.workers.models import Lease

pytestmark = pytest.mark.django_db


def test_a_held_lease_is_refused_to_another_until_it_expires(clock):
    now = clock.now()
    assert lease_try(key="account:1", holder="A", ttl=30, now=now)
    assert not lease_try(key="account:1", holder="B", ttl=30, now=now + dt.timedelta(seconds=29))
    assert lease_try(key="account:1", holder="A", ttl=30, now=now + dt.timedelta(seconds=29))  # mine: kept
    later = now + dt.timedelta(seconds=60)
    assert lease_try(key="account:1", holder="B", ttl=30, now=later)
    lease = Lease.objects.get(key="account:1")
    assert lease.holder == "B" and lease.taken_over == 1
    assert not lease_renew(key="account:1", holder="A", ttl=30, now=later)  # A learns it lost it


def test_renewal_keeps_the_lease(clock):
    now = clock.now()
    lease_try(key="k", holder="A", ttl=30, now=now)
    for step in range(1, 5):
        assert lease_renew(key="k", holder="A", ttl=30, now=now + dt.timedelta(seconds=20 * step))
        assert not lease_try(key="k", holder="B", ttl=30, now=now + dt.timedelta(seconds=20 * step + 1))


def test_release_frees_and_says_when_due(clock):
    now = clock.now()
    lease_try(key="account:1", holder="A", ttl=30, now=now)
    due = now + dt.timedelta(seconds=240)
    assert lease_release(key="account:1", holder="A", due_at=due)
    lease = Lease.objects.get(key="account:1")
    assert lease.holder == "" and lease.due_at == due
    assert not lease_release(key="account:1", holder="B", due_at=None)


def test_claim_due_takes_the_most_overdue_free_lease(clock):
    now = clock.now()
    lease_ensure(keys=["account:1", "account:2", "account:3", "other:1"], now=now)
    Lease.objects.filter(key="account:1").update(due_at=now - dt.timedelta(seconds=5))
    Lease.objects.filter(key="account:2").update(due_at=now - dt.timedelta(seconds=50))
    Lease.objects.filter(key="account:3").update(due_at=now + dt.timedelta(seconds=50))
    Lease.objects.filter(key="other:1").update(due_at=now - dt.timedelta(seconds=500))
    first = lease_claim_due(holder="A", ttl=30, now=now)
    second = lease_claim_due(holder="B", ttl=30, now=now)
    assert (first.key, first.holder) == ("account:2", "A")
    assert (second.key, second.holder) == ("account:1", "B")
    assert lease_claim_due(holder="C", ttl=30, now=now) is None


def test_acquire_waits_for_the_holder_to_stop(clock):
    lease_try(key="k", holder="A", ttl=20, now=clock.now())
    assert lease_acquire(key="k", holder="B", ttl=20, wait=60, now=clock.now, sleep=clock.sleep, poll=5)
    assert clock.slept > 20
    lease_try(key="j", holder="A", ttl=600, now=clock.now())
    assert not lease_acquire(key="j", holder="B", ttl=20, wait=60, now=clock.now, sleep=clock.sleep, poll=5)
