"""The store core's locks on PostgreSQL: threads race for the last units and for order numbers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction

from saleschannel.commerce.catalog.services import product_create
from saleschannel.commerce.customers.models import Customer
from saleschannel.commerce.customers.services import customer_get_or_create
from saleschannel.commerce.inventory.errors import InsufficientStock
from saleschannel.commerce.inventory.models import Reservation
from saleschannel.commerce.inventory.selectors import (
    reserved_totals_verify,
    salable_quantity,
    stock_for_store,
)
from saleschannel.commerce.inventory.services import reservation_append
from saleschannel.commerce.sales.services import OrderLine, OrderTotals, order_create, order_number_next
from saleschannel.commerce.stores.selectors import store_default
from saleschannel.commerce.stores.services import stores_init

pytestmark = pytest.mark.django_db(transaction=True)
postgres = pytest.mark.postgres
THREADS = 8


def race(work: Callable[[int], Any], threads: int = THREADS) -> list[Any]:
    """Run ``work(i)`` in threads started together; each closes its own connection. Returns results."""
    barrier = threading.Barrier(threads)
    results: list[Any] = [None] * threads
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    assert not errors, errors
    return results


@pytest.fixture
def last_five():
    stores_init()
    product_create(sku="LAST", name="Last ones", price=Decimal(1), qty=5)
    return stock_for_store(store=store_default())


def _race_for_the_last_five(stock):
    low_water: list[Decimal] = []

    def reserve(i: int) -> bool:
        try:
            ok = reservation_append(stock=stock, lines=[("LAST", Decimal(1))], event_type="order_placed",
                                    object_type="order", object_id=f"t{i}", event_key=f"race:{i}")
        except InsufficientStock:
            ok = False
        low_water.append(salable_quantity(stock=stock, sku="LAST"))
        return ok

    results = race(reserve)
    assert results.count(True) == 5
    assert sum(r.quantity for r in Reservation.objects.filter(sku="LAST")) == -5
    assert salable_quantity(stock=stock, sku="LAST") == 0
    assert min(low_water) >= 0
    assert reserved_totals_verify() == []


@postgres
def test_eight_threads_reserve_the_last_five_units_exactly_once_each(last_five):
    _race_for_the_last_five(last_five)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own form of the race")
def test_sqlite_serializes_eight_writers_for_the_last_five_units(last_five):
    _race_for_the_last_five(last_five)


@postgres
def test_a_replayed_event_racing_itself_reserves_once(last_five):
    stock = last_five

    def reserve(i: int) -> bool:
        return reservation_append(stock=stock, lines=[("LAST", Decimal(1))], event_type="order_placed",
                                  object_type="order", object_id="same", event_key="race:same")

    assert race(reserve).count(True) == 1
    assert salable_quantity(stock=stock, sku="LAST") == 4


@postgres
def test_eight_writers_never_get_one_order_number_twice(last_five):
    store = store_default()

    def take_numbers(i: int) -> list[str]:
        numbers = []
        for _ in range(5):
            with transaction.atomic():
                number = order_number_next(store=store)
                order_create(store=store, number=number, lines=[OrderLine(sku="X", name="X", qty=Decimal(1),
                             price=Decimal(1))], email="b@example.com", firstname="", lastname="",
                             currency="USD", totals=OrderTotals())
            numbers.append(number)
        return numbers

    numbers = [n for batch in race(take_numbers) for n in batch]
    assert len(numbers) == len(set(numbers)) == THREADS * 5
    assert sorted(numbers) == [f"{n:09d}" for n in range(1, THREADS * 5 + 1)]


@postgres
def test_concurrent_buyers_with_one_email_make_one_customer(last_five):
    website = store_default().website

    def create(i: int) -> int:
        email = "Buyer@Example.com" if i % 2 else "buyer@example.COM"
        return customer_get_or_create(website=website, email=email, firstname="B", lastname=str(i))[0].pk

    assert len(set(race(create))) == 1
    assert Customer.objects.count() == 1
