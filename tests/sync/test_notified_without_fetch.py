"""S3, R18, S2(a): a notification that tells enough costs no getOrder; what it told is kept, and its order's
recheck waits."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from saleschannel.channel.models import AmazonOrder, AmazonStatusEvent, OrderFetchRequest, SyncCursor
from saleschannel.channel.services.notifications import notification_accept
from saleschannel.channel.services.sync.rechecks import open_orders_to_recheck
from saleschannel.spapi.sandbox.notify import eventbridge_event, order_change_notification
from saleschannel.workers.leases import account_sync_leased

pytestmark = pytest.mark.django_db
SECRET = "notified-secret"  # nosec B105


@pytest.fixture(autouse=True)
def _secret(monkeypatch):
    monkeypatch.setenv("SALESCHANNEL_NOTIFY_SECRET", SECRET)


def tell(sandbox, account, order_id, clock):
    event = eventbridge_event(order_change_notification(sandbox.store.get(order_id), account.seller_id, clock.now()),
                              clock.now())
    return notification_accept(body=json.dumps(event).encode(), api_key=SECRET, now=clock.now())


def test_s3_an_imported_order_shipped_is_recorded_from_its_notification_without_a_get_order(
        account, sandbox, client_for, clock, policy):
    client = client_for(account, sandbox)
    (order_id,) = sandbox.generate(1)
    sandbox.change_status(order_id, "UNSHIPPED")
    account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    order = AmazonOrder.objects.get(amazon_order_id=order_id)
    if order.channel == "FBA":
        pytest.skip("the seed made an FBA order")
    assert order.import_state == "imported"
    clock.advance(60)
    sandbox.change_status(order_id, "SHIPPED")
    accepted = tell(sandbox, account, order_id, clock)
    assert accepted.fetch is None and "rules do not act" in accepted.why
    assert not OrderFetchRequest.objects.exists()
    assert list(order.status_events.values_list("status", flat=True)) == ["Unshipped", "Shipped"]
    assert SyncCursor.objects.get(account=account).notified_at == clock.now()
    # S1 then reads the same status: the history does not say it twice.
    clock.advance(300)
    account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    order.refresh_from_db()
    assert order.status == "Shipped"
    assert AmazonStatusEvent.objects.filter(amazon_order=order, status="Shipped").count() == 1


def test_s3_a_notification_that_needs_the_order_asks_for_its_get_order(account, sandbox, clock):
    (order_id,) = sandbox.generate(1)
    sandbox.change_status(order_id, "UNSHIPPED")
    order = sandbox.store.get(order_id)
    accepted = tell(sandbox, account, order_id, clock)
    if order["fulfillment"]["fulfilledBy"] == "AMAZON":
        assert accepted.fetch is None
    else:
        assert accepted.fetch is not None and accepted.fetch.amazon_order_id == order_id


def test_s2a_news_by_notification_defers_the_orders_recheck(account, sandbox, client_for, clock, policy):
    client = client_for(account, sandbox)
    ids = sandbox.generate(6)
    for order_id in ids:
        sandbox.change_status(order_id, "UNSHIPPED")
    account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    open_ids = {o.amazon_order_id for o in AmazonOrder.objects.filter(status="Unshipped")}
    clock.advance(16 * 60)  # no notifications yet: today's 15 minutes
    assert {o.amazon_order_id for o in open_orders_to_recheck(account=account, now=clock.now(),
                                                               policy=policy)} == open_ids
    told = sorted(open_ids)[0]
    tell(sandbox, account, told, clock)  # already known: no fetch, but news, and the account hears
    due = {o.amazon_order_id for o in open_orders_to_recheck(account=account, now=clock.now(), policy=policy)}
    assert due == set()  # with notifications coming, an order waits an hour at least
    clock.advance(dt.timedelta(minutes=50).total_seconds())
    due = {o.amazon_order_id for o in open_orders_to_recheck(account=account, now=clock.now(), policy=policy)}
    assert due == open_ids - {told}
