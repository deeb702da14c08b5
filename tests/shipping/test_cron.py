"""The cron way of running a channel (T10, #16): no worker at all, only ``sync ACCOUNT --once``
run again and again while Amazon's sandbox generates orders (some with a line the buyer
cancels), the merchant ships with ``ship`` (no ``--send-now``) and Amazon cancels orders. In
the end Amazon and the store agree on every order's items, packages and status, and the
ledger is whole."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from saleschannel.channel.models import AmazonOrder
from saleschannel.cli import main
from saleschannel.commerce.inventory.selectors import reserved_totals_verify
from saleschannel.spapi.sandbox.generator import DEFAULT_SKUS, MARKETPLACES
from tests.channel.conftest import make_product
from tests.sync.helpers import assert_exactly_once, expected_reservations, reservations_balance

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 6


@pytest.fixture
def cron(store_defaults):
    """The sandbox served on loopback (its own clock: the system's), and an account importing it."""
    from saleschannel.channel.services.accounts import account_connect
    from saleschannel.channel.services.settings import order_settings_update
    from saleschannel.spapi.sandbox.app import SandboxApp
    from saleschannel.spapi.sandbox.server import SandboxServer

    app = SandboxApp(seed=16, rate_limits=False, marketplaces=MARKETPLACES[:1])
    server = SandboxServer(app, "127.0.0.1", 0)
    server.start()
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    account, _ = account_connect(
        name="cron", seller_id=app.seller_id, marketplace_id=MARKETPLACES[0].marketplace_id, region="na",
        endpoint=server.base_url, token_url=f"{server.base_url}/auth/o2/token", refresh_token="Atzr|cron",
        client_id="amzn1.application-oa2-client.cron", client_secret="cron-secret", now=start,
    )
    order_settings_update(account=account, changes={"import_orders": "enabled"}, now=start)
    for sku in DEFAULT_SKUS:
        make_product(sku, 10_000)
    try:
        yield app, account
    finally:
        server.stop()


def _sync(account) -> None:
    code = main(["sync", account.name, "--once", "--json"])
    assert code == 0


def _status(app, order_id: str) -> str:
    return app.store.get(order_id)["fulfillment"]["fulfillmentStatus"]


def test_a_cron_run_ends_with_amazon_and_the_store_agreeing(cron, capsys):
    app, account = cron
    rng = random.Random(16)
    ids = app.generate(40)  # a backlog, its statuses spread: Pending, Unshipped, a line canceled, Shipped, Cancelled
    for round_ in range(ROUNDS):
        _sync(account)
        imported = list(AmazonOrder.objects.filter(account=account, store_order__isnull=False, channel="FBM",
                                                   store_order__state__in=("new", "processing")))
        for ao in imported:
            status = _status(app, ao.amazon_order_id)
            if status not in ("UNSHIPPED", "PARTIALLY_SHIPPED"):
                continue
            roll = rng.random()
            lines = [i for i in app.store.get(ao.amazon_order_id)["orderItems"] if i["quantityOrdered"]]
            if status == "UNSHIPPED" and len(lines) > 1 and roll < 0.5:
                app.cancel_line(ao.amazon_order_id)  # the buyer cancels a line
            elif roll < 0.4:  # the merchant ships from the store, leaving the confirmation to the next cycle
                assert main(["ship", ao.store_order.number, "--carrier", "UPS", "--tracking", f"1Z{round_}{ao.pk}",
                             "--json"]) == 0
            elif roll < 0.5 and status == "UNSHIPPED":
                app.change_status(ao.amazon_order_id, "CANCELLED")  # canceled at Amazon
        for order_id in ids:
            if _status(app, order_id) in ("PENDING", "PENDING_AVAILABILITY") and rng.random() < 0.5:
                app.change_status(order_id, "UNSHIPPED")
        if round_ == 2:
            ids += app.generate(10)
        capsys.readouterr()
    for _ in range(3):  # the last confirmations go, the last snapshots come back
        _sync(account)
    capsys.readouterr()

    _agree(app, account)


def _agree(app, account) -> None:
    from saleschannel.commerce.sales.models import OrderItem

    assert_exactly_once(account)
    assert reserved_totals_verify() == []
    pending = {}
    for ao in AmazonOrder.objects.filter(account=account, holds_pending_reservation=True):
        from saleschannel.commerce.inventory.selectors import open_reservations

        for sku, qty in open_reservations(object_type="amazon_order", object_id=ao.amazon_order_id).items():
            pending[sku] = pending.get(sku, Decimal(0)) + qty
    expected = expected_reservations()
    for sku, qty in pending.items():
        expected[sku] = expected.get(sku, Decimal(0)) + qty
    assert reservations_balance() == {k: v for k, v in expected.items() if v}
    checked = 0
    for ao in AmazonOrder.objects.filter(account=account).select_related("store_order"):
        amazon = app.store.get(ao.amazon_order_id)
        status = amazon["fulfillment"]["fulfillmentStatus"]
        assert ao.raw["fulfillment"]["fulfillmentStatus"] == status, ao.amazon_order_id
        order = ao.store_order
        if order is None or ao.channel != "FBM":
            continue
        checked += 1
        packages = amazon.get("packages", [])
        shipped: dict[str, int] = {}
        for package in packages:
            for item in package["packageItems"]:
                shipped[item["orderItemId"]] = shipped.get(item["orderItemId"], 0) + item["quantity"]
        items = {i.external_line_id: i for i in OrderItem.objects.filter(order=order)}
        for line in amazon["orderItems"]:
            item = items.get(line["orderItemId"])
            if item is None:
                assert line["quantityOrdered"] == 0, ao.amazon_order_id
                continue
            where = f"{ao.amazon_order_id} {line['orderItemId']}"
            assert item.qty_shipped == shipped.get(line["orderItemId"], 0), where
            if status != "CANCELLED":
                assert item.qty_ordered - item.qty_canceled == line["quantityOrdered"], where
        assert order.shipments.count() == len(packages), ao.amazon_order_id
        order.refresh_from_db()
        expected_state = {"SHIPPED": {"complete"}, "UNSHIPPED": {"new", "processing"},
                          "PARTIALLY_SHIPPED": {"processing"},
                          "CANCELLED": {"complete"} if packages else {"canceled"}}[status]
        assert order.state in expected_state, (ao.amazon_order_id, status, order.state)
    assert checked >= 10
    # The run met what it is meant to meet: store shipments confirmed by the cycle, lines and
    # orders canceled at Amazon, and packages shipped from Seller Central.
    from saleschannel.channel.outbox.models import OutboxMessage
    from saleschannel.commerce.shipping.models import Shipment

    assert OutboxMessage.objects.filter(state="sent").count() >= 3
    assert not OutboxMessage.objects.exclude(state="sent").exists()
    assert OrderItem.objects.filter(qty_canceled__gt=0, order__state__in=("new", "processing", "complete")).exists()
    assert AmazonOrder.objects.filter(account=account, store_order__state="canceled").exists()
    assert Shipment.objects.filter(origin="channel").exists()
