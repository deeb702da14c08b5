"""What is due and what to send (T3, T4, T5, T6, T11, C43), through push_plan and the recording services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from saleschannel.channel.models import AmazonOrder
from saleschannel.channel.services.settings import order_settings_update
from saleschannel.channel.stock.models import Offer, StockPush
from saleschannel.channel.stock.rules import Direction
from saleschannel.channel.stock.selectors import discovery_batches, in_flight_units, push_plan
from saleschannel.channel.stock.services import (
    offer_push_record,
    offer_quantity_seen,
    offer_retry,
    offers_drift_mark,
    offers_due_from_amazon_orders,
    offers_not_found,
    offers_settle,
    stock_pushes_cleanup,
    stock_settings_update,
)
from saleschannel.commerce.catalog.services import product_create, product_update
from saleschannel.commerce.inventory.models import Source, Stock, StockSourceLink, StockWebsite
from saleschannel.commerce.inventory.selectors import stock_for_store
from saleschannel.commerce.inventory.services import reservation_append, source_item_set
from saleschannel.commerce.sales.services import order_create, order_reserve
from saleschannel.commerce.sales.types import OrderLine, OrderTotals
from saleschannel.commerce.stores.selectors import store_default
from saleschannel.commerce.stores.services import store_create
from tests.channel.conftest import make_product, record_and_evaluate
from tests.channel.factories import T0, amazon_order

pytestmark = pytest.mark.django_db
D = Decimal


def quantities(plan):
    return {p.sku: p.quantity for p in plan.pushes}


def accept(account, plan):
    for push in plan.pushes:
        offer_push_record(account=account, push=push, method="patch", outcome="accepted", now=T0)
    offers_settle(account=account, settled=plan.settled)


def test_t3_t5_a_learned_mfn_offer_is_due_with_the_salable_quantity(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    plan = push_plan(account=pushing_account)
    assert quantities(plan) == {"MUG": 7}
    assert plan.pushes[0].product_type == "PRODUCT" and plan.pushes[0].reason == "listing discovered"


def test_t5_an_accepted_push_is_not_due_until_the_stock_moves(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    accept(pushing_account, push_plan(account=pushing_account))
    assert push_plan(account=pushing_account).pushes == []
    source_item_set(source=None, sku="MUG", quantity=4)
    plan = push_plan(account=pushing_account)
    assert quantities(plan) == {"MUG": 4}
    assert plan.pushes[0].reason == "stock set"
    assert Offer.objects.get(sku="MUG").last_accepted_quantity == 7


def test_t5_a_desired_quantity_equal_to_the_last_accepted_is_not_pushed(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    accept(pushing_account, push_plan(account=pushing_account))
    source_item_set(source=None, sku="MUG", quantity=9)
    source_item_set(source=None, sku="MUG", quantity=7)
    plan = push_plan(account=pushing_account)
    assert plan.pushes == [] and [s.desired for s in plan.settled] == [7]
    offers_settle(account=pushing_account, settled=plan.settled)
    assert push_plan(account=pushing_account).settled == []  # looked at once


def test_t5_a_reservation_of_another_channel_makes_the_offer_due(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    accept(pushing_account, push_plan(account=pushing_account))
    stock = stock_for_store(store=store_default())
    reservation_append(stock=stock, lines=[("MUG", Decimal(2))], event_type="order_placed", object_type="order",
                       object_id="000000123", event_key="web-123")
    plan = push_plan(account=pushing_account)
    assert quantities(plan) == {"MUG": 5} and plan.pushes[0].reason == "reserved by order 000000123"


def test_t13_a_store_order_is_named_by_its_number(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    accept(pushing_account, push_plan(account=pushing_account))
    order = order_create(store=store_default(), number="000000042", currency="USD", email="b@example.com",
                 firstname="B", lastname="Buyer", lines=[OrderLine(sku="MUG", name="Mug", qty=D(2), price=D(10))],
                 totals=OrderTotals(subtotal=D(20), grand_total=D(20)))
    order_reserve(order=order)
    plan = push_plan(account=pushing_account)
    assert quantities(plan) == {"MUG": 5} and plan.pushes[0].reason == "reserved by order 000000042"


def test_t5_a_product_change_makes_the_offer_due(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    accept(pushing_account, push_plan(account=pushing_account))
    product_update(sku="MUG", enabled=False)
    plan = push_plan(account=pushing_account)
    assert quantities(plan) == {"MUG": 0} and plan.pushes[0].reason == "stock changed"
    product_update(sku="MUG", enabled=True, manage_stock=False)
    assert quantities(push_plan(account=pushing_account)) == {"MUG": 100}


def test_t5_a_setting_changed_marks_every_offer_due(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    accept(pushing_account, push_plan(account=pushing_account))
    stock_settings_update(account=pushing_account, changes={"max_listed_quantity": 5})
    plan = push_plan(account=pushing_account)
    assert quantities(plan) == {"MUG": 5} and plan.pushes[0].reason == "setting changed"


def test_t3_fba_offers_and_skus_not_in_the_store_are_never_pushed(pushing_account, offer_of):
    make_product("FBA-ONLY", qty=7)
    offer_of("FBA-ONLY", AMAZON_NA=4)
    offer_of("NOT-IN-STORE", 2)
    plan = push_plan(account=pushing_account)
    assert plan.pushes == [] and plan.settled == []
    assert Offer.objects.get(sku="FBA-ONLY").state == Offer.State.FBA


def test_t4_2_a_placeholder_is_left_alone(pushing_account, offer_of):
    product_create(sku="PH", name="Placeholder", price=1, manage_stock=False, enabled=False)
    offer_of("PH", 4)
    plan = push_plan(account=pushing_account)
    assert plan.pushes == [] and plan.settled[0].left_alone
    offers_settle(account=pushing_account, settled=plan.settled)
    assert Offer.objects.get(sku="PH").state == Offer.State.LEFT_ALONE


def test_t1_t16_nothing_is_planned_while_push_is_disabled_or_paused(pushing_account, offer_of, monkeypatch):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    monkeypatch.setenv("SALESCHANNEL_PUSH_PAUSED", "1")
    plan = push_plan(account=pushing_account)
    assert not plan.state.active and plan.pushes == []
    monkeypatch.delenv("SALESCHANNEL_PUSH_PAUSED")
    stock_settings_update(account=pushing_account, changes={"push_stock": "disabled"})
    assert push_plan(account=pushing_account).pushes == []
    stock_settings_update(account=pushing_account, changes={"push_stock": "enabled"})
    assert quantities(push_plan(account=pushing_account)) == {"MUG": 7}  # T16: due offers stayed due


def test_t6_the_plan_goes_to_zero_first_then_decreases_then_increases(pushing_account, offer_of):
    for sku, qty, on_amazon in [("UP", 9, 5), ("DOWN", 2, 5), ("ZERO", 0, 5)]:
        make_product(sku, qty=qty)
        offer_of(sku, on_amazon)
    plan = push_plan(account=pushing_account)
    assert [(p.sku, p.direction) for p in plan.pushes] == [
        ("ZERO", Direction.TO_ZERO), ("DOWN", Direction.DECREASE), ("UP", Direction.INCREASE)]


def pending_order(account, sku, qty, order_id):
    record_and_evaluate(account, amazon_order(order_id=order_id, status="Pending", items=[(sku, qty)]))


def test_t4_4_units_of_pending_orders_without_reservation_are_in_flight(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 7)
    pending_order(pushing_account, "MUG", 2, "111-0000001-0000001")
    assert in_flight_units(account=pushing_account) == {"MUG": 2}
    assert in_flight_units(account=pushing_account, skus=["MUG"]) == {"MUG": 2}
    assert in_flight_units(account=pushing_account, skus=["CUP"]) == {}
    many = [f"OTHER-{n}" for n in range(60)]
    assert in_flight_units(account=pushing_account, skus=[*many, "MUG"]) == {"MUG": 2}
    assert in_flight_units(account=pushing_account, skus=many) == {}
    assert quantities(push_plan(account=pushing_account)) == {"MUG": 5}


def test_c43_a_pending_reservation_is_not_counted_twice(enabled_account, enable, offer_of):
    enable(pending_orders="reserve")
    make_product("MUG", qty=7)
    offer_of("MUG", 7)
    pending_order(enabled_account, "MUG", 2, "111-0000002-0000001")
    assert AmazonOrder.objects.get().holds_pending_reservation
    assert in_flight_units(account=enabled_account) == {}
    assert quantities(push_plan(account=enabled_account)) == {"MUG": 5}


def test_t5_an_amazon_order_seen_marks_its_offers_due(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 7)
    accept(pushing_account, push_plan(account=pushing_account))
    pending_order(pushing_account, "MUG", 2, "111-0000003-0000001")
    # The recording marked it due in its own transaction, though the stock did not move.
    plan = push_plan(account=pushing_account)
    assert quantities(plan) == {"MUG": 5} and plan.pushes[0].reason == "Amazon order 111-0000003-0000001 seen"
    assert offers_due_from_amazon_orders(account=pushing_account) == 1  # the pusher's sweep, for any missed
    assert offers_due_from_amazon_orders(account=pushing_account) == 0  # each order marks once


def test_t11_one_version_is_recorded_once_and_a_retry_adds_an_attempt(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    push = push_plan(account=pushing_account).pushes[0]
    offer_push_record(account=pushing_account, push=push, method="patch", outcome="retry", now=T0)
    assert push_plan(account=pushing_account).pushes == [push]  # still due
    offer_push_record(account=pushing_account, push=push, method="patch", outcome="accepted", now=T0)
    row = StockPush.objects.get()
    assert (row.attempts, row.outcome, row.quantity, row.reason) == (2, "accepted", 7, "listing discovered")
    offer = Offer.objects.get()
    assert (offer.state, offer.last_accepted_quantity, offer.last_accepted_version) == ("in_sync", 7, push.stock_version)


def test_t11_an_invalid_push_waits_for_a_retry_or_another_quantity(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    push = push_plan(account=pushing_account).pushes[0]
    issue = {"code": "90220", "message": "quantity is invalid", "severity": "ERROR",
             "attributeNames": ["fulfillment_availability"]}
    offer_push_record(account=pushing_account, push=push, method="patch", outcome="invalid", issues=[issue], now=T0)
    offer = Offer.objects.get()
    assert (offer.state, offer.error_code, offer.error_attributes) == ("error", "90220", ["fulfillment_availability"])
    source_item_set(source=None, sku="MUG", quantity=9)
    source_item_set(source=None, sku="MUG", quantity=7)  # moved, but to the refused quantity again
    assert push_plan(account=pushing_account).pushes == []
    offer_retry(offer=offer)
    plan = push_plan(account=pushing_account)
    assert quantities(plan) == {"MUG": 7} and plan.pushes[0].reason == "retried by the merchant"
    source_item_set(source=None, sku="MUG", quantity=6)
    assert quantities(push_plan(account=pushing_account)) == {"MUG": 6}


def test_t12_amazon_showing_another_quantity_is_drift_and_pushed_again(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    accept(pushing_account, push_plan(account=pushing_account))
    offer_of("MUG", 40)  # typed into Seller Central
    plan = push_plan(account=pushing_account)
    assert quantities(plan) == {"MUG": 7} and plan.pushes[0].reason == "drift"
    assert Offer.objects.get().state == Offer.State.DRIFT


def test_t5_push_plan_reads_a_fixed_number_of_queries(pushing_account, offer_of, django_assert_max_num_queries):
    for n in range(30):
        make_product(f"SKU-{n:02d}", qty=n)
        offer_of(f"SKU-{n:02d}", 1)
    with django_assert_max_num_queries(9):
        plan = push_plan(account=pushing_account)
    assert len(plan.pushes) == 29 and len(plan.settled) == 1


def test_t13_words_of_store_changes_cost_a_fixed_number_of_queries(pushing_account, offer_of,
                                                                   django_assert_max_num_queries):
    stock = stock_for_store(store=store_default())
    for n in range(20):
        make_product(f"SKU-{n:02d}", qty=50)
        offer_of(f"SKU-{n:02d}", 1)
    accept(pushing_account, push_plan(account=pushing_account))
    for n in range(20):
        if n % 2:
            source_item_set(source=None, sku=f"SKU-{n:02d}", quantity=10)
        else:
            reservation_append(stock=stock, lines=[(f"SKU-{n:02d}", D(1))], event_type="order_placed",
                               object_type="order", object_id=str(1000 + n), event_key=f"k{n}")
    with django_assert_max_num_queries(12):
        plan = push_plan(account=pushing_account)
    reasons = {p.sku: p.reason for p in plan.pushes}
    assert reasons["SKU-01"] == "stock set" and reasons["SKU-02"] == "reserved by order 1002"


def test_t13_push_records_are_kept_90_days(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    push = push_plan(account=pushing_account).pushes[0]
    offer_push_record(account=pushing_account, push=push, method="patch", outcome="accepted", now=T0)
    assert stock_pushes_cleanup(now=T0 + dt.timedelta(days=90)) == 0
    assert stock_pushes_cleanup(now=T0 + dt.timedelta(days=90, seconds=1)) == 1
    assert not StockPush.objects.exists()
    assert Offer.objects.get().last_accepted_quantity == 7


def test_t5_a_new_target_store_makes_every_offer_due_on_its_stock(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    for _ in range(5):
        source_item_set(source=None, sku="MUG", quantity=7)  # the old stock's version runs ahead
    accept(pushing_account, push_plan(account=pushing_account))
    other = store_create(code="de", name="DE")
    second = Stock.objects.create(name="Second")
    StockWebsite.objects.filter(website=other.website).delete()
    StockWebsite.objects.create(stock=second, website=other.website)
    order_settings_update(account=pushing_account, changes={"store": "de"})
    plan = push_plan(account=pushing_account)
    assert quantities(plan) == {"MUG": 0} and plan.pushes[0].reason == "setting changed"
    accept(pushing_account, plan)
    source_item_set(source=None, sku="MUG", quantity=7)  # the default source feeds only the old stock
    assert push_plan(account=pushing_account).pushes == []
    StockSourceLink.objects.create(stock=second, source=Source.objects.get(code="default"))
    source_item_set(source=None, sku="MUG", quantity=4)
    assert quantities(push_plan(account=pushing_account)) == {"MUG": 4}


def test_t12_a_notified_quantity_becomes_drift_only_after_a_cycle(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    plan = push_plan(account=pushing_account)
    offer_push_record(account=pushing_account, push=plan.pushes[0], method="patch", outcome="accepted", now=T0)
    seen = T0 + dt.timedelta(minutes=1)
    offer_quantity_seen(account=pushing_account, sku="MUG", quantity=40, now=seen)
    assert offers_drift_mark(account=pushing_account, now=seen + dt.timedelta(minutes=1)) == 0
    assert push_plan(account=pushing_account).pushes == []
    assert offers_drift_mark(account=pushing_account, now=seen + dt.timedelta(minutes=6)) == 1
    plan = push_plan(account=pushing_account)
    assert quantities(plan) == {"MUG": 7} and plan.pushes[0].reason == "drift"
    offer_push_record(account=pushing_account, push=plan.pushes[0], method="patch", outcome="accepted",
                      now=seen + dt.timedelta(minutes=7))
    assert Offer.objects.get().state == Offer.State.IN_SYNC
    assert offers_drift_mark(account=pushing_account, now=seen + dt.timedelta(minutes=20)) == 0


def test_t12_a_push_after_the_notice_is_no_drift(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    offer_push_record(account=pushing_account, push=push_plan(account=pushing_account).pushes[0], method="patch",
                      outcome="accepted", now=T0)
    offer_quantity_seen(account=pushing_account, sku="MUG", quantity=5, now=T0 + dt.timedelta(minutes=1))
    source_item_set(source=None, sku="MUG", quantity=5)  # the Amazon order arrives: the store follows
    push = push_plan(account=pushing_account).pushes[0]
    offer_push_record(account=pushing_account, push=push, method="patch", outcome="accepted",
                      now=T0 + dt.timedelta(minutes=2))
    assert offers_drift_mark(account=pushing_account, now=T0 + dt.timedelta(minutes=30)) == 0


def test_c48_a_notified_sku_that_is_no_store_product_is_not_in_store(pushing_account):
    offer = offer_quantity_seen(account=pushing_account, sku="STRANGER", quantity=3, now=T0)
    assert (offer.state, offer.mfn, offer.amazon_quantity) == ("not_in_store", True, 3)
    assert push_plan(account=pushing_account).pushes == []


def test_t3_discovery_asks_for_the_store_skus_20_per_call(store_defaults):
    for n in range(45):
        make_product(f"SKU-{n:02d}", qty=1)
    batches = discovery_batches()
    assert [len(b) for b in batches] == [20, 20, 5] and batches[0][0] == "SKU-00"
    assert discovery_batches(skus=["B", "A", "A"]) == [["A", "B"]]


def test_t3_a_listing_amazon_no_longer_has_is_not_on_amazon(pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 3)
    assert offers_not_found(account=pushing_account, skus=["MUG", "OTHER"]) == 1
    assert Offer.objects.get(sku="MUG").state == Offer.State.NOT_ON_AMAZON
    # A SKU searched for the first time is kept too, so that it is not searched for every cycle.
    assert Offer.objects.get(sku="OTHER").state == Offer.State.NOT_ON_AMAZON
    assert push_plan(account=pushing_account).pushes == []


def test_t5_an_amazon_order_marks_its_offers_due_from_the_time_it_was_seen(pushing_account, offer_of):
    from saleschannel.channel.services.imports.importer import amazon_order_record

    make_product("MUG", qty=7)
    offer_of("MUG", 7)
    accept(pushing_account, push_plan(account=pushing_account))
    seen = T0 + dt.timedelta(days=3)
    amazon_order_record(account=pushing_account, order=amazon_order(order_id="111-0000004-0000001", status="Pending",
                                                                     items=[("MUG", 2)]), seen_at=seen)
    offer = Offer.objects.get(account=pushing_account, sku="MUG")
    assert offer.due_since == seen and offer.due_reason == "Amazon order 111-0000004-0000001 seen"
