"""The worker's push step (T5, T10, T13): each pushing account under its lease, at most once a
second, beside the sync; the daily retention job prunes push records past 90 days."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.channel.stock.models import StockPush
from saleschannel.commerce.inventory.services import source_item_set
from saleschannel.spapi.sandbox import DEFAULT_SKUS
from saleschannel.workers.leases import account_lease_key, lease_try
from saleschannel.workers.models import Lease
from tests.stock import test_push as helpers
from tests.sync.test_worker import make_worker

pytestmark = pytest.mark.django_db
clock, sandbox, sync_account, account = helpers.clock, helpers.sandbox, helpers.sync_account, helpers.account
policy = helpers.sync_fixtures.policy
MUG = helpers.MUG


def test_t10_the_worker_pushes_each_change_within_a_second_and_gives_the_lease_back_as_due(account, sandbox, clock,
                                                                                          policy):
    helpers.list_on_amazon(sandbox, dict.fromkeys(DEFAULT_SKUS, 50))
    worker = make_worker(clock, policy, sandbox)
    worker.tick()
    assert helpers.on_amazon(sandbox, MUG) == 1000
    due_at = Lease.objects.get(key=account_lease_key(account.pk)).due_at
    source_item_set(source=None, sku=MUG, quantity=4)
    source_item_set(source=None, sku=MUG, quantity=3)  # T5: within the second, the last wins
    worker.tick()
    assert helpers.on_amazon(sandbox, MUG) == 1000  # the step runs at most once a second
    clock.advance(1)
    worker.tick()
    assert helpers.on_amazon(sandbox, MUG) == 3
    assert list(StockPush.objects.filter(sku=MUG).order_by("pk").values_list("quantity", flat=True)) == [1000, 3]
    lease = Lease.objects.get(key=account_lease_key(account.pk))
    assert lease.holder == "" and lease.due_at == due_at  # the sync's schedule is not moved


def test_t10_an_account_whose_lease_is_held_elsewhere_is_not_pushed(account, sandbox, clock, policy):
    helpers.list_on_amazon(sandbox, {MUG: 50})
    assert lease_try(key=account_lease_key(account.pk), holder="someone-else", ttl=600, now=clock.now())
    make_worker(clock, policy, sandbox).tick()
    assert helpers.on_amazon(sandbox, MUG) == 50 and not StockPush.objects.exists()


def test_t13_the_daily_retention_job_prunes_push_records_past_90_days(account, sandbox, clock, policy):
    helpers.list_on_amazon(sandbox, {MUG: 50})
    worker = make_worker(clock, policy, sandbox)
    worker.tick()
    assert StockPush.objects.count() == 1
    StockPush.objects.update(sent_at=clock.now() - dt.timedelta(days=91))
    clock.advance(2 * 86400)  # the retention job is due again
    worker.tick()
    assert not StockPush.objects.exists()
