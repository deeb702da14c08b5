"""The stock settings through the REST API (T1, T15): staff read, managers change, refusals name the field."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from saleschannel.channel.models import SettingsChange
from saleschannel.channel.services.settings import order_settings_update
from saleschannel.channel.stock.models import Offer
from saleschannel.channel.stock.services import offer_learn
from saleschannel.commerce.catalog.services import product_create
from tests.api.test_api import client_for

pytestmark = pytest.mark.django_db


def url(account) -> str:
    return f"/api/v1/accounts/{account.pk}/stock-settings"


def test_t15_staff_read_the_stock_settings(staff, account):
    assert client_for(staff).get(url(account)).json() == {
        "push_stock": "disabled", "out_of_stock_threshold": 0, "max_listed_quantity": None,
        "unmanaged_quantity": 100, "handling_time": None}


def test_t15_anonymous_and_staff_without_the_manager_role_change_nothing(staff, account):
    assert APIClient().get(url(account)).status_code == 401
    response = client_for(staff).patch(url(account), {"out_of_stock_threshold": 3}, format="json")
    assert response.status_code == 403
    assert not SettingsChange.objects.exists()


def test_t15_a_manager_changes_them_and_the_change_is_recorded(manager, account):
    order_settings_update(account=account, changes={"import_orders": "enabled", "store": "default"})
    api = client_for(manager)
    response = api.patch(url(account), {"push_stock": "enabled", "max_listed_quantity": 20, "handling_time": None},
                         format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["push_stock"] == "enabled" and response.json()["max_listed_quantity"] == 20
    assert SettingsChange.objects.get(field="push_stock").user == manager
    assert api.put(url(account), {"max_listed_quantity": None}, format="json").json()["max_listed_quantity"] is None


def test_t1_a_change_the_rules_refuse_as_things_stand_is_a_409(manager, account):
    response = client_for(manager).patch(url(account), {"push_stock": "enabled"}, format="json")  # import disabled
    assert response.status_code == 409 and list(response.json()) == ["push_stock"]
    assert not SettingsChange.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"push_stock": "maybe"}, "push_stock"),
    ({"out_of_stock_threshold": -1}, "out_of_stock_threshold"),
    ({"out_of_stock_threshold": 1.5}, "out_of_stock_threshold"),
    ({"unmanaged_quantity": None}, "unmanaged_quantity"),
    ({"handling_time": 31}, "handling_time"),
    ({"colour": "blue"}, "colour"),
])
def test_t1_refused_values_name_the_field_and_change_nothing(manager, account, body, field):
    response = client_for(manager).patch(url(account), body, format="json")
    assert response.status_code == 400 and list(response.json()) == [field]
    assert not SettingsChange.objects.exists()


def test_t15_an_unknown_account_is_404(manager):
    assert client_for(manager).get("/api/v1/accounts/999/stock-settings").status_code == 404


def test_t15_offers_are_listed_and_filtered_by_state(staff, account):
    product_create(sku="MUG", name="Mug", price=1, qty=3)
    offer_learn(account=account, sku="FBA-1", product_type="PRODUCT", channels={"AMAZON_EU": 2}, status=[])
    api = client_for(staff)
    rows = api.get(f"/api/v1/accounts/{account.pk}/offers").json()
    assert {(r["sku"], r["state"]) for r in rows} == {("MUG", "not_on_amazon"), ("FBA-1", "not_in_store")}
    assert [r["sku"] for r in api.get(f"/api/v1/accounts/{account.pk}/offers?state=not_in_store").json()] == ["FBA-1"]
    assert api.get(f"/api/v1/accounts/{account.pk}/offers?state=nonsense").status_code == 400


def test_t11_a_manager_retries_an_offer_in_error_only(manager, staff, account):
    offer = offer_learn(account=account, sku="MUG", product_type="PRODUCT", channels={"DEFAULT": 2}, status=[])
    retry = f"/api/v1/accounts/{account.pk}/offers/MUG/retry"
    assert client_for(staff).post(retry).status_code == 403
    assert client_for(manager).post(retry).status_code == 400  # not in error
    Offer.objects.filter(pk=offer.pk).update(state="error")
    assert client_for(manager).post(retry).status_code == 200
    assert Offer.objects.get().state == "due"
    assert client_for(manager).post(f"/api/v1/accounts/{account.pk}/offers/NONE/retry").status_code == 404


def test_t15_the_offers_endpoints_are_in_the_openapi_document_and_answers_match_it(manager, account):
    from tests.api.test_schema import validate

    api = client_for(manager)
    schema = json.loads(api.get("/api/v1/schema").content)
    paths = {path for path in schema["paths"] if path.endswith("/offers") or path.endswith("/retry")}
    offers_path = next(p for p in paths if p.endswith("/offers"))
    assert offers_path in ("/api/v1/accounts/{id}/offers", "/api/v1/accounts/{pk}/offers")
    states = next(p for p in schema["paths"][offers_path]["get"]["parameters"] if p["name"] == "state")
    assert set(states["schema"]["enum"]) == set(Offer.State.values)
    product_create(sku="MUG", name="Mug", price=1, qty=3)
    offer_learn(account=account, sku="MUG", product_type="PRODUCT", channels={"DEFAULT": 2}, status=["BUYABLE"])
    response = api.get(f"/api/v1/accounts/{account.pk}/offers")
    assert response.status_code == 200 and response.json()[0]["sku"] == "MUG"
    validate(schema, offers_path, "get", 200, response.json())
