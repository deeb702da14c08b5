"""The order's life after the first snapshot (#16): packages Amazon lists when the store first sees
an order (C30), lines Amazon cancels before shipping (C32), and a pending reservation Amazon
shrank before creation (C35). The ledger stays whole in each."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saleschannel.channel.outbox.models import OutboxMessage
from saleschannel.channel.outbox.services import amazon_order_ship, outbox_send_due
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.inventory.selectors import reserved_totals_verify
from saleschannel.spapi.models import read_order
from tests.channel.conftest import record_and_evaluate
from tests.channel.factories import order_dict
from tests.shipping.conftest import ledger, salable, snapshot_take, source_qty
from tests.sync.helpers import expected_reservations, reservations_balance

pytestmark = pytest.mark.django_db


def _send(amazon):
    return outbox_send_due(now=amazon.clock.now(), client_factory=amazon.factory, clock=amazon.clock)


def _whole():
    assert reserved_totals_verify() == []
    assert reservations_balance() == expected_reservations()


def _seller_central_ships(amazon, order_id, items):
    amazon.app.confirm_package(order_id, {
        "packageReferenceId": "SC-1", "carrierCode": "UPS", "trackingNumber": "1ZSC",
        "shipDate": amazon.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "orderItems": [{"orderItemId": f"{order_id}-{n}", "quantity": qty} for n, qty in items],
    })


def test_c30_order_first_seen_shipped_gets_amazons_packages_and_is_never_confirmed_again(
        enabled_account, stocked, amazon):
    body = order_dict(items=[("SKU-A", 2), ("SKU-B", 1)], status="Unshipped")
    amazon.app.put_order(body)
    amazon.app.change_status(body["orderId"], "SHIPPED")  # shipped from Seller Central before the first sync

    stored, outcome = record_and_evaluate(enabled_account, read_order(amazon.order(body["orderId"])))

    assert outcome.imported
    order = stored.store_order
    order.refresh_from_db()
    assert order.state == "complete"
    [shipment] = order.shipments.all()
    assert shipment.origin == "channel"
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 4)
    assert ledger(order) == {"SKU-A": 0, "SKU-B": 0}
    assert (salable("SKU-A"), salable("SKU-B")) == (8, 4)
    assert not OutboxMessage.objects.exists()
    with pytest.raises(InvalidInput):
        amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1Z9", now=amazon.clock.now())
    _whole()


def test_c30_partially_shipped_order_offers_only_what_is_left(enabled_account, stocked, amazon):
    body = order_dict(items=[("SKU-A", 2), ("SKU-B", 1)], status="Unshipped")
    amazon.app.put_order(body)
    _seller_central_ships(amazon, body["orderId"], [(1, 2)])  # both units of SKU-A left from Seller Central

    stored, outcome = record_and_evaluate(enabled_account, read_order(amazon.order(body["orderId"])))

    assert outcome.imported
    order = stored.store_order
    order.refresh_from_db()
    assert order.state == "processing"
    assert [(i.sku, i.qty_shipped) for i in order.items.order_by("pk")] == [("SKU-A", 2), ("SKU-B", 0)]
    assert source_qty("SKU-A") == 8 and ledger(order) == {"SKU-A": 0, "SKU-B": Decimal(-1)}
    shipment, message = amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1Z2",
                                          now=amazon.clock.now())
    assert [(i.sku, i.qty) for i in shipment.items.all()] == [("SKU-B", 1)]
    assert _send(amazon) == 1
    message.refresh_from_db()
    assert message.state == "sent"
    assert amazon.order(body["orderId"])["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert len(amazon.packages(body["orderId"])) == 2
    order.refresh_from_db()
    assert order.state == "complete" and ledger(order) == {"SKU-A": 0, "SKU-B": 0}
    _whole()


def test_c30_hand_import_of_a_shipped_order_records_its_packages(account, enable, stocked, amazon):
    body = order_dict(items=[("SKU-A", 1)], status="Unshipped")
    amazon.app.put_order(body)
    amazon.app.change_status(body["orderId"], "SHIPPED")
    record_and_evaluate(account, read_order(amazon.order(body["orderId"])))  # seen while import was disabled
    enable()
    from saleschannel.channel.services.imports.importer import amazon_order_import_by_hand

    outcome = amazon_order_import_by_hand(account=account, amazon_order_id=body["orderId"])

    assert outcome.imported
    from saleschannel.commerce.sales.models import Order

    order = Order.objects.get(number=outcome.store_order_number)
    assert order.state == "complete" and order.shipments.count() == 1 and source_qty("SKU-A") == 9
    assert ledger(order) == {"SKU-A": 0}
    _whole()


def test_c32_line_canceled_while_unshipped_is_canceled_in_the_store(imported, amazon, enabled_account):
    ao, order = imported(items=(("SKU-A", 2), ("SKU-B", 1)))
    amazon.clock.advance(3600)
    amazon.app.cancel_line(ao.amazon_order_id)  # the buyer cancels SKU-B, the order stays Unshipped

    snapshot_take(enabled_account, amazon, ao.amazon_order_id)

    order.refresh_from_db()
    items = {i.sku: i for i in order.items.all()}
    assert (items["SKU-B"].qty_canceled, items["SKU-B"].qty_shipped) == (1, 0)
    assert ledger(order) == {"SKU-A": Decimal(-2), "SKU-B": 0}
    assert salable("SKU-B") == 5
    assert order.history.filter(comment__contains="Canceled at Amazon").exists()
    shipment, _ = amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1Z1", now=amazon.clock.now())
    assert [(i.sku, i.qty) for i in shipment.items.all()] == [("SKU-A", 2)]
    assert _send(amazon) == 1
    assert amazon.order(ao.amazon_order_id)["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    order.refresh_from_db()
    assert order.state == "complete" and ledger(order) == {"SKU-A": 0, "SKU-B": 0}
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 5)
    _whole()
