"""#22: the worker serves "Sync now" requests: one cycle, linked to the request, when the lease is free."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.channel.models import SyncRequest, SyncRun
from saleschannel.channel.services.syncrequests import sync_request_create, sync_request_start
from saleschannel.workers.leases import account_lease_key, lease_release, lease_try
from saleschannel.workers.liveness import holder_alive, workers_alive
from saleschannel.workers.models import Lease
from tests.sync.test_worker import make_worker

pytestmark = pytest.mark.django_db


def not_due(account, clock):
    """The account is not due by the scheduler: only the request can make the worker sync it."""
    Lease.objects.update_or_create(key=account_lease_key(account.pk),
                                   defaults={"due_at": clock.now() + dt.timedelta(hours=1)})


def test_the_worker_serves_a_request_with_one_cycle_and_links_its_run(account, sandbox, clock, policy):
    sandbox.generate(5)
    worker = make_worker(clock, policy, sandbox, holder="w1")
    not_due(account, clock)
    request, made = sync_request_create(account=account, now=clock.now())
    assert made
    assert worker.tick()
    request.refresh_from_db()
    run = SyncRun.objects.get(account=account)
    assert request.state == "done" and request.run == run and run.outcome == "ok"
    assert request.claimed_by == "w1" and request.started_at and request.finished_at
    lease = Lease.objects.get(key=account_lease_key(account.pk))
    assert lease.holder == "" and lease.due_at > clock.now()  # given back, next due by the scheduler
    assert not worker.tick()  # served once


def test_a_request_waits_while_another_worker_holds_the_lease(account, sandbox, clock, policy):
    worker = make_worker(clock, policy, sandbox, holder="w1")
    not_due(account, clock)
    key = account_lease_key(account.pk)
    assert lease_try(key=key, holder="other", ttl=600, now=clock.now())
    request, _ = sync_request_create(account=account, now=clock.now())
    worker.tick()
    request.refresh_from_db()
    assert request.state == "requested" and not SyncRun.objects.exists()
    lease_release(key=key, holder="other", due_at=clock.now() + dt.timedelta(hours=1))
    worker.tick()
    request.refresh_from_db()
    assert request.state == "done" and request.run is not None


def test_a_request_whose_worker_stopped_is_served_by_another(account, sandbox, clock, policy):
    worker = make_worker(clock, policy, sandbox, holder="w2")
    not_due(account, clock)
    request, _ = sync_request_create(account=account, now=clock.now())
    assert sync_request_start(request=request, holder="dead-worker", now=clock.now())
    assert not holder_alive(holder="dead-worker", now=clock.now())
    worker.tick()
    request.refresh_from_db()
    assert request.state == "done" and request.claimed_by == "w2" and request.run is not None


def test_a_running_worker_says_so_and_a_stopped_one_no_longer(account, sandbox, clock, policy):
    worker = make_worker(clock, policy, sandbox, holder="w1")
    assert not workers_alive(now=clock.now())
    worker.tick()
    assert workers_alive(now=clock.now()) and holder_alive(holder="w1", now=clock.now())
    clock.advance(3600)
    assert not workers_alive(now=clock.now())  # it stopped beating
    worker.stop.set()
    worker.run()
    assert not Lease.objects.filter(key__startswith="worker:").exists()


def test_asking_twice_while_open_makes_one_request(account, clock):
    first, made = sync_request_create(account=account, now=clock.now())
    second, again = sync_request_create(account=account, now=clock.now())
    assert made and not again and first.pk == second.pk
    assert SyncRequest.objects.count() == 1


def test_with_no_request_open_the_step_costs_one_query(account, sandbox, clock, policy, django_assert_num_queries):
    worker = make_worker(clock, policy, sandbox, holder="w1")
    with django_assert_num_queries(1):
        assert worker._serve_sync_requests() == 0
