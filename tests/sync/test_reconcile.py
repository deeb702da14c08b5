"""S1 under a lagging index and faults; S2's sweeps and rechecks catch what the index showed late."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from saleschannel.channel.models import AmazonOrder, OrderRecheck, RateBucket, SyncCursor
from saleschannel.channel.services.sync.rechecks import open_orders_to_recheck
from saleschannel.spapi.params import format_time
from saleschannel.workers.leases import account_sync_leased
from tests.sync.conftest import sandbox_app
from tests.sync.helpers import assert_exactly_once, channel_statuses, sandbox_statuses

pytestmark = pytest.mark.django_db


def run_until_quiet(account, app, client, clock, policy, *, minutes: int, step: float = 60.0):
    runs = []
    for _ in range(int(minutes * 60 / step)):
        runs.append(account_sync_leased(account=account, client=client, clock=clock, policy=policy))
        clock.advance(step)
    return runs


@pytest.mark.parametrize("overlap_minutes", [10, 0])
def test_s1_lag_30s_and_faults_10_percent_miss_no_order(account, clock, client_for, policy, overlap_minutes):
    """The watermark is Amazon's lastUpdatedBefore: even with no overlap, a 30 s lag loses nothing."""
    app = sandbox_app(clock, visibility_lag=30, fault_rate=0.1, generate_per_minute=1.2, seed=11)
    policy = dataclasses.replace(policy, overlap=dt.timedelta(minutes=overlap_minutes), page_size=20)
    client = client_for(account, app)
    runs = run_until_quiet(account, app, client, clock, policy, minutes=25, step=75)
    app.generate_per_minute = 0
    runs += run_until_quiet(account, app, client, clock, policy, minutes=60, step=600)
    while account_sync_leased(account=account, client=client, clock=clock, policy=policy).outcome != "ok":
        clock.advance(60)
    assert app.calls()["faults"] > 0, "the faults must have happened for the test to mean anything"
    assert len(runs) > 20
    assert len(sandbox_statuses(app)) >= 25
    assert channel_statuses(account) == sandbox_statuses(app)
    assert_exactly_once(account)
    app.close()


def _unshipped_order(app) -> dict:
    (order_id,) = app.generate(1)
    app.change_status(order_id, "UNSHIPPED")
    order = app.store.get(order_id)
    app.store.clear()
    return order


def test_s2_the_hourly_sweep_finds_an_order_the_index_showed_late(account, sandbox, client_for, clock, policy):
    late = _unshipped_order(sandbox)
    client = client_for(account, sandbox)
    account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    clock.advance(120)
    # Amazon's index shows it only now, updated half an hour ago: before the watermark's overlap.
    late["lastUpdatedTime"] = format_time(clock.now() - dt.timedelta(minutes=30), "t")
    sandbox.put_order(late)
    clock.advance(60)
    account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    assert not AmazonOrder.objects.filter(amazon_order_id=late["orderId"]).exists()  # S1 cannot see it
    clock.advance(3600)
    run = account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    found = AmazonOrder.objects.get(amazon_order_id=late["orderId"])
    assert found.status == "Unshipped" and found.import_state == "imported"
    assert run.api_calls_by_operation["searchOrders"] == 2  # S1 and the sweep
    cursor = SyncCursor.objects.get(account=account)
    assert cursor.hourly_sweep_done_at == clock.now() and cursor.sweep_kind == ""


def test_s2_the_daily_sweep_reads_the_week(account, sandbox, client_for, clock, policy):
    client = client_for(account, sandbox)
    account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    SyncCursor.objects.filter(account=account).update(daily_sweep_done_at=clock.now() - dt.timedelta(days=2))
    account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    cursor = SyncCursor.objects.get(account=account)
    assert cursor.daily_sweep_done_at == clock.now() == cursor.hourly_sweep_done_at


def test_s2_a_capped_sweep_resumes_where_it_stopped(account, sandbox, client_for, clock, policy):
    policy = dataclasses.replace(policy, page_size=10, sweep_page_cap=2)
    client = client_for(account, sandbox)
    sandbox.generate(45)  # five pages
    account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    SyncCursor.objects.filter(account=account).update(hourly_sweep_done_at=clock.now() - dt.timedelta(hours=2))
    searches = sandbox.calls()["operations"]["searchOrders"]
    account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    cursor = SyncCursor.objects.get(account=account)
    assert cursor.sweep_kind == "hourly" and cursor.sweep_next_token  # two pages read, three to go
    for _ in range(2):
        clock.advance(1)  # the bucket (1000/s with rate limits off) refills
        account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    cursor.refresh_from_db()
    assert cursor.sweep_kind == "" and cursor.hourly_sweep_done_at == clock.now()
    # Three S1 cycles of five pages each, and one sweep of five pages in all: no page read twice.
    assert sandbox.calls()["operations"]["searchOrders"] - searches == 3 * 5 + 5
    assert_exactly_once(account)


