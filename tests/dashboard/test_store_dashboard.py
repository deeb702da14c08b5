"""The home page and the store dashboard: connection, syncs, counts, revenue, charts, Recent Orders, banner."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from saleschannel.channel.models import SyncRequest, SyncRun
from saleschannel.channel.services.syncrequests import sync_request_finish, sync_request_start
from saleschannel.dashboard import charts
from saleschannel.workers.liveness import worker_beat
from saleschannel.workers.models import Lease
from tests.dashboard import factories

pytestmark = pytest.mark.django_db


def test_home_lists_accounts_with_their_state(staff_client, account):
    other = factories.account_make("US shop", seller_id="A2SELLER", marketplace_id="ATVPDKIKX0DER")
    other.credentials_state = "needs_reconnecting"
    other.save()
    factories.amazon_order_make(account, import_state="error", reason="boom")
    factories.amazon_order_make(account, import_state="imported", store_order_number="000000007")
    html = staff_client.get("/").content.decode()
    assert "EU shop" in html and "US shop" in html
    assert 'data-status="connected"' in html and 'data-status="needs_reconnecting"' in html
    assert "US shop needs reconnecting" in html  # the connection's banner, on every page
    assert f"?account={account.pk}&amp;problem=1" in html


def test_connection_state_and_last_error(staff_client, account):
    account.credentials_state = "needs_reconnecting"
    account.last_error = "Amazon refused the refresh token: invalid_grant"
    account.last_error_at = timezone.now()
    account.save()
    html = staff_client.get(reverse("dashboard:store_dashboard", args=[account.pk])).content.decode()
    assert "Needs reconnecting" in html
    assert "Amazon refused the refresh token: invalid_grant" in html


def test_last_and_next_sync(staff_client, account, settings):
    settings.SALESCHANNEL_DISPLAY_TIME_ZONE = "Europe/Berlin"
    started = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    SyncRun.objects.create(account=account, started_at=started, finished_at=started, outcome="ok", api_calls=3)
    Lease.objects.create(key=f"account:{account.pk}", due_at=dt.datetime(2026, 3, 1, 9, 45, tzinfo=dt.UTC))
    html = staff_client.get(reverse("dashboard:store_dashboard", args=[account.pk])).content.decode()
    # C20: shown in the merchant's time zone (UTC+1 in March).
    assert "01 Mar 10:30" in html and "01 Mar 10:45" in html
    assert "Completed" in html


def test_counts_revenue_and_recent_orders(staff_client, account):
    now = timezone.now()
    factories.amazon_order_make(account, total="10.00", purchased=now - dt.timedelta(days=2), import_state="imported")
    factories.amazon_order_make(account, total="20.00", purchased=now - dt.timedelta(days=20), import_state="waiting",
                                reason="out of stock: SKU SKU-1, salable 0, ordered 2", reason_code="out_of_stock")
    factories.amazon_order_make(account, total="99.00", purchased=now - dt.timedelta(days=3), status="CANCELLED",
                                import_state="not_importable", reason="Canceled before import")
    factories.amazon_order_make(account, total="500.00", purchased=now - dt.timedelta(days=45))
    response = staff_client.get(reverse("dashboard:store_dashboard", args=[account.pk]))
    ctx = response.context
    assert ctx["counts"] == {"imported": 1, "waiting": 2, "not_importable": 1, "error": 0}
    [revenue] = ctx["revenue"]
    assert (revenue.currency, revenue.last_7_days, revenue.last_30_days) == ("EUR", Decimal("10.00"), Decimal("30.00"))
    html = response.content.decode()
    assert "out of stock: SKU SKU-1, salable 0, ordered 2" in html
    assert "Canceled before import" in html
    assert "<svg" in html and "Orders imported per day" in html and "API calls per hour" in html


def test_banner_counts_errors_and_out_of_stock_waiting_only(staff_client, account):
    factories.amazon_order_make(account, import_state="error", reason="database error")
    factories.amazon_order_make(account, import_state="waiting", reason_code="out_of_stock", reason="out of stock")
    factories.amazon_order_make(account, import_state="waiting", reason_code="fba_waiting_shipped", reason="FBA")
    factories.amazon_order_make(account, import_state="not_importable", reason="import disabled")
    html = staff_client.get(reverse("dashboard:orders")).content.decode()
    assert "2 Amazon orders cannot be imported. See Recent Orders." in html
    listed = staff_client.get("/amazon-orders/?problem=1").context["page"].rows
    assert {o.import_state for o in listed} == {"error", "waiting"} and len(listed) == 2


def test_no_banner_when_all_is_well(staff_client, account):
    factories.amazon_order_make(account, import_state="imported")
    assert b"cannot be imported" not in staff_client.get("/").content


def test_imported_per_day_chart_counts_the_store_orders_made_for_the_account(staff_client, account, store_defaults):
    from saleschannel.commerce.catalog.services import product_create
    from saleschannel.commerce.sales.models import Order

    product_create(sku="SKU-1", name="Blue mug", price="9.90", qty=10)
    factories.import_enable(account)
    for i in range(3):
        factories.amazon_order_receive(account, factories.raw_order(f"302-6600000-000000{i}"))
    old = Order.objects.order_by("pk").first()
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    factories.store_order_make(store_defaults, number="W-1")  # not from Amazon: not counted
    other = factories.account_make("US shop", seller_id="A2", marketplace_id="ATVPDKIKX0DER")
    factories.import_enable(other)
    factories.amazon_order_receive(other, factories.raw_order("302-6600000-0000009"))  # another account's
    chart = staff_client.get(reverse("dashboard:store_dashboard", args=[account.pk])).context["day_chart"]
    assert chart.total == 3 and len(chart.bars) == 30
    assert chart.bars[-1].value == 2 and chart.bars[-4].value == 1


def test_api_calls_chart_marks_hours_over_the_usage_plan(staff_client, account):
    now = timezone.now()
    SyncRun.objects.create(account=account, started_at=now, outcome="ok", api_calls=40,
                           api_calls_by_operation={"searchOrders": 21, "getOrder": 19})
    SyncRun.objects.create(account=account, started_at=now - dt.timedelta(hours=2), outcome="ok", api_calls=30,
                           api_calls_by_operation={"searchOrders": 4, "getOrder": 26})
    response = staff_client.get(reverse("dashboard:store_dashboard", args=[account.pk]))
    chart = response.context["call_chart"]
    assert chart.total == 70 and chart.stacked
    # The usage plan is searchOrders' (about 20 an hour): only the hour with 21 of them is over it.
    assert chart.bars[-1].over and chart.bars[-1].part_value == 21
    assert not chart.bars[-3].over and chart.bars[-3].part_value == 4 and chart.bars[-3].value == 30
    assert chart.limit_y is not None
    assert 'class="part over"' in response.content.decode()


def test_api_calls_chart_tells_rechecks_sweeps_and_notification_fetches_apart(staff_client, account):
    now = timezone.now()
    SyncRun.objects.create(account=account, started_at=now, outcome="ok", api_calls=6,
                           api_calls_by_operation={"searchOrders": 2, "getOrder": 4},
                           api_calls_by_purpose={"incremental": 1, "recheck": 3, "sweep": 1, "notification": 5})
    response = staff_client.get(reverse("dashboard:store_dashboard", args=[account.pk]))
    chart = response.context["call_chart"]
    # The notifications' getOrders served between cycles count too.
    assert chart.bars[-1].value == 10
    assert chart.bars[-1].breakdown == ("1 incremental reads (S1) · 5 notification fetches (S3) · "
                                        "3 rechecks (S2a) · 1 sweeps (S2b)")
    html = response.content.decode()
    assert "rechecks (S2a) 3" in html and "notification fetches (S3) 5" in html and "sweeps (S2b) 1" in html


def test_bar_chart_geometry():
    chart = charts.bar_chart([("a", 0), ("b", 5), ("c", 10)], title="t")
    assert chart.top_value == 10
    assert chart.bars[0].height == 0 and chart.bars[2].height > chart.bars[1].height > 0
    assert chart.bars[2].y == 10  # the tallest bar reaches the top of the plot


def test_secrets_are_never_rendered(staff_client, account):
    order = factories.amazon_order_make(account)
    for url in ("/", reverse("dashboard:store_dashboard", args=[account.pk]),
                reverse("dashboard:order_settings", args=[account.pk]), reverse("dashboard:amazon_order", args=[order.pk])):
        html = staff_client.get(url).content.decode()
        assert "secret-refresh-token-value" not in html and "super-secret" not in html, url


def test_sync_now_refuses_an_account_that_needs_reconnecting(manager_client, account):
    account.credentials_state = "needs_reconnecting"
    account.save()
    response = manager_client.post(reverse("dashboard:sync_now", args=[account.pk]),
                                   {"next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard:store_dashboard", args=[account.pk])
    assert not SyncRun.objects.exists() and not SyncRequest.objects.exists()
    assert f"{account.name} needs reconnecting" in response.content.decode()


def test_sync_now_asks_the_worker_and_the_dashboard_follows_the_request(manager_client, account):
    """#22: no cycle in the web request; the page shows the request's progress, and that no worker runs."""
    response = manager_client.post(reverse("dashboard:sync_now", args=[account.pk]), follow=True)
    html = response.content.decode()
    assert not SyncRun.objects.exists()
    request = SyncRequest.objects.get(account=account)
    assert "no worker is running" in html and 'id="no-worker"' in html
    assert 'data-state="requested"' in html and 'http-equiv="refresh"' in html  # follows it while open
    worker_beat(holder="w1", now=timezone.now(), ttl=30)
    sync_request_start(request=request, holder="w1", now=timezone.now())
    html = manager_client.get(reverse("dashboard:store_dashboard", args=[account.pk])).content.decode()
    assert 'data-state="running"' in html and "running now" in html and 'id="no-worker"' not in html
    run = SyncRun.objects.create(account=account, started_at=timezone.now(), outcome="ok", fetched=3, created=2)
    sync_request_finish(request=request, run=run, now=timezone.now())
    html = manager_client.get(reverse("dashboard:store_dashboard", args=[account.pk])).content.decode()
    assert 'data-state="done"' in html and "3 read, 2 imported" in html and f"#run-{run.pk}" in html
    assert 'http-equiv="refresh"' not in html
    log = manager_client.get(reverse("dashboard:sync_log")).content.decode()
    assert f'id="run-{run.pk}"' in log


def test_home_shows_each_accounts_last_sync_at_a_fixed_query_cost(staff_client, account, django_assert_num_queries):
    base = timezone.now() - dt.timedelta(hours=5)
    accounts = [account] + [factories.account_make(f"Shop {i}", seller_id=f"S{i}", marketplace_id=f"M{i}")
                            for i in range(4)]
    for i, a in enumerate(accounts):
        for h in range(3):
            SyncRun.objects.create(account=a, started_at=base + dt.timedelta(hours=h, minutes=i), outcome="ok")
    staff_client.get("/")
    Lease.objects.create(key=f"account:{accounts[1].pk}", due_at=base + dt.timedelta(hours=9))
    # session, user, manager check, reconnect banner, accounts, state counts, problems (their sum is the
    # banner's count), last syncs, next syncs.
    with django_assert_num_queries(9):
        response = staff_client.get("/")
    rows = response.context["rows"]
    ordered = sorted(rows, key=lambda r: r["account"].pk)
    assert all(row["sync"].started_at == base + dt.timedelta(hours=2, minutes=i) for i, row in enumerate(ordered))
    assert [row["next_sync"] for row in ordered] == [None, base + dt.timedelta(hours=9), None, None, None]
