"""Two senders and two shippers at once, on PostgreSQL: each message goes to Amazon once, each unit ships once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from saleschannel.channel.outbox.models import OutboxMessage
from saleschannel.channel.outbox.services import amazon_order_ship, outbox_send_due
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.shipping.models import Shipment
from tests.shipping.conftest import ledger, source_qty

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _together(*work):
    """Run the callables at once, each in its own thread with its own connection; return their results."""
    barrier = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)

    def run(n):
        try:
            barrier.wait()
            results[n] = work[n]()
        except Exception as exc:  # the test looks at what each one got
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(work))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_senders_take_different_messages_and_send_each_once(imported, amazon):
    messages = []
    for _ in range(6):
        _, order = imported(items=(("SKU-A", 1),))
        messages.append(amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1Z",
                                          now=amazon.clock.now())[1])

    def sender():
        return outbox_send_due(now=amazon.clock.now(), limit=6, client_factory=amazon.factory, clock=amazon.clock)

    tried = _together(sender, sender)
    assert sum(tried) == 6, tried
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"sent"}
    per_package = Counter(ref for ref, status in amazon.recorder.confirms if status == 204)
    assert sorted(per_package) == sorted(m.package_reference_id for m in messages)
    assert set(per_package.values()) == {1}


def test_two_shipments_of_the_same_units_at_once_ship_them_once(imported):
    _, order = imported()
    line_a = order.items.get(sku="SKU-A")

    def ship():
        return amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1Z", lines=[(line_a.pk, 2)])

    results = _together(ship, ship)
    assert sum(isinstance(r, InvalidInput) for r in results) == 1, results
    assert Shipment.objects.count() == 1 and OutboxMessage.objects.count() == 1
    assert source_qty("SKU-A") == 8 and ledger(order)["SKU-A"] == 0
