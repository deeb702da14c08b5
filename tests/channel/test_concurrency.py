"""R15 under concurrent workers (PostgreSQL): whatever the timing, one store order per Amazon order."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from saleschannel.commerce.sales.models import Order as StoreOrder
from tests.channel.factories import T0, amazon_order


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r15_two_workers_evaluating_one_order_make_one_store_order_and_one_reservation():
    from saleschannel.channel.services.accounts import account_connect
    from saleschannel.channel.services.imports.importer import amazon_order_evaluate, amazon_order_record
    from saleschannel.channel.services.settings import order_settings_update
    from saleschannel.commerce.catalog.services import product_create
    from saleschannel.commerce.inventory.selectors import open_reservations

    account, _ = account_connect(name="race", seller_id="RACE", marketplace_id="ATVPDKIKX0DER", region="na",
                                 refresh_token="Atzr|x", client_id="cid", client_secret="sec", now=T0)
    order_settings_update(account=account, changes={"import_orders": "enabled"}, now=T0)
    product_create(sku="RACE-SKU", name="Race", price=Decimal(5), qty=3)
    stored, _ = amazon_order_record(account=account, order=amazon_order(items=[("RACE-SKU", 2)]), seen_at=T0)

    barrier = threading.Barrier(4)
    outcomes, failures = [], []

    def worker():
        try:
            barrier.wait()
            outcomes.append(amazon_order_evaluate(amazon_order=stored))
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not failures
    assert StoreOrder.objects.count() == 1
    assert sum(o.created for o in outcomes) == 1
    assert {o.store_order_number for o in outcomes} == {StoreOrder.objects.get().number}
    order = StoreOrder.objects.get()
    assert open_reservations(object_type="order", object_id=str(order.pk)) == {"RACE-SKU": Decimal(-2)}
