"""The REST API: every route, who may call it, refused input, and the same rules as the dashboard."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from saleschannel.api.tokens import api_token_create
from saleschannel.commerce.catalog.services import product_create
from tests.dashboard import factories

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user).key}")
    return client


@pytest.fixture
def staff_api(staff):
    return client_for(staff)


@pytest.fixture
def manager_api(manager):
    return client_for(manager)


@pytest.fixture
def world(account):
    product_create(sku="SKU-1", name="Blue mug", price="9.90", qty=10)
    waiting = factories.amazon_order_receive(account, factories.raw_order("302-9000000-0000001", buyer="Nina Secret"))
    return {"account": account, "waiting": waiting}


def read_routes(world) -> list[str]:
    a, o = world["account"], world["waiting"]
    return ["/api/v1/accounts", f"/api/v1/accounts/{a.pk}", f"/api/v1/accounts/{a.pk}/settings",
            "/api/v1/amazon-orders", f"/api/v1/amazon-orders/{o.pk}", "/api/v1/orders", "/api/v1/products",
            "/api/v1/stock/SKU-1", "/api/v1/schema"]


def write_routes(world) -> list[tuple[str, str]]:
    a, o = world["account"], world["waiting"]
    return [("patch", f"/api/v1/accounts/{a.pk}/settings"), ("put", f"/api/v1/accounts/{a.pk}/settings"),
            ("post", f"/api/v1/amazon-orders/{o.pk}/import"), ("post", f"/api/v1/amazon-orders/{o.pk}/retry"),
            ("post", f"/api/v1/accounts/{a.pk}/sync")]


def test_anonymous_calls_get_401_and_no_data(world):
    client = APIClient()
    for url in read_routes(world):
        response = client.get(url)
        assert response.status_code == 401, url
        assert set(json.loads(response.content)) == {"detail"}, url
        assert b"Nina" not in response.content and b"EU shop" not in response.content
    for method, url in write_routes(world):
        assert getattr(client, method)(url, {"import_orders": "enabled", "store": "default"},
                                       format="json").status_code == 401, url
    world["account"].order_settings.refresh_from_db()
    assert world["account"].order_settings.import_orders == "disabled"


def test_a_wrong_token_gets_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert client.get("/api/v1/accounts").status_code == 401


def test_a_user_without_staff_rights_gets_403(world):
    client = client_for(factories.user_make("visitor", staff=False))
    for url in read_routes(world)[:-1]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"Nina" not in response.content and b"EU shop" not in response.content


def test_staff_may_read_every_route(staff_api, world):
    for url in read_routes(world):
        assert staff_api.get(url).status_code == 200, url


def test_staff_may_not_change_anything(staff_api, world):
    for method, url in write_routes(world):
        response = getattr(staff_api, method)(url, {"import_orders": "enabled", "store": "default"}, format="json")
        assert response.status_code == 403, url
    world["account"].order_settings.refresh_from_db()
    assert world["account"].order_settings.import_orders == "disabled"
    assert not world["account"].settings_changes.exists()


def test_session_authentication_needs_the_csrf_token(manager, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    url = f"/api/v1/accounts/{world['account'].pk}/settings"
    assert client.get(url).status_code == 200
    response = client.patch(url, '{"import_orders": "enabled", "store": "default"}', content_type="application/json")
    assert response.status_code == 403
    assert not world["account"].settings_changes.exists()


def test_accounts_never_show_secrets(staff_api, world):
    body = staff_api.get("/api/v1/accounts").content.decode()
    assert "secret-refresh-token-value" not in body and "super-secret" not in body
    [account] = staff_api.get("/api/v1/accounts").json()
    assert account["credentials"] == {"refresh_token": "set", "client_secret": "set"}
    assert account["credentials_state"] == "ok" and account["import_orders"] == "disabled"


def test_settings_read_and_change(manager_api, manager, world):
    url = f"/api/v1/accounts/{world['account'].pk}/settings"
    assert manager_api.get(url).json() == {
        "import_orders": "disabled", "store": None, "customer_creation": "guest", "order_number_source": "store",
        "pending_orders": "no_reserve", "order_status": "default", "processing_order_status": None}
    response = manager_api.patch(url, {"import_orders": "enabled", "store": "default", "order_status": "custom",
                                       "processing_order_status": "processing"}, format="json")
    assert response.status_code == 200
    assert response.json()["order_status"] == "custom" and response.json()["store"] == "default"
    change = world["account"].settings_changes.get(field="import_orders")
    assert change.user == manager


@pytest.mark.parametrize(
    ("body", "status", "field", "message"),
    [
        # Values the document allows, refused by the rules as the settings stand: 409.
        ({"import_orders": "enabled"}, 409, "store", "is required when import is enabled"),
        ({"import_orders": "enabled", "store": "nowhere"}, 409, "store", "nowhere refused: no such store"),
        ({"import_orders": "enabled", "store": "default", "order_status": "custom"}, 409, "processing_order_status",
         "is required with Order Status custom"),
        ({"customer_creation": "new_account"}, 409, "customer_creation",
         "cannot be changed while import is disabled: enable import in the same change"),
        ({"import_orders": "enabled", "store": None}, 409, "store", "is required when import is enabled"),
        # Bodies the document refuses: 400.
        ({"import_orders": "maybe"}, 400, "import_orders", '"maybe" is not a valid choice.'),
        ({"store": 5}, 400, "store", "Not a valid string."),
        ({"colour": "blue"}, 400, "colour", "is not an order setting"),
        ({}, 400, "non_field_errors", "Send the settings to change as a JSON object."),
    ],
)
def test_refused_settings_name_the_field_and_save_nothing(manager_api, world, body, status, field, message):
    url = f"/api/v1/accounts/{world['account'].pk}/settings"
    response = manager_api.patch(url, body, format="json")
    assert response.status_code == status
    assert response.json() == {field: [message]}
    assert not world["account"].settings_changes.exists()
    assert manager_api.get(url).json()["import_orders"] == "disabled"


def test_store_null_is_no_store(manager_api, world):
    """#22: the document allows store null; with import disabled it is simply no store."""
    url = f"/api/v1/accounts/{world['account'].pk}/settings"
    for method in (manager_api.put, manager_api.patch):
        response = method(url, {"store": None}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["store"] is None


def test_amazon_orders_list_filters_and_detail(staff_api, world):
    account = world["account"]
    fba = factories.amazon_order_make(account, fba=True, status="SHIPPED", total="150.00")
    body = staff_api.get("/api/v1/amazon-orders?channel=FBA").json()
    assert [o["amazon_order_id"] for o in body["results"]] == [fba.amazon_order_id] and body["next"] is None
    assert staff_api.get("/api/v1/amazon-orders?total_min=100").json()["results"][0]["order_total"] == "150.0000"
    bad = staff_api.get("/api/v1/amazon-orders?total_min=lots&channel=XYZ")
    assert bad.status_code == 400 and set(bad.json()) == {"total_min", "channel"}
    detail = staff_api.get(f"/api/v1/amazon-orders/{world['waiting'].pk}").json()
    assert detail["items"][0]["sku"] == "SKU-1" and detail["shipping_address"]["city"] == "Berlin"
    assert detail["status_history"][0]["status"] == "Unshipped"
    assert staff_api.get("/api/v1/amazon-orders/999999").status_code == 404


def test_amazon_orders_pages(staff_api, account):
    for _ in range(7):
        factories.amazon_order_make(account)
    first = staff_api.get("/api/v1/amazon-orders?limit=5").json()
    assert len(first["results"]) == 5 and first["next"]
    second = staff_api.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    assert not {o["id"] for o in first["results"]} & {o["id"] for o in second["results"]}


def test_amazon_orders_number_search_is_exact_else_by_the_start(staff_api, account):
    exact = factories.amazon_order_make(account, order_id="302-5550000-0000001", import_state="imported",
                                        store_order_number="302-555")
    other = factories.amazon_order_make(account, order_id="302-5550000-0000002")

    def found(number: str) -> list[str]:
        return [o["amazon_order_id"] for o in staff_api.get(f"/api/v1/amazon-orders?number={number}").json()["results"]]

    assert found("302-555") == [exact.amazon_order_id]  # a store order number, exactly
    assert sorted(found("302-5550000-")) == [exact.amazon_order_id, other.amazon_order_id]
    assert found("5550000") == []  # never a substring


def test_import_by_hand_and_its_refusal(manager_api, world):
    order = world["waiting"]
    refused = manager_api.post(f"/api/v1/amazon-orders/{order.pk}/import")
    assert refused.status_code == 409
    assert refused.json() == {"detail": "Not imported: import disabled: enable Import Amazon Orders to import by hand"}
    factories.import_enable(world["account"])
    done = manager_api.post(f"/api/v1/amazon-orders/{order.pk}/import").json()
    assert done["imported"] and done["import_state"] == "imported" and done["store_order_number"]
    retry = manager_api.post(f"/api/v1/amazon-orders/{order.pk}/retry")
    assert retry.status_code == 409 and "Only an order whose import failed" in retry.json()["detail"]
    orders = manager_api.get("/api/v1/orders?channel=amazon").json()["results"]
    assert [o["number"] for o in orders] == [done["store_order_number"]]
    assert orders[0]["amazon_order_id"] == order.amazon_order_id
    detail = manager_api.get(f"/api/v1/orders/{orders[0]['id']}").json()
    assert detail["amazon_order"] == order.pk and detail["items"][0]["sku"] == "SKU-1"
    stock = manager_api.get("/api/v1/stock/SKU-1").json()
    assert stock["stocks"][0]["salable"] == "9.0000"
    assert stock["reservations"][0]["object_type"] == "order" and stock["reservations"][0]["held"] == "-1.0000"


def test_products_and_stock(staff_api, world):
    product_create(sku="SKU-2", name="Red mug", price="12.00", manage_stock=False)
    body = staff_api.get("/api/v1/products?q=SKU").json()
    assert [p["sku"] for p in body["results"]] == ["SKU-1", "SKU-2"]
    assert staff_api.get("/api/v1/stock/SKU-2").json()["manage_stock"] is False
    assert staff_api.get("/api/v1/stock/NOPE").status_code == 404


def test_sync_now_through_the_api(manager_api, world):
    """Asks the worker and answers at once (tests/api/test_sync_now.py has the rest)."""
    response = manager_api.post(f"/api/v1/accounts/{world['account'].pk}/sync")
    assert response.status_code == 202 and response.json()["state"] == "requested"
    assert manager_api.post("/api/v1/accounts/999999/sync").status_code == 404


def test_settings_change_from_a_form_encoded_body(manager_api, world):
    url = f"/api/v1/accounts/{world['account'].pk}/settings"
    response = manager_api.patch(url, "import_orders=enabled&store=default",
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response.json()["import_orders"] == "enabled"
