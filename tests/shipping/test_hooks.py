"""The worker loop sends the outbox each turn, and a newer snapshot of an imported order is reconciled
by the importer itself (the hooks of the shipments issue)."""

from __future__ import annotations

import pytest

from saleschannel.channel.outbox.services import amazon_order_ship
from saleschannel.channel.services.sync.scheduler import SyncPolicy
from saleschannel.workers.loop import Worker
from tests.shipping.conftest import ledger, source_qty

pytestmark = pytest.mark.django_db


def test_the_worker_sends_due_confirmations_and_reads_them_back(imported, amazon):
    _, order = imported()
    shipment, message = amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1Z1",
                                          now=amazon.clock.now())
    worker = Worker(clock=amazon.clock, policy=SyncPolicy(), client_factory=amazon.factory, holder="w1")
    assert worker.tick()
    message.refresh_from_db()
    assert message.state == "sent" and amazon.recorder.accepted(str(shipment.pk)) == 1
    amazon.clock.advance(60)
    worker.tick()  # the next cycle reads the order back from Amazon: the package is the store's own
    order.refresh_from_db()
    assert order.shipments.count() == 1 and order.state == "complete"
    assert source_qty("SKU-A") == 8 and ledger(order) == {"SKU-A": 0, "SKU-B": 0}
    assert amazon.recorder.tried(str(shipment.pk)) == 1


def test_the_importer_reconciles_a_newer_snapshot_of_an_imported_order(imported, amazon, enabled_account):
    from saleschannel.channel.services.imports.importer import amazon_order_evaluate, amazon_order_record
    from saleschannel.spapi.models import read_order

    ao, order = imported()
    amazon.clock.advance(3600)
    amazon.app.change_status(ao.amazon_order_id, "SHIPPED")  # shipped from Seller Central
    stored, changed = amazon_order_record(account=enabled_account, order=read_order(amazon.order(ao.amazon_order_id)),
                                          seen_at=amazon.clock.now())
    assert changed
    amazon_order_evaluate(amazon_order=stored)
    order.refresh_from_db()
    assert order.state == "complete" and order.shipments.get().origin == "channel"
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 4) and ledger(order) == {"SKU-A": 0, "SKU-B": 0}
