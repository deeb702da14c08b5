"""After import: shipments made in Seller Central, and the rest of a partly shipped order canceled
at Amazon (R17, R21)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from saleschannel.channel.outbox.models import OutboxMessage
from saleschannel.channel.outbox.services import amazon_order_ship, outbox_send_due
from saleschannel.channel.services.imports.reconcile import amazon_shipments_reconcile
from saleschannel.commerce.shipping.models import Shipment
from tests.shipping.conftest import ledger, salable, snapshot_take, source_qty

pytestmark = pytest.mark.django_db


def _send(amazon):
    return outbox_send_due(now=amazon.clock.now(), client_factory=amazon.factory, clock=amazon.clock)


def test_r21_shipment_made_in_seller_central_is_recorded_and_never_sent_back(imported, amazon, enabled_account):
    ao, order = imported()
    amazon.clock.advance(3600)
    amazon.app.change_status(ao.amazon_order_id, "SHIPPED")  # Seller Central shipped it all, in one package
    [package] = amazon.packages(ao.amazon_order_id)

    snapshot_take(enabled_account, amazon, ao.amazon_order_id)

    order.refresh_from_db()
    assert order.state == "complete"
    [shipment] = order.shipments.all()
    assert shipment.origin == "channel" and shipment.external_ref == package["packageReferenceId"]
    assert shipment.tracking_number == package["trackingNumber"] and shipment.carrier_code == package["carrier"]
    assert sorted((i.sku, i.qty) for i in shipment.items.all()) == [("SKU-A", 2), ("SKU-B", 1)]
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 4)
    assert ledger(order) == {"SKU-A": 0, "SKU-B": 0}
    assert (salable("SKU-A"), salable("SKU-B")) == (8, 4)
    assert not OutboxMessage.objects.exists()
    assert _send(amazon) == 0 and amazon.app.calls()["operations"]["confirmShipment"] == 0

    # The same snapshot, or the reconciliation run again, records nothing more.
    stored = snapshot_take(enabled_account, amazon, ao.amazon_order_id)
    assert amazon_shipments_reconcile(amazon_order=stored) == 0
    assert Shipment.objects.count() == 1 and source_qty("SKU-A") == 8


def test_partly_shipped_from_the_store_then_the_rest_from_seller_central(imported, amazon, enabled_account):
    ao, order = imported()
    line_a = order.items.get(sku="SKU-A")
    ours, _ = amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1Z1", lines=[(line_a.pk, 1)],
                                now=amazon.clock.now())
    _send(amazon)
    amazon.clock.advance(3600)
    amazon.app.change_status(ao.amazon_order_id, "SHIPPED")  # the rest, from Seller Central

    snapshot_take(enabled_account, amazon, ao.amazon_order_id)

    order.refresh_from_db()
    assert order.state == "complete"
    theirs = order.shipments.exclude(pk=ours.pk).get()
    assert theirs.origin == "channel"
    assert sorted((i.sku, i.qty) for i in theirs.items.all()) == [("SKU-A", 1), ("SKU-B", 1)]
    assert [(i.sku, i.qty_shipped) for i in order.items.order_by("pk")] == [("SKU-A", 2), ("SKU-B", 1)]
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 4)
    assert ledger(order) == {"SKU-A": 0, "SKU-B": 0}
    assert OutboxMessage.objects.count() == 1


def test_seller_central_package_of_a_sku_the_source_never_held_still_moves_stock(imported, amazon, enabled_account):
    from saleschannel.commerce.inventory.models import Source, SourceItem, StockSourceLink

    ao, order = imported(items=(("SKU-A", 1),))
    # Stock of SKU-A moved to a second source of the stock before the package left.
    second = Source.objects.create(code="east", name="East")
    StockSourceLink.objects.create(stock=StockSourceLink.objects.first().stock, source=second, priority=2)
    SourceItem.objects.filter(sku="SKU-A").update(source=second)
    amazon.app.change_status(ao.amazon_order_id, "SHIPPED")

    snapshot_take(enabled_account, amazon, ao.amazon_order_id)

    shipment = order.shipments.get()
    assert shipment.source.code == "east" and source_qty("SKU-A", "east") == 9
    assert ledger(order) == {"SKU-A": 0}


def test_cancel_the_rest_of_a_partly_shipped_order(imported, amazon, enabled_account):
    ao, order = imported()
    line_a = order.items.get(sku="SKU-A")
    amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1Z1", lines=[(line_a.pk, 2)],
                      now=amazon.clock.now())
    _send(amazon)
    amazon.clock.advance(3600)
    amazon.app.change_status(ao.amazon_order_id, "CANCELLED")  # Amazon cancels what has not shipped

    snapshot_take(enabled_account, amazon, ao.amazon_order_id)

    order.refresh_from_db()
    assert order.state == "complete"
    items = {i.sku: i for i in order.items.all()}
    assert (items["SKU-A"].qty_shipped, items["SKU-A"].qty_canceled) == (2, 0)
    assert (items["SKU-B"].qty_shipped, items["SKU-B"].qty_canceled) == (0, 1)
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 5)
    assert ledger(order) == {"SKU-A": 0, "SKU-B": 0}
    assert (salable("SKU-A"), salable("SKU-B")) == (8, 5)


def test_a_line_amazon_cancels_in_part_is_canceled_in_the_store(imported, amazon, enabled_account):
    from saleschannel.spapi.models import read_order

    ao, order = imported(items=(("SKU-A", 3), ("SKU-B", 1)))
    line_b = order.items.get(sku="SKU-B")
    amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1Z1", lines=[(line_b.pk, 1)],
                      now=amazon.clock.now())
    _send(amazon)
    # Amazon now counts 1 of SKU-A as ordered (2 canceled), and it ships from the store later.
    body = amazon.order(ao.amazon_order_id)
    body["orderItems"][0]["quantityOrdered"] = 1
    body["lastUpdatedTime"] = (amazon.clock.now() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    read_order(body)
    amazon.app.put_order(body)

    snapshot_take(enabled_account, amazon, ao.amazon_order_id)

    order.refresh_from_db()
    line_a = order.items.get(sku="SKU-A")
    assert order.state == "processing" and (line_a.qty_canceled, line_a.qty_shipped) == (2, 0)
    assert ledger(order) == {"SKU-A": Decimal(-1), "SKU-B": 0}
    amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1Z2", now=amazon.clock.now())
    order.refresh_from_db()
    assert order.state == "complete" and ledger(order) == {"SKU-A": 0, "SKU-B": 0}
    assert source_qty("SKU-A") == 9


def test_r17_unshipped_order_canceled_at_amazon_is_canceled_whole(imported, amazon, enabled_account):
    ao, order = imported()
    amazon.app.change_status(ao.amazon_order_id, "CANCELLED")
    snapshot_take(enabled_account, amazon, ao.amazon_order_id)
    order.refresh_from_db()
    assert order.state == "canceled" and not order.shipments.exists()
    assert ledger(order) == {"SKU-A": 0, "SKU-B": 0}
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (10, 5)


def test_fba_orders_are_never_reconciled(imported, amazon, enabled_account):
    ao, _ = imported(status="Shipped", channel="FBA")
    assert amazon_shipments_reconcile(amazon_order=ao) == 0
    assert not Shipment.objects.exists() and source_qty("SKU-A") == 10


def test_units_amazon_reports_shipped_without_package_data_still_move_stock(imported, amazon, enabled_account):
    ao, order = imported()
    body = amazon.order(ao.amazon_order_id)
    body["fulfillment"]["fulfillmentStatus"] = "PARTIALLY_SHIPPED"
    body["orderItems"][0]["fulfillment"] = {"quantityFulfilled": 1, "quantityUnfulfilled": 1}
    body["lastUpdatedTime"] = (amazon.clock.now() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    amazon.app.put_order(body)

    snapshot_take(enabled_account, amazon, ao.amazon_order_id)

    order.refresh_from_db()
    shipment = order.shipments.get()
    assert shipment.origin == "channel" and shipment.carrier_code == "Unknown" and shipment.tracking_number == ""
    assert [(i.sku, i.qty) for i in shipment.items.all()] == [("SKU-A", 1)]
    assert order.state == "processing" and source_qty("SKU-A") == 9
    assert ledger(order) == {"SKU-A": Decimal(-1), "SKU-B": Decimal(-1)}
    stored = snapshot_take(enabled_account, amazon, ao.amazon_order_id)
    assert amazon_shipments_reconcile(amazon_order=stored) == 0 and order.shipments.count() == 1
