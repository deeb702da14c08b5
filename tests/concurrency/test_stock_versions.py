"""T5's marks under concurrency, on PostgreSQL: source sets, shipments and reservations of the same
SKUs on two stocks that share a source take their locks in one order (no deadlock), and each
write adds exactly one to each (stock, SKU) version it can move."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saleschannel.commerce.catalog.services import product_create
from saleschannel.commerce.inventory.models import ReservationLock, Source, Stock, StockSourceLink
from saleschannel.commerce.inventory.selectors import reserved_totals_verify, stock_for_store
from saleschannel.commerce.inventory.services import reservation_append, shipment_deduct, source_item_set
from saleschannel.commerce.stores.selectors import store_default
from saleschannel.commerce.stores.services import stores_init
from tests.concurrency.test_commerce_concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def versions() -> dict[tuple[int, str], int]:
    return {(row.stock_id, row.sku): row.version for row in ReservationLock.objects.all()}


def test_t5_concurrent_writers_on_shared_sources_never_deadlock_and_count_every_change():
    stores_init()
    first = stock_for_store(store=store_default())
    second = Stock.objects.create(name="Second")
    StockSourceLink.objects.create(stock=second, source=Source.objects.get(code="default"))
    for sku in ("X", "Y"):
        product_create(sku=sku, name=sku, price=Decimal(1), qty=1000)
    before = versions()

    def work(i: int) -> None:
        kind = i % 4
        if kind == 0:
            source_item_set(source=None, sku="X", quantity=900 + i)
        elif kind == 1:
            source_item_set(source=None, sku="Y", quantity=900 + i)
        elif kind == 2:
            shipment_deduct(stock=first, source=None, object_type="order", object_id=f"s{i}",
                            lines=[("Y", Decimal(1)), ("X", Decimal(1))], event_key=f"ship:{i}")
        else:
            reservation_append(stock=second, lines=[("Y", Decimal(1)), ("X", Decimal(1))], event_type="order_placed",
                               object_type="order", object_id=f"r{i}", event_key=f"reserve:{i}")

    race(work)
    after = versions()
    moved = {key: after[key] - before.get(key, 0) for key in after}
    assert moved == {(first.pk, "X"): 4, (first.pk, "Y"): 4, (second.pk, "X"): 6, (second.pk, "Y"): 6}
    assert reserved_totals_verify() == []
