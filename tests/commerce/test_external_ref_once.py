"""At most one store order per external reference (an Amazon order): the database's guard.

``order_create`` looks for an order with the same (channel, account, external id) before it
inserts, but two writers can both look before either inserts; then only the unique constraint
stops the second. The first test holds on both databases: the database refuses a second order
with the reference. The second, on PostgreSQL, makes the race happen for real: another
transaction has created the order and not committed, so the check finds nothing; the insert
waits on the constraint and, when the other commits, ends in ``ExternalRefTaken``.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction

from saleschannel.commerce.sales.errors import ExternalRefTaken
from saleschannel.commerce.sales.models import Order
from saleschannel.commerce.sales.services import OrderLine, OrderTotals, order_create, order_number_next
from saleschannel.commerce.sales.types import ExternalRef

DEADLINE = 60.0  # seconds of real time for a thread to reach the point the test waits for
REF = ExternalRef("amazon", "1", "111-0000003-0000001")


def create(store, external=REF):
    return order_create(store=store, number=order_number_next(store=store),
                        lines=[OrderLine(sku="S", name="S", qty=Decimal(1), price=Decimal(1))],
                        email="b@example.com", firstname="", lastname="", currency="USD", totals=OrderTotals(),
                        external=external)


@pytest.mark.django_db
def test_the_database_refuses_a_second_order_with_one_external_reference(store_defaults):
    first = create(store_defaults)
    twin = Order.objects.get(pk=first.pk)
    twin.pk, twin.number = None, "twin-number"
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save(force_insert=True)
    assert Order.objects.filter(external_id=REF.external_id).count() == 1


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_order_created_while_the_first_is_uncommitted_is_refused(store_defaults):
    created, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first() -> None:  # creates the order and keeps its transaction open until told
        try:
            with transaction.atomic():
                results["first"] = create(store_defaults)
                created.set()
                release.wait(DEADLINE)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                results["second_pid"] = cursor.fetchone()[0]
            results["second"] = create(store_defaults)
        except Exception as exc:
            results["second_error"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first)]
    threads[0].start()
    assert created.wait(DEADLINE)
    threads.append(threading.Thread(target=second))
    threads[1].start()
    waited = False
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end and threads[1].is_alive():
        pid = results.get("second_pid")
        if pid is not None and _waiting_on_a_lock(int(pid)):  # type: ignore[call-overload]
            waited = True
            break
        time.sleep(0.02)
    release.set()
    for thread in threads:
        thread.join(DEADLINE)
        assert not thread.is_alive()

    assert Order.objects.filter(external_id=REF.external_id).count() == 1  # one store order
    assert isinstance(results.get("second_error"), ExternalRefTaken), results
    assert waited  # the second did wait on the constraint: the race happened
