"""The merchant's day in a real browser: log in, order settings, a hand import, the order view."""

from __future__ import annotations

import pytest

from saleschannel.channel.models import OrderSettings
from saleschannel.commerce.catalog.services import product_create
from tests.browser.support import log_in, shot
from tests.dashboard import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OTHERS = ["store", "customer_creation", "order_number_source", "pending_orders", "order_status"]


def disabled(page, name: str) -> bool:
    return page.locator(f'[name="{name}"]').is_disabled()


def test_log_in_and_out(page, live_server, store_defaults):
    factories.user_make("sam")
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "sam")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert page.locator(".errorlist").is_visible()
    log_in(page, live_server, "sam")
    assert page.locator("h1").inner_text() == "Amazon accounts"
    assert page.locator(".role").inner_text() == "Staff"
    shot(page, "home")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")
    page.goto(live_server.url + "/orders/")
    assert "/login/" in page.url


def test_order_settings_dependent_fields_refusal_and_save(page, live_server, store_defaults):
    factories.user_make("maria", manager=True)
    account = factories.account_make("EU shop")
    log_in(page, live_server, "maria")
    page.goto(f"{live_server.url}/accounts/{account.pk}/settings/")
    # Import disabled: every other field is disabled.
    assert not disabled(page, "import_orders")
    assert all(disabled(page, name) for name in [*OTHERS, "processing_order_status"])
    shot(page, "order-settings-disabled")

    page.select_option('[name="import_orders"]', "enabled")  # no reload: the script enables them at once
    assert not any(disabled(page, name) for name in OTHERS)
    assert disabled(page, "processing_order_status")
    page.select_option('[name="order_status"]', "custom")
    assert not disabled(page, "processing_order_status")
    page.select_option('[name="order_status"]', "default")
    assert disabled(page, "processing_order_status")
    page.select_option('[name="import_orders"]', "disabled")
    assert all(disabled(page, name) for name in [*OTHERS, "processing_order_status"])

    # A refused value: Custom Order Status without a Processing Order Status.
    page.select_option('[name="import_orders"]', "enabled")
    page.select_option('[name="store"]', "default")
    page.select_option('[name="order_status"]', "custom")
    page.click("#save-settings")
    error = page.locator("#error-processing_order_status")
    assert "is required with Order Status custom" in error.inner_text()
    assert page.locator("#field-processing_order_status .errorlist").is_visible()
    assert OrderSettings.objects.get(account=account).import_orders == "disabled"
    shot(page, "order-settings-refused")

    # Every setting changed, then saved.
    page.select_option('[name="processing_order_status"]', "processing")
    page.select_option('[name="customer_creation"]', "new_account")
    page.select_option('[name="order_number_source"]', "amazon")
    page.select_option('[name="pending_orders"]', "reserve")
    page.click("#save-settings")
    assert "Order settings saved." in page.locator(".messages").inner_text()
    saved = OrderSettings.objects.get(account=account)
    assert (saved.import_orders, saved.store.code, saved.customer_creation, saved.order_number_source,
            saved.pending_orders, saved.order_status, saved.processing_order_status) == (
        "enabled", "default", "new_account", "amazon", "reserve", "custom", "processing")
    assert page.locator('[name="processing_order_status"]').input_value() == "processing"
    assert page.locator("#settings-history tbody tr").count() == 7
    shot(page, "order-settings-saved")


def test_import_by_hand_and_read_the_amazon_order_number_in_the_order_view(page, live_server, store_defaults):
    factories.user_make("maria", manager=True)
    account = factories.account_make("EU shop")
    product_create(sku="SKU-1", name="Blue mug", price="9.90", qty=5)
    order = factories.amazon_order_receive(account, factories.raw_order("302-4242424-4242424", qty=2, total="19.80"))
    assert order.import_state == "not_importable"
    factories.import_enable(account)
    log_in(page, live_server, "maria")
    page.goto(f"{live_server.url}/amazon-orders/{order.pk}/")
    assert "reached Unshipped while import was disabled" in page.locator("#decision").inner_text()
    page.click("#import-button")
    assert "Imported as store order" in page.locator(".messages").inner_text()
    shot(page, "amazon-order-imported")
    page.click("#store-order-link")
    page.wait_for_url("**/orders/*/")
    assert page.locator("#amazon-order-number").inner_text() == "302-4242424-4242424"
    assert "Payment method" in page.locator("#payment-shipping").inner_text()
    shot(page, "order-view")
    page.click("#amazon-order-number")
    page.wait_for_url(f"**/amazon-orders/{order.pk}/")
