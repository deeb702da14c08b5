"""The Stock Settings page (T1, T14): labels and help, staff look, managers change, refusals at the field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saleschannel.channel.models import SettingsChange
from saleschannel.channel.services.settings import order_settings_update
from saleschannel.channel.stock.models import Offer, StockSettings
from saleschannel.channel.stock.services import offer_learn, stock_settings_update
from saleschannel.commerce.catalog.services import product_create

pytestmark = pytest.mark.django_db

LABELS = ["Push Stock to Amazon", "Out-of-Stock Threshold", "Maximum Listed Quantity",
          "Do Not Manage Stock", "Handling Time"]


def url(account) -> str:
    return reverse("dashboard:stock_settings", args=[account.pk])


def test_t14_staff_see_every_field_with_its_help_and_cannot_change(staff_client, account):
    response = staff_client.get(url(account))
    html = response.content.decode()
    assert response.status_code == 200
    for label in LABELS:
        assert label in html
    assert "can be enabled only while Import Amazon Orders is Enabled" in html
    assert "Only managers may change stock settings" in html and "save-stock-settings" not in html
    assert not StockSettings.objects.exists()  # looking writes nothing
    assert staff_client.post(url(account), {"out_of_stock_threshold": "3"}).status_code == 403
    assert not SettingsChange.objects.exists()


def test_t14_the_store_dashboard_links_to_the_page(staff_client, account):
    html = staff_client.get(reverse("dashboard:store_dashboard", args=[account.pk])).content.decode()
    assert url(account) in html


def test_t1_a_manager_saves_and_the_change_is_recorded(manager_client, manager, account):
    order_settings_update(account=account, changes={"import_orders": "enabled", "store": "default"})
    response = manager_client.post(url(account), {"push_stock": "enabled", "out_of_stock_threshold": "2",
                                                  "max_listed_quantity": "", "unmanaged_quantity": "100",
                                                  "handling_time": "3"})
    assert response.status_code == 302
    saved = StockSettings.objects.get(account=account)
    assert (saved.push_stock, saved.out_of_stock_threshold, saved.handling_time) == ("enabled", 2, 3)
    assert SettingsChange.objects.get(field="handling_time").user == manager
    assert "stock-settings-history" in manager_client.get(url(account)).content.decode()


@pytest.mark.parametrize(("field", "value"), [
    ("out_of_stock_threshold", "-1"), ("max_listed_quantity", "0"), ("unmanaged_quantity", ""),
    ("handling_time", "99"), ("push_stock", "enabled"),
])
def test_t1_a_refused_value_is_shown_at_its_field_and_nothing_changes(manager_client, account, field, value):
    response = manager_client.post(url(account), {field: value})
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="error-{field}"' in html
    assert not SettingsChange.objects.exists()


def test_t1_the_page_says_when_disabling_import_paused_the_push(staff_client, account):
    order_settings_update(account=account, changes={"import_orders": "enabled", "store": "default"})
    stock_settings_update(account=account, changes={"push_stock": "enabled"})
    assert 'id="push-paused"' not in staff_client.get(url(account)).content.decode()
    order_settings_update(account=account, changes={"import_orders": "disabled"})
    html = staff_client.get(url(account)).content.decode()
    assert 'id="push-paused"' in html and "Import Amazon Orders is disabled" in html


def offers_url(account, state="") -> str:
    return reverse("dashboard:offers", args=[account.pk]) + (f"?state={state}" if state else "")


def test_t14_the_offers_page_lists_offers_and_filters_by_state(staff_client, account):
    product_create(sku="MUG", name="Mug", price=1, qty=3)
    offer_learn(account=account, sku="FBA-1", product_type="PRODUCT", channels={"AMAZON_EU": 2}, status=[])
    html = staff_client.get(offers_url(account)).content.decode()
    assert "MUG" in html and "not_on_amazon" in html and "FBA-1" in html
    html = staff_client.get(offers_url(account, "not_in_store")).content.decode()
    assert "FBA-1" in html and ">MUG<" not in html
    assert 'id="push-paused"' in html  # push is disabled: the page says so
    assert staff_client.get(offers_url(account, "junk")).status_code == 200


def test_t11_t14_retry_on_an_offer_in_error_is_a_managers(staff_client, manager_client, account):
    product_create(sku="MUG", name="Mug", price=1, qty=3)
    offer = offer_learn(account=account, sku="MUG", product_type="PRODUCT", channels={"DEFAULT": 2}, status=[])
    Offer.objects.filter(pk=offer.pk).update(state="error", error_message="quantity refused")
    retry = reverse("dashboard:offer_retry", args=[account.pk, "MUG"])
    assert "quantity refused" in manager_client.get(offers_url(account, "error")).content.decode()
    assert retry in manager_client.get(offers_url(account)).content.decode()
    assert retry not in staff_client.get(offers_url(account)).content.decode()
    assert staff_client.post(retry).status_code == 403
    assert manager_client.post(retry).status_code == 302
    assert Offer.objects.get().state == "due"


def test_t14_the_offers_page_charts_pushes_per_hour_against_the_plan(staff_client, account):
    from django.utils import timezone

    from saleschannel.channel.stock.models import StockPush

    product_create(sku="MUG", name="Mug", price=1, qty=3)
    offer = offer_learn(account=account, sku="MUG", product_type="PRODUCT", channels={"DEFAULT": 2}, status=[])
    for version in range(1, 4):
        StockPush.objects.create(account=account, offer=offer, sku="MUG", reason="stock set", quantity=version,
                                 stock_version=version, generation=0, method="patch", outcome="accepted",
                                 sent_at=timezone.now())
    html = staff_client.get(offers_url(account)).content.decode()
    assert 'id="push-chart"' in html and "Pushes per hour" in html
    assert "<td>Mug</td>" in html  # T14: the product beside its SKU
    assert "18000" in html or "18,000" in html  # the plan: 5 a second, an hour of it


def test_t14_the_store_dashboard_counts_offers_in_error_or_drift(staff_client, account):
    for sku, state in (("A", "error"), ("B", "drift"), ("C", "in_sync")):
        product_create(sku=sku, name=sku, price=1, qty=3)
        offer = offer_learn(account=account, sku=sku, product_type="PRODUCT", channels={"DEFAULT": 2}, status=[])
        Offer.objects.filter(pk=offer.pk).update(state=state)
    html = staff_client.get(reverse("dashboard:store_dashboard", args=[account.pk])).content.decode()
    section = html[html.index('id="offers-attention"'):]
    assert "Offers in error or drift" in section and '<div class="value">2</div>' in section[:400]
