"""Leases at their edges, where mutation testing found the other tests silent (docs/mutation.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.workers.leases import lease_acquire, lease_claim_due, lease_ensure, lease_renew, lease_try
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
