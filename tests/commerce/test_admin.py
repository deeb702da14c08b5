"""The back office: every list renders, and orders are found by SKU, email and number."""

from decimal import Decimal

import pytest
from django.urls import reverse

from saleschannel.commerce.inventory.models import Reservation
from saleschannel.commerce.sales.services import OrderLine, OrderTotals, order_create, order_reserve

pytestmark = pytest.mark.django_db

LISTS = ["stores_website", "stores_store", "catalog_product", "inventory_source", "inventory_stock",
         "inventory_sourceitem", "inventory_reservation", "inventory_usedeventkey", "customers_customer",
         "sales_orderstatus", "sales_order"]


@pytest.fixture
def orders(store_defaults, mug):
    made = []
    for number, sku, email in [("000000001", "MUG-1", "ann@example.com"), ("000000002", "CUP-9", "bob@example.com")]:
        made.append(order_create(store=store_defaults, number=number, email=email, firstname="", lastname="",
                                 currency="USD", totals=OrderTotals(),
                                 lines=[OrderLine(sku=sku, name=sku, qty=Decimal(1), price=Decimal(1))]))
    order_reserve(order=made[0])
    return made


@pytest.mark.parametrize("name", LISTS)
def test_every_list_renders(admin_client, orders, name):
    assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200


@pytest.mark.parametrize(("query", "found"), [("CUP-9", "000000002"), ("ann@example", "000000001"),
                                              ("000000002", "000000002")])
def test_orders_are_found_by_sku_email_and_number(admin_client, orders, query, found):
    page = admin_client.get(reverse("admin:sales_order_changelist"), {"q": query}).content.decode()
    other = "000000001" if found == "000000002" else "000000002"
    assert found in page and f">{other}<" not in page


def test_an_order_page_renders_with_items_and_history(admin_client, orders):
    page = admin_client.get(reverse("admin:sales_order_change", args=[orders[0].pk]))
    assert page.status_code == 200 and b"MUG-1" in page.content


def test_the_ledger_cannot_be_edited_in_the_back_office(admin_client, orders):
    entry = Reservation.objects.get()
    assert admin_client.get(reverse("admin:inventory_reservation_add")).status_code == 403
    admin_client.post(reverse("admin:inventory_reservation_delete", args=[entry.pk]), {"post": "yes"})
    assert Reservation.objects.filter(pk=entry.pk).exists()


def test_the_cancel_action_goes_through_the_state_machine(admin_client, orders):
    admin_client.post(reverse("admin:sales_order_changelist"),
                      {"action": "cancel_orders", "_selected_action": [orders[0].pk]})
    orders[0].refresh_from_db()
    assert orders[0].state == "canceled"
    assert sum(r.quantity for r in Reservation.objects.all()) == 0
