"""What each setting and rule does to an imported order (R1, R4–R6, R9–R18, R20, R21)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from saleschannel.channel.errors import ImportRefused
from saleschannel.channel.models import AmazonOrder, AmazonStatusEvent, ImportAttempt
from saleschannel.channel.services.imports.importer import (
    RETRY_DELAYS,
    amazon_order_evaluate,
    amazon_order_import_by_hand,
    amazon_order_record,
    errored_orders_retry,
    waiting_orders_evaluate,
)
from saleschannel.channel.services.settings import order_settings_update
from saleschannel.commerce.catalog.models import Product
from saleschannel.commerce.customers.models import Customer
from saleschannel.commerce.sales.models import Order as StoreOrder
from saleschannel.spapi.models import read_order
from tests.channel.conftest import make_product, record_and_evaluate, reservations_of
from tests.channel.factories import T0, amazon_order, order_dict, with_status

pytestmark = pytest.mark.django_db
LATER = T0 + dt.timedelta(days=3)


# --- R1, R4, R5, R6 ---------------------------------------------------------------------------


def test_r1_import_disabled_creates_nothing_and_says_so(account):
    stored, _outcome = record_and_evaluate(account, amazon_order(items=[("NEW-SKU", 1)]))
    assert stored.import_state == "not_importable"
    assert stored.reason == "not imported: import disabled"
    assert not StoreOrder.objects.exists()
    assert not Product.objects.filter(sku="NEW-SKU").exists()
    assert not Customer.objects.exists()


def test_r4_order_placed_before_integration_never_imports(enabled_account):
    stored, _ = record_and_evaluate(enabled_account, amazon_order(created=T0 - dt.timedelta(minutes=1),
                                                                  updated=T0 + dt.timedelta(days=1)))
    assert stored.import_state == "not_importable"
    assert stored.reason == "placed before integration"
    by_hand = amazon_order_import_by_hand(account=enabled_account, amazon_order_id=stored.amazon_order_id)
    assert not by_hand.imported and by_hand.reason == "placed before integration"
    assert not StoreOrder.objects.exists()


def test_r5_order_reaching_unshipped_while_disabled_imports_by_hand_only(account, enable):
    start = T0 + dt.timedelta(days=5)
    body = order_dict(created=T0 + dt.timedelta(days=1), items=[("SKU-D", 1)])
    stored, _ = amazon_order_record(account=account, order=read_order(body), seen_at=T0 + dt.timedelta(days=1))
    order_settings_update(account=account, changes={"import_orders": "enabled"}, now=start)
    stored.refresh_from_db()
    assert stored.import_state == "not_importable"
    assert stored.reason == "reached Unshipped while import was disabled"
    outcome = amazon_order_import_by_hand(account=account, amazon_order_id=stored.amazon_order_id)
    assert outcome.imported and outcome.store_order_number
    assert ImportAttempt.objects.get(amazon_order=stored).manual


def test_r5_c2_hand_import_is_refused_while_import_is_disabled(account):
    stored, _ = record_and_evaluate(account, amazon_order())
    with pytest.raises(ImportRefused, match="import disabled"):
        amazon_order_import_by_hand(account=account, amazon_order_id=stored.amazon_order_id)
    assert not StoreOrder.objects.exists()


def test_r5_eligible_order_stays_eligible_through_disable_and_enable(enabled_account):
    make_product("SKU-E", qty=0)
    stored, _ = record_and_evaluate(enabled_account, amazon_order(items=[("SKU-E", 1)]))
    assert stored.import_state == "waiting"
    order_settings_update(account=enabled_account, changes={"import_orders": "disabled"}, now=LATER)
    stored.refresh_from_db()
    assert stored.reason == "not imported: import disabled"
    from saleschannel.commerce.inventory.services import source_item_set

    source_item_set(source=None, sku="SKU-E", quantity=5)
    order_settings_update(account=enabled_account, changes={"import_orders": "enabled"}, now=LATER)
    stored.refresh_from_db()
    assert stored.import_state == "imported"


def test_r6_pending_order_creates_nothing_then_unshipped_creates_it(enabled_account):
    make_product("SKU-P", qty=5)
    body = order_dict(status="Pending", items=[("SKU-P", 1)], prices=False)
    stored, _ = record_and_evaluate(enabled_account, read_order(body))
    assert stored.import_state == "waiting" and not StoreOrder.objects.exists()
    later = order_dict(order_id=stored.amazon_order_id, status="Unshipped", items=[("SKU-P", 1)],
                       updated=T0 + dt.timedelta(days=1, hours=2))
    stored, outcome = record_and_evaluate(enabled_account, read_order(later))
    assert outcome.created and stored.import_state == "imported"


# --- R9, R12: waiting and reservations ----------------------------------------------------------


def test_r9_out_of_stock_order_waits_with_its_reason_and_imports_when_stock_arrives(enabled_account):
    make_product("SKU-X", qty=0)
    stored, _ = record_and_evaluate(enabled_account, amazon_order(items=[("SKU-X", 2)]))
    assert stored.import_state == "waiting"
    assert stored.reason == "out of stock: SKU X, salable 0, ordered 2".replace("SKU X", "SKU SKU-X")
    from saleschannel.commerce.inventory.services import source_item_set

    source_item_set(source=None, sku="SKU-X", quantity=2)
    assert waiting_orders_evaluate(account=enabled_account, skus=["SKU-X"]) == 1
    stored.refresh_from_db()
    assert stored.import_state == "imported"


def test_r9_a_stock_rise_wakes_waiting_orders_through_the_store_cores_signal(
    enabled_account, django_capture_on_commit_callbacks
):
    make_product("SKU-W", qty=0)
    stored, _ = record_and_evaluate(enabled_account, amazon_order(items=[("SKU-W", 1)]))
    from saleschannel.commerce.inventory.services import source_item_set

    with django_capture_on_commit_callbacks(execute=True):
        source_item_set(source=None, sku="SKU-W", quantity=1)
    stored.refresh_from_db()
    assert stored.import_state == "imported"


def test_r12_waiting_orders_compete_for_scarce_stock_oldest_purchase_first(enabled_account):
    make_product("SKU-S", qty=0)
    newer, _ = record_and_evaluate(enabled_account, amazon_order(items=[("SKU-S", 1)],
                                                                 created=T0 + dt.timedelta(days=2)))
    older, _ = record_and_evaluate(enabled_account, amazon_order(items=[("SKU-S", 1)],
                                                                 created=T0 + dt.timedelta(days=1)))
    from saleschannel.commerce.inventory.services import source_item_set

    source_item_set(source=None, sku="SKU-S", quantity=1)
    assert waiting_orders_evaluate(account=enabled_account) == 1
    older.refresh_from_db(), newer.refresh_from_db()
    assert older.import_state == "imported"
    assert newer.import_state == "waiting"


def test_r9_orders_still_short_are_skipped_without_being_evaluated_again(enabled_account):
    make_product("SKU-OUT", qty=0)
    make_product("SKU-FEW", qty=0)
    short = [record_and_evaluate(enabled_account, amazon_order(items=[("SKU-OUT", 1)],
                                                              created=T0 + dt.timedelta(hours=n)))[0]
             for n in range(1, 6)]
    big, _ = record_and_evaluate(enabled_account, amazon_order(items=[("SKU-FEW", 3)], created=T0 + dt.timedelta(hours=7)))
    small, _ = record_and_evaluate(enabled_account, amazon_order(items=[("SKU-FEW", 1)],
                                                                created=T0 + dt.timedelta(hours=8)))
    from saleschannel.commerce.inventory.services import source_item_set

    source_item_set(source=None, sku="SKU-FEW", quantity=2)
    evaluated_before = {o.pk: o.evaluated_at for o in AmazonOrder.objects.all()}
    assert waiting_orders_evaluate(account=enabled_account, now=LATER) == 1
    for order in [*short, big]:
        order.refresh_from_db()
        assert order.import_state == "waiting"
        assert order.evaluated_at == evaluated_before[order.pk]  # skipped: still short, nothing to say anew
    small.refresh_from_db()
    assert small.import_state == "imported"  # the younger order fits the stock the older one cannot use


def test_r12_fbm_order_reserves_each_managed_items_full_quantity(enabled_account):
    make_product("SKU-M", qty=10)
    make_product("SKU-N", manage_stock=False)
    stored, _ = record_and_evaluate(enabled_account, amazon_order(status="PartiallyShipped",
                                                                  items=[("SKU-M", 2), ("SKU-N", 1), ("SKU-M", 1)]))
    assert reservations_of("order", stored.store_order_id) == {"SKU-M": Decimal(-3)}


def test_r12_reserve_setting_reserves_a_pending_order_and_hands_it_to_the_store_order(enabled_account, enable):
    enable(pending_orders="reserve")
    make_product("SKU-R", qty=2)
    body = order_dict(status="Pending", items=[("SKU-R", 2)], prices=False)
    stored, _ = record_and_evaluate(enabled_account, read_order(body))
    assert reservations_of("amazon_order", stored.amazon_order_id) == {"SKU-R": Decimal(-2)}
    assert stored.holds_pending_reservation
    later = order_dict(order_id=stored.amazon_order_id, items=[("SKU-R", 2)], updated=T0 + dt.timedelta(days=1, hours=1))
    stored, outcome = record_and_evaluate(enabled_account, read_order(later))
    assert outcome.created, stored.reason
    assert reservations_of("amazon_order", stored.amazon_order_id) == {}
    assert reservations_of("order", stored.store_order_id) == {"SKU-R": Decimal(-2)}
    from saleschannel.commerce.inventory.selectors import salable_quantity, stock_for_store

    stock = stock_for_store(store=stored.store_order.store)
    assert salable_quantity(stock=stock, sku="SKU-R") == 0


def test_r12_reserve_setting_reserves_nothing_when_short_and_says_so(enabled_account, enable):
    enable(pending_orders="reserve")
    make_product("SKU-R", qty=1)
    stored, _ = record_and_evaluate(enabled_account, read_order(order_dict(status="Pending", items=[("SKU-R", 2)])))
    assert reservations_of("amazon_order", stored.amazon_order_id) == {}
    assert "nothing reserved" in stored.reason


@pytest.mark.parametrize("status", ["Canceled", "Unfulfillable"])
def test_r12_pending_reservation_is_compensated_when_the_order_never_creates(enabled_account, enable, status):
    enable(pending_orders="reserve")
    make_product("SKU-R", qty=2)
    body = order_dict(status="Pending", items=[("SKU-R", 2)])
    stored, _ = record_and_evaluate(enabled_account, read_order(body))
    stored, _ = record_and_evaluate(enabled_account, read_order(with_status(body, status, at=LATER)))
    assert stored.import_state == "not_importable"
    assert reservations_of("amazon_order", stored.amazon_order_id) == {}
    assert not stored.holds_pending_reservation


@pytest.mark.parametrize("change", [{"import_orders": "disabled"}, {"pending_orders": "no_reserve"}])
def test_r12_pending_reservation_is_compensated_when_settings_stop_it(enabled_account, enable, change):
    enable(pending_orders="reserve")
    make_product("SKU-R", qty=2)
    stored, _ = record_and_evaluate(enabled_account, read_order(order_dict(status="Pending", items=[("SKU-R", 2)])))
    assert stored.holds_pending_reservation
    order_settings_update(account=enabled_account, changes=change, now=LATER)
    stored.refresh_from_db()
    assert reservations_of("amazon_order", stored.amazon_order_id) == {}
    assert not stored.holds_pending_reservation


# --- R10, R11, R13, R14 ---------------------------------------------------------------------------


def test_r10_unmatched_sku_creates_a_disabled_do_not_manage_product_then_the_order(enabled_account):
    stored, _ = record_and_evaluate(enabled_account, amazon_order(items=[("BRAND-NEW", 2, "12.34")]))
    product = Product.objects.get(sku="BRAND-NEW")
    assert (product.status, product.manage_stock, product.price) == ("disabled", False, Decimal("12.34"))
    assert product.name == "Product BRAND-NEW"
    assert stored.store_order.items.get().product == product


def test_r10_no_product_is_created_for_an_order_that_is_not_created(enabled_account):
    record_and_evaluate(enabled_account, amazon_order(status="Unshipped", channel="FBA", items=[("NOT-YET", 1)]))
    assert not Product.objects.filter(sku="NOT-YET").exists()


def test_r10_a_disabled_product_never_blocks_an_import(enabled_account):
    from saleschannel.commerce.catalog.services import product_create

    product_create(sku="OFF", name="Off", price=Decimal(3), enabled=False, qty=5)
    _stored, outcome = record_and_evaluate(enabled_account, amazon_order(items=[("OFF", 1)]))
    assert outcome.created


def test_r11_guest_order_carries_the_buyers_email_and_name(enabled_account):
    stored, _ = record_and_evaluate(enabled_account, amazon_order(buyer_email="jane@marketplace.amazon.com",
                                                                  buyer_name="Jane Q Buyer"))
    order = stored.store_order
    assert order.customer is None and order.customer_is_guest
    assert (order.customer_email, order.customer_firstname, order.customer_lastname) == (
        "jane@marketplace.amazon.com", "Jane Q", "Buyer")


def test_r11_new_account_uses_or_creates_one_customer_per_email(enabled_account, enable):
    enable(customer_creation="new_account")
    first, _ = record_and_evaluate(enabled_account, amazon_order(buyer_email="Same@Example.com"))
    second, _ = record_and_evaluate(enabled_account, amazon_order(buyer_email="same@example.com"))
    assert Customer.objects.count() == 1
    assert first.store_order.customer == second.store_order.customer
    assert not first.store_order.customer_is_guest


def test_r11_withheld_buyer_data_imports_as_guest_with_placeholders(enabled_account, enable):
    enable(customer_creation="new_account")
    stored, _ = record_and_evaluate(enabled_account, amazon_order(channel="FBA", status="Shipped", buyer_email=None,
                                                                  buyer_name=None, address=False))
    order = stored.store_order
    assert order.customer is None
    assert order.customer_email == f"{stored.amazon_order_id}@buyer.amazon.invalid"
    assert (order.customer_firstname, order.customer_lastname) == ("Amazon", "Customer")
    assert "withheld" in stored.reason
    assert not Customer.objects.exists()


def test_r13_store_number_source_uses_the_stores_sequence(enabled_account):
    first, _ = record_and_evaluate(enabled_account, amazon_order())
    second, _ = record_and_evaluate(enabled_account, amazon_order())
    assert (first.store_order_number, second.store_order_number) == ("000000001", "000000002")


def test_r13_amazon_number_source_uses_the_amazon_order_id(enabled_account, enable):
    enable(order_number_source="amazon")
    stored, _ = record_and_evaluate(enabled_account, amazon_order(order_id="112-1234567-1234567"))
    assert stored.store_order.number == "112-1234567-1234567"


def test_r13_a_number_clash_fails_the_import_leaving_nothing_behind(enabled_account, enable):
    enable(order_number_source="amazon")
    from saleschannel.commerce.sales.services import OrderLine, OrderTotals, order_create
    from saleschannel.commerce.stores.selectors import store_default

    order_create(store=store_default(), number="112-0000000-0000009",
                 lines=[OrderLine(sku="X", name="X", qty=Decimal(1), price=Decimal(1))], email="a@b.c",
                 firstname="A", lastname="B", currency="USD", totals=OrderTotals(grand_total=Decimal(1)))
    stored, _outcome = record_and_evaluate(enabled_account, amazon_order(order_id="112-0000000-0000009",
                                                                        items=[("CLASH-SKU", 1)]))
    assert stored.import_state == "error"
    assert "112-0000000-0000009" in stored.reason and "taken" in stored.reason.lower()
    assert StoreOrder.objects.count() == 1
    assert not Product.objects.filter(sku="CLASH-SKU").exists()


def test_r14_default_order_status_is_the_default_status_of_new(enabled_account):
    stored, _ = record_and_evaluate(enabled_account, amazon_order())
    assert (stored.store_order.state, stored.store_order.status_id) == ("new", "pending")


def test_r14_custom_order_status_puts_the_order_in_that_statuss_state(enabled_account, enable):
    from saleschannel.commerce.sales.services import order_status_create

    order_status_create(code="amazon_paid", label="Amazon paid", state="processing")
    enable(order_status="custom", processing_order_status="amazon_paid")
    stored, _ = record_and_evaluate(enabled_account, amazon_order())
    assert (stored.store_order.state, stored.store_order.status_id) == ("processing", "amazon_paid")


# --- R15, R16, R17, R18, R20, R21 ---------------------------------------------------------------


def test_r15_evaluating_an_imported_order_again_returns_the_same_store_order(enabled_account):
    stored, first = record_and_evaluate(enabled_account, amazon_order())
    again = amazon_order_evaluate(amazon_order=stored)
    by_hand = amazon_order_import_by_hand(account=enabled_account, amazon_order_id=stored.amazon_order_id)
    assert first.created and not again.created and not by_hand.created
    assert again.store_order_number == by_hand.store_order_number == first.store_order_number
    assert StoreOrder.objects.count() == 1
    order = StoreOrder.objects.get()
    assert (order.external_channel, order.external_account, order.external_id) == (
        "amazon", str(enabled_account.pk), stored.amazon_order_id)


def test_r15_a_store_order_made_meanwhile_by_another_worker_is_linked_not_duplicated(enabled_account):
    stored, _ = record_and_evaluate(enabled_account, amazon_order())
    AmazonOrder.objects.filter(pk=stored.pk).update(store_order=None, store_order_number="", import_state="waiting")
    stored.refresh_from_db()
    outcome = amazon_order_evaluate(amazon_order=stored)
    assert outcome.imported and not outcome.created
    assert StoreOrder.objects.count() == 1


def test_r16_failure_rolls_back_marks_error_and_retries_with_back_off(enabled_account, enable):
    enable(order_number_source="amazon")
    from saleschannel.commerce.sales.services import OrderLine, OrderTotals, order_create
    from saleschannel.commerce.stores.selectors import store_default

    blocker = order_create(store=store_default(), number="113-0000000-0000001",
                           lines=[OrderLine(sku="X", name="X", qty=Decimal(1), price=Decimal(1))], email="a@b.c",
                           firstname="A", lastname="B", currency="USD", totals=OrderTotals(grand_total=Decimal(1)))
    now = T0 + dt.timedelta(days=2)
    stored, _ = amazon_order_record(account=enabled_account, order=amazon_order(order_id="113-0000000-0000001"),
                                    seen_at=now)
    amazon_order_evaluate(amazon_order=stored, now=now)
    stored.refresh_from_db()
    assert stored.import_state == "error"
    assert stored.next_retry_at == now + RETRY_DELAYS[0]
    assert errored_orders_retry(account=enabled_account, now=now) == 0  # not due yet
    due = now + RETRY_DELAYS[0]
    assert errored_orders_retry(account=enabled_account, now=due) == 1
    stored.refresh_from_db()
    assert stored.error_attempts == 2 and stored.next_retry_at == due + RETRY_DELAYS[1]
    # Attempts are bounded: after the last delay there is no automatic retry.
    AmazonOrder.objects.filter(pk=stored.pk).update(error_attempts=len(RETRY_DELAYS))
    amazon_order_evaluate(amazon_order=stored, now=due)
    stored.refresh_from_db()
    assert stored.next_retry_at is None
    assert ImportAttempt.objects.filter(amazon_order=stored, succeeded=False).count() == 3
    # Retry by hand once the clash is gone (numbers from the store's sequence now).
    assert blocker.number == stored.amazon_order_id
    order_settings_update(account=enabled_account, changes={"order_number_source": "store"}, now=due)
    outcome = amazon_order_import_by_hand(account=enabled_account, amazon_order_id=stored.amazon_order_id)
    assert outcome.imported


def test_r17_amazon_cancellation_cancels_the_store_order_and_compensates_reservations(enabled_account):
    make_product("SKU-C", qty=5)
    body = order_dict(items=[("SKU-C", 2)])
    stored, _ = record_and_evaluate(enabled_account, read_order(body))
    assert reservations_of("order", stored.store_order_id) == {"SKU-C": Decimal(-2)}
    stored, _ = record_and_evaluate(enabled_account, read_order(with_status(body, "Canceled", at=LATER)))
    assert stored.store_order.state == "canceled"
    assert reservations_of("order", stored.store_order_id) == {}
    assert stored.import_state == "imported"


def test_r17_cancellation_applies_while_import_is_disabled(enabled_account):
    body = order_dict()
    stored, _ = record_and_evaluate(enabled_account, read_order(body))
    order_settings_update(account=enabled_account, changes={"import_orders": "disabled"}, now=LATER)
    stored, _ = record_and_evaluate(enabled_account, read_order(with_status(body, "Canceled", at=LATER)))
    assert stored.store_order.state == "canceled"


def test_r18_status_changes_are_kept_as_a_history(enabled_account):
    body = order_dict(status="Pending", prices=False)
    stored, _ = record_and_evaluate(enabled_account, read_order(body))
    unshipped = order_dict(order_id=stored.amazon_order_id, updated=LATER)
    record_and_evaluate(enabled_account, read_order(unshipped))
    record_and_evaluate(enabled_account, read_order(unshipped))  # seen twice: no new event
    history = list(AmazonStatusEvent.objects.filter(amazon_order=stored).values_list("status", "changed_at"))
    assert history == [("Pending", T0 + dt.timedelta(days=1, minutes=5)), ("Unshipped", LATER)]


def test_s1_an_older_snapshot_never_replaces_a_newer_one(enabled_account):
    body = order_dict(updated=LATER)
    stored, changed = amazon_order_record(account=enabled_account, order=read_order(body), seen_at=LATER)
    older = with_status(body, "Pending", at=LATER - dt.timedelta(hours=1))
    _, changed_again = amazon_order_record(account=enabled_account, order=read_order(older), seen_at=LATER)
    _, same = amazon_order_record(account=enabled_account, order=read_order(body), seen_at=LATER)
    stored.refresh_from_db()
    assert changed and not changed_again and not same
    assert stored.status == "Unshipped"


def test_r20_money_is_taken_as_amazon_gives_it(enabled_account):
    stored, _ = record_and_evaluate(enabled_account, read_order(order_dict(
        items=[("SKU-1", 3, "9.99")], shipping="5.00", tax="2.10", currency="EUR")))
    order = stored.store_order
    assert order.currency == "EUR"
    assert order.items.get().price == Decimal("9.99")
    assert (order.subtotal, order.shipping_amount, order.tax_amount, order.grand_total) == (
        Decimal("29.97"), Decimal("5.00"), Decimal("2.10"), Decimal("37.07"))


def test_r20_an_order_without_prices_is_not_created_from_that_snapshot(enabled_account):
    stored, _ = record_and_evaluate(enabled_account, read_order(order_dict(prices=False)))
    assert stored.import_state == "waiting" and stored.reason == "Amazon sent no prices yet"


def test_r21_store_order_is_invoiced_with_payment_method_amazon(enabled_account):
    stored, _ = record_and_evaluate(enabled_account, amazon_order())
    assert stored.store_order.is_invoiced and stored.store_order.payment_method == "amazon"


def test_r21_fba_order_is_complete_right_after_creation_with_no_stock_movement(enabled_account):
    make_product("SKU-F", qty=4)
    stored, _ = record_and_evaluate(enabled_account, amazon_order(channel="FBA", status="Shipped",
                                                                  items=[("SKU-F", 1)]))
    assert stored.store_order.state == "complete"
    assert reservations_of("order", stored.store_order_id) == {}
    from saleschannel.commerce.inventory.models import SourceItem

    assert SourceItem.objects.get(sku="SKU-F").quantity == 4


def test_r17_an_fba_order_complete_at_creation_is_not_canceled_by_a_later_cancellation(enabled_account):
    body = order_dict(channel="FBA", status="Shipped")
    stored, _ = record_and_evaluate(enabled_account, read_order(body))
    stored, outcome = record_and_evaluate(enabled_account, read_order(with_status(body, "Canceled", at=LATER)))
    assert stored.store_order.state == "complete"
    assert outcome.import_state == "imported"


def test_r12_pending_reservation_is_compensated_when_the_import_fails_for_good(enabled_account, enable):
    enable(pending_orders="reserve")
    make_product("SKU-G", qty=2)
    body = order_dict(status="Pending", items=[("SKU-G", 2)])
    stored, _ = record_and_evaluate(enabled_account, read_order(body))
    assert stored.holds_pending_reservation
    # An absurd tax makes every creation attempt fail.
    later = with_status(body, "Unshipped", at=LATER)
    later["orderItems"][0]["proceeds"] = {"breakdowns": [{"type": "TAX", "subtotal": {"amount": "-1",
                                                                                    "currencyCode": "USD"}}]}
    AmazonOrder.objects.filter(pk=stored.pk).update(error_attempts=len(RETRY_DELAYS))
    stored, _outcome = record_and_evaluate(enabled_account, read_order(later))
    assert stored.import_state == "error" and stored.next_retry_at is None, stored.reason
    assert reservations_of("amazon_order", stored.amazon_order_id) == {}
    assert not stored.holds_pending_reservation


def test_r16_failures_never_log_buyer_data(enabled_account, caplog):
    body = order_dict(items=[("SKU-L", 1)], buyer_email="private.person@example.com", buyer_name="Private Person")
    body["recipient"]["deliveryAddress"]["countryCode"] = "USA"  # three letters: the store refuses it
    with caplog.at_level("DEBUG"):
        stored, _ = record_and_evaluate(enabled_account, read_order(body))
    assert stored.import_state == "error"
    assert "country_id" in stored.reason
    assert "private.person@example.com" not in caplog.text and "Private Person" not in caplog.text
    assert "private.person@example.com" not in stored.reason


def test_credentials_state_is_recorded_for_the_dashboard(account):
    from saleschannel.channel.services.accounts import account_credentials_state_set

    account_credentials_state_set(account=account, ok=False, error="invalid_grant", now=LATER)
    account.refresh_from_db()
    assert (account.credentials_state, account.last_error, account.last_error_at) == (
        "needs_reconnecting", "invalid_grant", LATER)


def test_creating_a_store_order_takes_as_many_queries_for_20_lines_as_for_2(enabled_account):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (1, 2, 20):  # the first order also starts the store's number sequence
        skus = [f"Q{n}-{i}" for i in range(n)]
        for sku in skus:
            make_product(sku, qty=5)
        stored, _ = amazon_order_record(account=enabled_account, order=amazon_order(items=[(s, 1) for s in skus]),
                                        seen_at=LATER)
        with CaptureQueriesContext(connection) as queries:
            assert amazon_order_evaluate(amazon_order=stored).created
        counts.append(len(queries))
    assert counts[1] == counts[2] <= 45


def test_r12_a_pending_order_short_of_stock_reserves_once_stock_rises(enabled_account, enable):
    enable(pending_orders="reserve")
    make_product("SKU-K", qty=0)
    stored, _ = record_and_evaluate(enabled_account, read_order(order_dict(status="Pending", items=[("SKU-K", 1)])))
    assert stored.reason_code == "out_of_stock" and not stored.holds_pending_reservation
    from saleschannel.commerce.inventory.services import source_item_set

    source_item_set(source=None, sku="SKU-K", quantity=1)
    assert waiting_orders_evaluate(account=enabled_account, skus=["SKU-K"]) == 0  # reserved, not created
    stored.refresh_from_db()
    assert stored.holds_pending_reservation and stored.import_state == "waiting"
    assert reservations_of("amazon_order", stored.amazon_order_id) == {"SKU-K": Decimal(-1)}
