"""One row per Amazon order: the database refuses a second one, and recording rides a race for the first.

The unique constraint on (account, Amazon order id) is what makes "nothing twice" hold when two
writers record the same new order at once. The first test holds on both databases (SQLite
included): a second row is refused. The second, on PostgreSQL, makes the race happen for real:
another transaction has inserted the order and not committed yet, so recording finds no row,
inserts, waits on the constraint, meets ``IntegrityError`` when the other commits, and must then
read the row and update it rather than fail or add a second one.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import IntegrityError, connection, connections, transaction

from saleschannel.spapi.models import read_order
from tests.channel.factories import T0, amazon_order, order_dict, with_status

DEADLINE = 60.0  # seconds of real time for a thread to reach the point the test waits for


@pytest.mark.django_db
def test_the_database_refuses_a_second_row_for_one_amazon_order(account):
    from saleschannel.channel.models import AmazonOrder
    from saleschannel.channel.services.imports.importer import amazon_order_record

    stored, created = amazon_order_record(account=account, order=amazon_order(order_id="111-0000001-0000001"),
                                          seen_at=T0)
    assert created
    twin = AmazonOrder.objects.get(pk=stored.pk)
    twin.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save(force_insert=True)
    assert AmazonOrder.objects.filter(account=account, amazon_order_id="111-0000001-0000001").count() == 1


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_recording_that_loses_the_race_for_a_new_order_updates_the_winners_row(account):
    from saleschannel.channel.models import AmazonOrder
    from saleschannel.channel.services.imports.importer import amazon_order_record

    order_id = "111-0000002-0000001"
    first = order_dict(order_id=order_id, updated=T0 + dt.timedelta(days=1))
    newer = with_status(first, "Shipped", at=T0 + dt.timedelta(days=1, hours=1))
    inserted, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def winner() -> None:  # inserts the order and holds its transaction open until told
        try:
            with transaction.atomic():
                results["winner"] = amazon_order_record(account=account, order=read_order(first), seen_at=T0)
                inserted.set()
                release.wait(DEADLINE)
        finally:
            connections.close_all()

    def loser() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                results["loser_pid"] = cursor.fetchone()[0]
            results["loser"] = amazon_order_record(account=account, order=read_order(newer), seen_at=T0)
        except Exception as exc:
            results["loser_error"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=winner)]
    threads[0].start()
    assert inserted.wait(DEADLINE)
    threads.append(threading.Thread(target=loser))
    threads[1].start()
    waited = False
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end and threads[1].is_alive():
        pid = results.get("loser_pid")
        if pid is not None and _waiting_on_a_lock(int(pid)):  # type: ignore[call-overload]
            waited = True
            break
        time.sleep(0.02)
    release.set()
    for thread in threads:
        thread.join(DEADLINE)
        assert not thread.is_alive()

    assert "loser_error" not in results, results.get("loser_error")
    rows = AmazonOrder.objects.filter(account=account, amazon_order_id=order_id)
    assert rows.count() == 1  # one row per Amazon order
    assert waited  # the loser did wait on the constraint: the race happened
    stored, changed = results["loser"]  # type: ignore[misc]
    assert changed and stored.pk == rows.get().pk
    assert rows.get().status == "Shipped"  # the newer snapshot replaced the winner's
