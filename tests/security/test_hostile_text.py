"""Text from Amazon (a buyer's name, an address, a product title) and from search fields is shown
as text, never run as markup or SQL, on every page and in every API answer."""

from __future__ import annotations

import json

import pytest

from tests.security.conftest import import_order
from tests.security.routes import URLCONF, fill, project_routes

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]

SCRIPT = "<script>alert('x')</script>"
IMG = '"><img src=x onerror=alert(1)>'
SQL = "' OR 1=1 --"
HOSTILE = f"{IMG} {SCRIPT} {SQL}"
MARKUP = ("<script>alert", "<img src=x", "onerror=alert(1)>")


@pytest.fixture
def hostile(world):
    """The world's order, plus one whose buyer, address and unknown product's title are hostile."""
    from saleschannel.channel.services.settings import order_settings_update

    order_settings_update(account=world.account, changes={"customer_creation": "new_account"})
    body_kwargs = {"buyer_name": HOSTILE, "buyer_email": "o'brien+x@example.com", "items": [("EVIL-1", 1)]}
    order = import_order(world.account, **body_kwargs)
    assert order.import_state == "imported", order.reason
    raw = order.raw
    raw["orderItems"][0]["product"]["title"] = HOSTILE
    raw["recipient"]["deliveryAddress"]["addressLine1"] = HOSTILE
    type(order).objects.filter(pk=order.pk).update(raw=raw)
    from saleschannel.commerce.catalog.models import Product

    Product.objects.filter(sku="EVIL-1").update(name=HOSTILE)
    world.amazon_order, world.store_order, world.sku = order, order.store_order, "EVIL-1"
    return world


def test_amazons_text_is_escaped_on_every_page_and_plain_data_in_the_api(hostile):
    client = hostile.client("manager")
    shown_escaped = 0
    for route in project_routes():
        if route.name == "dashboard:logout":
            continue
        path = fill(route, hostile)
        response = client.get(path)
        assert response.status_code < 500 or route.name == "connect:start", path
        text = response.content.decode()
        if route.is_api:
            assert response["Content-Type"].startswith(("application/json", "application/vnd.oai.openapi+json")), path
            json.loads(text)  # data, never a page
            continue
        for markup in MARKUP:
            assert markup not in text, f"{markup!r} unescaped on {path}"
        shown_escaped += "&lt;script&gt;alert(" in text
    assert shown_escaped >= 3  # the control: the hostile name was on the pages, escaped


def test_the_api_returns_the_hostile_text_exactly_as_amazon_sent_it(hostile):
    client = hostile.client("staff")
    answer = client.get(f"/api/v1/amazon-orders/{hostile.amazon_order.pk}").json()
    assert HOSTILE in json.dumps(answer, ensure_ascii=False)


NEEDLES = [SQL, SCRIPT, IMG, "%", "_", "\\", "'; DROP TABLE sales_order; --"]


def test_search_fields_take_text_as_text(hostile):
    for needle in NEEDLES:
        search_everywhere(hostile, needle)
    from saleschannel.commerce.sales.models import Order

    assert Order.objects.count() == 2


def search_everywhere(hostile, needle: str) -> None:
    client = hostile.client("staff")
    known = hostile.amazon_order.amazon_order_id
    searches = [
        ("/amazon-orders/", {"buyer": needle}), ("/amazon-orders/", {"number": needle}),
        ("/orders/", {"customer": needle}), ("/orders/", {"number": needle}), ("/orders/", {"status": needle}),
        ("/products/", {"q": needle}),
        ("/api/v1/amazon-orders", {"buyer": needle}), ("/api/v1/amazon-orders", {"number": needle}),
        ("/api/v1/orders", {"customer": needle}), ("/api/v1/products", {"q": needle}),
    ]
    for path, params in searches:
        response = client.get(path, params)
        assert response.status_code in (200, 400), (path, params)
        text = response.content.decode()
        if path.startswith("/api/"):
            assert response["Content-Type"].startswith("application/json"), (path, params)
        else:
            for markup in MARKUP:
                assert markup not in text, (path, params)
        if needle not in HOSTILE:  # nothing matches: no row may come back (an injected OR would list all)
            assert known not in text and hostile.store_order.number not in text.replace(known, ""), (path, params)


def test_a_search_finds_the_hostile_buyer_by_its_own_text(hostile):
    client = hostile.client("staff")
    found = client.get("/amazon-orders/", {"buyer": SQL})
    assert hostile.amazon_order.amazon_order_id in found.content.decode()
    other = client.get("/amazon-orders/", {"buyer": "Nobody By This Name"})
    assert hostile.amazon_order.amazon_order_id not in other.content.decode()
