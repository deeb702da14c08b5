"""The Order Settings page: the source's labels, options and help; saved through the channel's service."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from saleschannel.commerce.sales.models import OrderStatus
from saleschannel.commerce.stores.services import store_create
from tests.dashboard import factories

pytestmark = pytest.mark.django_db

LABELS = [
    "Import Amazon Orders",
    "Import Amazon Orders Into Store",
    "Customer Creation",
    "Order Number Source",
    "Pending Orders",
    "Order Status",
    "Processing Order Status",
]
OPTIONS = [
    "Disabled", "Enabled",
    "No Customer Creation (guest)", "Build New Customer Account",
    "Build Using Store Order Number", "Build Using Amazon Order Number",
    "Do Not Reserve Quantity", "Reserve Quantity",
    "Default Order Status", "Custom Order Status",
]


def select_tag(html: str, name: str) -> str:
    """The opening <select> tag of one field."""
    found = re.search(r'<select[^>]*name="' + re.escape(name) + r'"[^>]*>', html)
    assert found, name
    return found.group(0)


def url(account) -> str:
    return reverse("dashboard:order_settings", args=[account.pk])


def test_the_page_is_the_sources_form(manager_client, account):
    response = manager_client.get(url(account))
    html = response.content.decode()
    for label in LABELS:
        assert f">{label}</label>" in html, label
    for option in OPTIONS:
        assert f">{option}</option>" in html, option
    assert "Save order settings" in html
    assert "When chosen, all other fields on this page are disabled." in html
    assert "Amazon orders reserve no stock while they are Pending" in html  # C18
    assert "Magento" not in html
    # Required fields are marked: Import Amazon Orders, Into Store, Order Status (and Processing when enabled).
    assert html.count('class="required"') == 4


def test_while_import_is_disabled_every_other_field_is_disabled(manager_client, account):
    html = manager_client.get(url(account)).content.decode()
    assert 'name="import_orders"' in html
    for name in ("store", "customer_creation", "order_number_source", "pending_orders", "order_status",
                 "processing_order_status"):
        assert " disabled" in select_tag(html, name), name
    assert " disabled" not in select_tag(html, "import_orders")


def test_processing_status_offers_new_and_processing_statuses_and_the_store_views(manager_client, account):
    OrderStatus.objects.create(code="amazon_check", label="Amazon check", state="processing")
    OrderStatus.objects.create(code="on_ice", label="On ice", state="holded")
    store_create(code="fr", name="French Store View")
    form = manager_client.get(url(account)).context["form"]
    statuses = {code for code, _ in form.fields["processing_order_status"].widget.choices if code}
    expected = set(OrderStatus.objects.filter(state__in=["new", "processing"]).values_list("code", flat=True))
    assert statuses == expected and "amazon_check" in statuses and "on_ice" not in statuses
    stores = {code for code, _ in form.fields["store"].widget.choices if code}
    assert stores == {"default", "fr"}


def test_enabling_import_saves_and_records_the_change(manager_client, manager, account):
    response = manager_client.post(url(account), {
        "import_orders": "enabled", "store": "default", "customer_creation": "new_account",
        "order_number_source": "amazon", "pending_orders": "reserve", "order_status": "default",
        "processing_order_status": "",
    })
    assert response.status_code == 302
    settings = account.order_settings
    settings.refresh_from_db()
    assert (settings.import_orders, settings.store.code, settings.customer_creation, settings.order_number_source,
            settings.pending_orders) == ("enabled", "default", "new_account", "amazon", "reserve")
    changes = {c.field: c for c in account.settings_changes.all()}
    assert changes["import_orders"].user == manager and changes["import_orders"].new_value == "enabled"
    page = manager_client.get(url(account)).content.decode()
    assert "Order settings saved." in page and "maria" in page


def test_custom_status_without_processing_status_is_refused_at_the_field(manager_client, account):
    response = manager_client.post(url(account), {
        "import_orders": "enabled", "store": "default", "order_status": "custom", "processing_order_status": "",
    })
    assert response.status_code == 400
    assert "is required with Order Status custom" in response.context["form"].errors["processing_order_status"][0]
    html = response.content.decode()
    assert 'id="error-processing_order_status"' in html
    account.order_settings.refresh_from_db()
    assert account.order_settings.import_orders == "disabled"
    assert not account.settings_changes.exists()
    # The refused choice is shown again, not the stored one.
    assert response.context["form"]["order_status"].value() == "custom"


def test_enabled_without_a_store_is_refused(manager_client, account):
    response = manager_client.post(url(account), {"import_orders": "enabled", "store": ""})
    assert response.status_code == 400
    assert "store" in response.context["form"].errors
    assert not account.settings_changes.exists()


def test_a_value_that_is_no_option_is_refused(manager_client, account):
    response = manager_client.post(url(account), {"import_orders": "sometimes"})
    assert response.status_code == 400
    # The service's words, as the API and the command line give them.
    assert response.context["form"].errors["import_orders"][0] == "sometimes refused: must be one of disabled, enabled"
    assert not account.settings_changes.exists()


def test_disabling_import_keeps_the_other_values(manager_client, account):
    factories.import_enable(account, customer_creation="new_account")
    # The browser sends no disabled field: only Import Amazon Orders.
    assert manager_client.post(url(account), {"import_orders": "disabled"}).status_code == 302
    settings = account.order_settings
    settings.refresh_from_db()
    assert settings.import_orders == "disabled" and settings.customer_creation == "new_account"
    assert settings.store.code == "default"


def test_changing_a_field_while_disabled_is_refused(manager_client, account):
    response = manager_client.post(url(account), {"import_orders": "disabled", "customer_creation": "new_account"})
    assert response.status_code == 400
    assert "cannot be changed while import is disabled" in response.context["form"].errors["customer_creation"][0]
    account.order_settings.refresh_from_db()
    assert account.order_settings.customer_creation == "guest"


def test_staff_see_the_settings_read_only(staff_client, account):
    html = staff_client.get(url(account)).content.decode()
    assert "Only managers may change order settings" in html
    assert "Save order settings" not in html
    assert " disabled" in select_tag(html, "import_orders")


def test_an_account_without_settings_gets_the_defaults(manager_client, account):
    account.order_settings.delete()
    account.refresh_from_db()
    page = manager_client.get(url(account))
    assert page.status_code == 200 and page.context["form"]["import_orders"].value() == "disabled"
    assert manager_client.post(url(account), {"import_orders": "enabled", "store": "default"}).status_code == 302
    account.refresh_from_db()
    assert account.order_settings.import_orders == "enabled"


def test_home_without_accounts_invites_to_connect_one(manager_client, db):
    html = manager_client.get("/").content.decode()
    assert "No Amazon account is connected yet." in html and 'id="connect-account"' in html