def test_s2_open_orders_are_rechecked_with_get_order(account, sandbox, client_for, clock, policy):
    client = client_for(account, sandbox)
    order = _unshipped_order(sandbox)
    sandbox.put_order(order)
    account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    imported = AmazonOrder.objects.get(amazon_order_id=order["orderId"])
    assert imported.import_state == "imported" and imported.status == "Unshipped"
    # Amazon cancels it, but its search index lags an hour behind: only getOrder shows it.
    sandbox.visibility_lag = 3600
    clock.advance(60)
    sandbox.change_status(order["orderId"], "CANCELLED")
    clock.advance(16 * 60)
    run = account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    imported.refresh_from_db()
    assert imported.status == "Canceled"
    assert imported.store_order.state == "canceled"
    assert run.api_calls_by_operation.get("getOrder") == 1


def test_s1_a_cycle_short_of_tokens_pauses_and_resumes_at_its_page(account, clock, client_for, policy):
    app = sandbox_app(clock, rate_limits=True)
    policy = dataclasses.replace(policy, page_size=10)
    client = client_for(account, app)
    app.generate(20)
    first = account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    assert first.outcome == "ok"
    app.generate(20)
    clock.advance(60)
    RateBucket.objects.filter(operation="searchOrders").update(tokens=2.0, refilled_at=clock.now())
    second = account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    assert second.outcome == "partial" and "rate limit" in second.error
    cursor = SyncCursor.objects.get(account=account)
    assert cursor.query_next_token and cursor.watermark < clock.now() - dt.timedelta(seconds=30)
    runs = [second]
    while runs[-1].outcome == "partial":
        clock.advance(181)
        runs.append(account_sync_leased(account=account, client=client, clock=clock, policy=policy))
    assert runs[-1].outcome == "ok"
    assert sum(r.pages for r in runs) == sum(r.api_calls_by_operation.get("searchOrders", 0) for r in runs)
    assert app.calls()["throttled"] == 0
    # What changed at Amazon while the query was paused is read by the next query.
    clock.advance(3600)
    assert account_sync_leased(account=account, client=client, clock=clock, policy=policy).outcome == "ok"
    assert_exactly_once(account)
    assert channel_statuses(account) == sandbox_statuses(app)
    app.close()


def _open_orders(app, count: int) -> list[str]:
    ids = app.generate(count)
    for order_id in ids:
        app.change_status(order_id, "UNSHIPPED")
    return ids


def test_s2_rechecks_wait_for_a_fresh_query_after_a_backlog(account, clock, client_for, policy):
    """A query read over several cycles is as old as its first page: the next query, not a
    getOrder per order, reads what changed since; the rechecks come after it (B2)."""
    app = sandbox_app(clock, rate_limits=True, pagination_ttl=3600)
    policy = dataclasses.replace(policy, page_size=10)
    client = client_for(account, app)
    _open_orders(app, 30)
    clock.advance(60)
    RateBucket.objects.create(seller_id=account.seller_id, operation="searchOrders", rate=0.0056, burst=20,
                              tokens=1.0, refilled_at=clock.now())
    first = account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    assert first.outcome == "partial" and first.pages == 1
    clock.advance(16 * 60)  # the first page's orders are due a recheck now
    second = account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    assert second.outcome == "ok" and second.pages == 2
    assert "getOrder" not in second.api_calls_by_operation  # the query it finished began a cycle ago
    clock.advance(60)
    stale = open_orders_to_recheck(account=account, now=clock.now(), policy=policy)
    assert 0 < len(stale) <= 10  # the open ones of the first page, read 17 minutes ago
    started = clock.now()
    third = account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    # A fresh query first: it brings anew the orders Amazon moved on meanwhile; then getOrder
    # for the rest of them.
    brought = [o.pk for o in stale if AmazonOrder.objects.get(pk=o.pk).last_seen_at >= started]
    rechecked = OrderRecheck.objects.filter(amazon_order__in=[o.pk for o in stale]).count()
    assert third.outcome == "ok" and brought and rechecked == len(stale) - len(brought)
    assert third.api_calls_by_operation["getOrder"] == rechecked
    assert app.calls()["throttled"] == 0
    assert_exactly_once(account)
    app.close()


def test_the_sync_log_counts_waiting_and_errored_orders_following_only_those(account, sandbox, client_for,
                                                                              clock, policy):
    from saleschannel.channel.services.sync.base import LeftWaiting

    _open_orders(sandbox, 6)
    sandbox.generate(6)
    run = account_sync_leased(account=account, client=client_for(account, sandbox), clock=clock, policy=policy)
    orders = AmazonOrder.objects.filter(account=account)
    waiting = orders.filter(import_state="waiting").count()
    errors = orders.filter(import_state="error").count()
    assert run.fetched == 12 and waiting > 0 and (run.waiting, run.errors) == (waiting, errors)
    everything = list(orders.values_list("pk", flat=True))
    left = LeftWaiting()
    left.note(everything)
    assert len(left.pks) == waiting + errors and left.counts() == (waiting, errors)
    left.note(everything)  # read again: counted once
    assert left.counts() == (waiting, errors)
    capped = LeftWaiting(limit=1)
    capped.note(everything)
    assert len(capped.pks) == 1 and capped.counts() == (waiting, errors)
    imported = list(orders.filter(import_state="imported").values_list("pk", flat=True))
    assert imported and not set(imported) & left.pks
