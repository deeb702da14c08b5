"""#22: list parameters as the document says them: refused with a 400 naming them, never ignored."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from saleschannel.api.tokens import api_token_create
from tests.dashboard import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(staff):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=staff).key}")
    return client


@pytest.mark.parametrize(("url", "field"), [
    ("/api/v1/orders?limit=null", "limit"),
    ("/api/v1/orders?limit=0", "limit"),
    ("/api/v1/orders?limit=201", "limit"),
    ("/api/v1/orders?limit=5&limit=6", "limit"),
    ("/api/v1/orders?colour=blue", "colour"),
    ("/api/v1/orders?after=nonsense", "after"),
    ("/api/v1/amazon-orders?account=0", "account"),
    ("/api/v1/amazon-orders?account=x", "account"),
    ("/api/v1/amazon-orders?channel=", "channel"),
    ("/api/v1/amazon-orders?problem=yes", "problem"),
    ("/api/v1/amazon-orders?purchased_from=2026-02-30", "purchased_from"),
    ("/api/v1/amazon-orders?total_min=1e3", "total_min"),
    ("/api/v1/amazon-orders?number=" + "9" * 65, "number"),
    ("/api/v1/products?q=%00", "q"),
])
def test_a_parameter_the_document_refuses_is_a_400_naming_it(api, account, url, field):
    response = api.get(url)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field] and isinstance(response.json()[field][0], str)


def test_an_account_that_does_not_exist_has_no_orders(api, account):
    factories.amazon_order_make(account)
    response = api.get("/api/v1/amazon-orders?account=999999")
    assert response.status_code == 200 and response.json() == {"next": None, "results": []}


def test_empty_ranges_have_no_orders_and_far_days_are_no_error(api, account):
    factories.amazon_order_make(account)
    assert api.get("/api/v1/amazon-orders?purchased_from=2026-02-01&purchased_to=2026-01-01").json()["results"] == []
    assert api.get("/api/v1/amazon-orders?total_min=10&total_max=5").json()["results"] == []
    assert api.get("/api/v1/amazon-orders?purchased_from=0001-01-01").status_code == 200
    assert api.get("/api/v1/amazon-orders?purchased_to=9999-12-31").json()["results"]


def test_next_links_carry_each_parameter_once(api, account):
    for _ in range(5):
        factories.amazon_order_make(account)
    first = api.get(f"/api/v1/amazon-orders?limit=2&channel=FBM&account={account.pk}").json()
    link = first["next"]
    query = link.split("?", 1)[1].split("&")
    assert sorted(p.split("=")[0] for p in query) == ["account", "after", "channel", "limit"]
    second = api.get(link).json()
    assert len(second["results"]) == 2
    third = api.get(second["next"]).json()
    assert len(third["results"]) == 1 and third["next"] is None


def test_an_unknown_api_address_is_a_json_404(api):
    for url in ("/api/v1/accounts/-1", "/api/v1/nothing-here"):
        response = api.get(url)
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}
