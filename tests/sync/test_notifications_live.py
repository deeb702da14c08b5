"""S3 end to end: the sandbox posts ORDER_CHANGE over HTTP (as EventBridge would); the worker imports at once."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.channel.models import AmazonOrder, OrderFetchRequest
from tests.sync.conftest import connect, sandbox_app, stock_catalog
from tests.sync.test_worker import make_worker

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "live-notify-secret"


def test_s3_a_notification_over_http_imports_its_order_within_a_tick(live_server, clock, policy, monkeypatch):
    from saleschannel.commerce.stores.services import stores_init

    monkeypatch.setenv("SALESCHANNEL_NOTIFY_SECRET", SECRET)
    stores_init()
    stock_catalog()
    account = connect(now=clock.now() - dt.timedelta(hours=1))
    app = sandbox_app(clock, notify_url=f"{live_server.url}/notifications/amazon/order-change",
                      notify_secret=SECRET)
    worker = make_worker(clock, policy, app)
    worker.tick()  # the first cycle: the next poll is not due for a while
    (order_id,) = app.generate(1)
    app.change_status(order_id, "UNSHIPPED")
    app.notifier.flush(timeout=30)
    pending = OrderFetchRequest.objects.filter(account=account, amazon_order_id=order_id, done_at__isnull=True)
    assert pending.count() == 1  # two notifications, one pending getOrder
    searches = app.calls()["operations"]["searchOrders"]
    clock.advance(1)
    assert worker.tick()
    order = AmazonOrder.objects.get(account=account, amazon_order_id=order_id)
    assert order.status == "Unshipped" and order.import_state == "imported"
    assert app.calls()["operations"]["searchOrders"] == searches
    assert not pending.exists()
    app.close()


def test_s3_a_notification_with_the_wrong_secret_is_refused(live_server, clock, monkeypatch):
    import httpx

    from tests.sync.test_notifications import notification

    monkeypatch.setenv("SALESCHANNEL_NOTIFY_SECRET", SECRET)
    response = httpx.post(f"{live_server.url}/notifications/amazon/order-change", json=notification(),
                          headers={"x-api-key": "forged"}, timeout=30)
    assert response.status_code == 401
    assert not OrderFetchRequest.objects.exists()
