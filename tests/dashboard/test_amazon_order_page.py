"""One Amazon order: items, totals, address, history, decision, attempts; Import, Retry, address correction."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saleschannel.channel.models import AddressCorrection, AmazonOrder
from saleschannel.commerce.catalog.services import product_create
from tests.dashboard import factories

pytestmark = pytest.mark.django_db


def page(client, order):
    return client.get(reverse("dashboard:amazon_order", args=[order.pk]))


def test_the_page_shows_what_amazon_sent_and_the_decision(staff_client, account):
    product_create(sku="SKU-1", name="Blue mug", price="9.90", qty=0)
    order = factories.amazon_order_make(account, sku="SKU-1", qty=2, total="19.80", import_state="waiting",
                                        reason="out of stock: SKU SKU-1, salable 0, ordered 2",
                                        reason_code="out_of_stock")
    factories.attempt_make(order, ok=False, error="store order number 000000001 is taken")
    html = page(staff_client, order).content.decode()
    assert order.amazon_order_id in html
    assert "SKU-1" in html and "Blue mug" in html and "Product SKU-1" in html
    assert "19.80 EUR" in html and "9.90 EUR" in html
    assert "Hauptstr. 1" in html and "Berlin" in html and "+49 30 1234567" in html
    assert "out of stock: SKU SKU-1, salable 0, ordered 2" in html
    assert "store order number 000000001 is taken" in html
    assert 'id="status-history"' in html and "Unshipped" in html
    assert "withholds" not in html


def test_fba_orders_say_that_amazon_withholds_buyer_data(staff_client, account):
    order = factories.amazon_order_make(account, fba=True, status="SHIPPED")
    html = page(staff_client, order).content.decode()
    assert "Amazon withholds the buyer's name, street and phone of FBA orders" in html


def test_an_unreadable_order_still_renders(staff_client, account):
    order = factories.amazon_order_make(account, import_state="error", reason="fulfillment: required and missing")
    AmazonOrder.objects.filter(pk=order.pk).update(raw={"orderId": order.amazon_order_id, "orderItems": "x",
                                                         "proceeds": {"grandTotal": {"amount": "NaN"}}},
                                                    purchase_date=None)
    response = page(staff_client, order)
    assert response.status_code == 200
    assert b"fulfillment: required and missing" in response.content


def test_import_by_hand_creates_the_store_order(manager_client, account):
    product_create(sku="SKU-1", name="Blue mug", price="9.90", qty=5)
    order = factories.amazon_order_receive(account, factories.raw_order("302-5555555-0000001"))
    assert order.import_state == "not_importable"  # reached Unshipped while import was disabled (R5)
    factories.import_enable(account)
    response = manager_client.post(reverse("dashboard:amazon_order_import", args=[order.pk]), follow=True)
    order.refresh_from_db()
    assert order.import_state == "imported" and order.store_order_id
    html = response.content.decode()
    assert f"Imported as store order {order.store_order_number}." in html
    assert 'id="store-order-link"' in html
    [attempt] = order.import_attempts.all()
    assert attempt.manual and attempt.succeeded


def test_import_by_hand_is_refused_while_import_is_disabled(manager_client, account):
    order = factories.amazon_order_receive(account, factories.raw_order("302-5555555-0000002"))
    response = manager_client.post(reverse("dashboard:amazon_order_import", args=[order.pk]), follow=True)
    assert "Not imported: import disabled" in response.content.decode()
    order.refresh_from_db()
    assert order.import_state == "not_importable" and not order.store_order_id


def test_retry_is_only_for_failed_imports(manager_client, account):
    order = factories.amazon_order_make(account, import_state="waiting")
    response = manager_client.post(reverse("dashboard:amazon_order_retry", args=[order.pk]), follow=True)
    assert "Only an order whose import failed can be retried." in response.content.decode()


def test_retry_runs_the_import_again(manager_client, account):
    product_create(sku="SKU-1", name="Blue mug", price="9.90", qty=5)
    factories.import_enable(account)
    order = factories.amazon_order_receive(account, factories.raw_order("302-5555555-0000003"), evaluate=False)
    AmazonOrder.objects.filter(pk=order.pk).update(import_state="error", reason="database was away")
    response = manager_client.post(reverse("dashboard:amazon_order_retry", args=[order.pk]), follow=True)
    order.refresh_from_db()
    assert order.import_state == "imported"
    assert "Imported as store order" in response.content.decode()


def test_correcting_the_address_before_import(manager_client, manager, account):
    order = factories.amazon_order_make(account)
    data = {"name": "Jane Doe", "addressLine1": "Hauptstraße 1a", "city": "Berlin", "postalCode": "10115",
            "countryCode": "de", "phone": ""}
    response = manager_client.post(reverse("dashboard:amazon_order_address", args=[order.pk]), data, follow=True)
    assert "Shipping address corrected" in response.content.decode()
    order.refresh_from_db()
    address = order.raw["recipient"]["deliveryAddress"]
    assert address["addressLine1"] == "Hauptstraße 1a" and address["countryCode"] == "DE"
    assert "phone" in AddressCorrection.objects.get().original
    assert AddressCorrection.objects.get().user == manager


def test_a_bad_address_is_refused_at_the_field(manager_client, account):
    order = factories.amazon_order_make(account)
    before = order.raw
    data = {"addressLine1": "", "city": "Berlin", "countryCode": "Germany"}
    response = manager_client.post(reverse("dashboard:amazon_order_address", args=[order.pk]), data)
    assert response.status_code == 400
    errors = response.context["correction"].errors
    assert "addressLine1" in errors and "countryCode" in errors
    order.refresh_from_db()
    assert order.raw == before and not AddressCorrection.objects.exists()


def test_the_address_of_an_imported_order_cannot_be_corrected(manager_client, account):
    order = factories.amazon_order_make(account, import_state="imported")
    data = {"addressLine1": "Elsewhere 2", "city": "Bonn", "countryCode": "DE"}
    response = manager_client.post(reverse("dashboard:amazon_order_address", args=[order.pk]), data)
    assert response.status_code == 400
    assert not AddressCorrection.objects.exists()
    assert b'id="address-form"' not in page(manager_client, order).content


def test_an_unmatched_sku_shows_the_product_the_import_created(staff_client, account):
    product_create(sku="SKU-1", name="Blue mug", price="9.90", qty=5)
    factories.import_enable(account)
    order = factories.amazon_order_receive(account, factories.raw_order("302-5555555-0000009", sku="NEW-SKU"))
    assert order.import_state == "imported"  # R10: a disabled Do Not Manage product was made for it
    html = page(staff_client, order).content.decode()
    row = html[html.index('id="items"'):]
    assert "Product NEW-SKU" in row and '<span class="pill warn">created</span>' in row
    matched = factories.amazon_order_receive(account, factories.raw_order("302-5555555-0000010", sku="SKU-1"))
    assert '<span class="pill warn">created</span>' not in page(staff_client, matched).content.decode()


def test_amazon_text_on_the_order_page_is_shown_as_text(staff_client, account):
    order = factories.amazon_order_make(account, buyer="<b>Bold</b>")
    raw = dict(order.raw)
    raw["orderItems"][0]["product"]["title"] = "<script>alert('title')</script>"
    raw["recipient"]["deliveryAddress"]["addressLine1"] = '"><img src=x onerror=alert(2)>'
    AmazonOrder.objects.filter(pk=order.pk).update(raw=raw)
    html = page(staff_client, order).content.decode()
    assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt;" in html


def test_the_import_uses_the_corrected_address(manager_client, account):
    product_create(sku="SKU-1", name="Blue mug", price="9.90", qty=5)
    order = factories.amazon_order_receive(account, factories.raw_order("302-5555555-0000011"))
    data = {"name": "Jane Doe", "addressLine1": "Korrigierte Str. 5", "city": "Potsdam", "postalCode": "14467",
            "countryCode": "DE"}
    manager_client.post(reverse("dashboard:amazon_order_address", args=[order.pk]), data)
    factories.import_enable(account)
    manager_client.post(reverse("dashboard:amazon_order_import", args=[order.pk]))
    order.refresh_from_db()
    shipping = order.store_order.addresses.get(address_type="shipping")
    assert (shipping.street, shipping.city, shipping.postcode) == ("Korrigierte Str. 5", "Potsdam", "14467")
