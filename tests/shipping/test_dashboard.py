"""The order view's shipments, their confirmation to Amazon, and shipping from the dashboard (C23)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from saleschannel.channel.outbox.models import OutboxMessage
from saleschannel.channel.outbox.services import amazon_order_ship, outbox_send_due
from saleschannel.commerce.shipping.models import Shipment
from tests.dashboard.factories import user_make
from tests.shipping.conftest import ledger, source_qty

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def manager(db):
    return user_make("maria", manager=True)


@pytest.fixture
def manager_client(manager):
    client = Client()
    client.force_login(manager)
    return client


def panel(order, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load outbox %}{% order_shipments_panel order %}").render(
        Context({"order": order, "request": request, "csrf_token": "token"})
    )


def test_panel_shows_each_shipment_and_its_confirmation(imported, amazon, manager):
    amazon.recorder.refuse_carriers = frozenset({"UPSS"})
    _, order = imported()
    line_a = order.items.get(sku="SKU-A")
    now = amazon.clock.now()
    amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1ZFIRST", lines=[(line_a.pk, 1)],
                      now=now)
    outbox_send_due(now=now, client_factory=amazon.factory, clock=amazon.clock)
    amazon_order_ship(order=order, carrier_code="UPSS", tracking_number="1ZSECOND",
                      lines=[(line_a.pk, 1)], now=now)
    outbox_send_due(now=now, client_factory=amazon.factory, clock=amazon.clock)

    html = panel(order, manager)
    assert "1ZFIRST" in html and "Confirmed to Amazon" in html
    assert "1ZSECOND" in html and "Refused by Amazon" in html and "Invalid carrierCode" in html
    assert "Correct and resend" in html and 'id="ship-form"' in html  # SKU-B is left to ship
    staff = user_make("sam", manager=False)
    assert "Correct and resend" not in panel(order, staff) and 'id="ship-form"' not in panel(order, staff)


def test_fba_order_shows_no_ship_form(imported, manager):
    _, order = imported(status="Shipped", channel="FBA")
    html = panel(order, manager)
    assert 'id="ship-form"' not in html and "Fulfilled by Amazon" in html


def test_ship_from_the_dashboard(imported, manager_client):
    _, order = imported()
    items = {i.sku: i for i in order.items.all()}
    response = manager_client.post(f"/orders/{order.pk}/ship/", {
        f"qty_{items['SKU-A'].pk}": "2", f"qty_{items['SKU-B'].pk}": "0", "carrier": "UPS", "tracking": "1Z1",
        "source": "default", "ship_date": "",
    })
    assert response.status_code == 302 and response["Location"].endswith(f"/orders/{order.pk}/")
    shipment = Shipment.objects.get()
    assert [(i.sku, i.qty) for i in shipment.items.all()] == [("SKU-A", 2)]
    assert OutboxMessage.objects.get().shipment == shipment
    order.refresh_from_db()
    assert order.state == "processing" and source_qty("SKU-A") == 8


def test_refused_dashboard_input_names_the_field_and_changes_nothing(imported, manager_client):
    _, order = imported()
    item = order.items.get(sku="SKU-A")
    response = manager_client.post(f"/orders/{order.pk}/ship/", {f"qty_{item.pk}": "1", "carrier": "Other",
                                                                 "tracking": "1Z1"}, follow=True)
    assert "carrier_name" in response.content.decode()
    assert not Shipment.objects.exists() and source_qty("SKU-A") == 10 and ledger(order) == {"SKU-A": -2,
                                                                                              "SKU-B": -1}


def test_staff_may_look_but_not_ship(imported):
    _, order = imported()
    client = Client()
    client.force_login(user_make("sam", manager=False))
    response = client.post(f"/orders/{order.pk}/ship/", {"carrier": "UPS", "tracking": "1"})
    assert response.status_code == 403 and not Shipment.objects.exists()


def test_correct_and_resend_from_the_dashboard(imported, amazon, manager_client):
    amazon.recorder.refuse_carriers = frozenset({"UPSS"})
    _, order = imported()
    now = amazon.clock.now()
    shipment, message = amazon_order_ship(order=order, carrier_code="UPSS", tracking_number="1Z1", now=now)
    outbox_send_due(now=now, client_factory=amazon.factory, clock=amazon.clock)
    message.refresh_from_db()
    assert message.state == "refused"
    response = manager_client.post(f"/outbox/{message.pk}/resend/", {"carrier": "UPS", "carrier_name": "",
                                                                     "tracking": "1Z1", "ship_date": ""})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == "pending" and message.payload["packageDetail"]["carrierCode"] == "UPS"
    outbox_send_due(now=message.next_attempt_at, client_factory=amazon.factory, clock=amazon.clock)
    message.refresh_from_db()
    assert message.state == "sent" and amazon.recorder.accepted(str(shipment.pk)) == 1



def test_order_page_shows_the_shipments_panel(imported, amazon, manager_client):
    _, order = imported()
    amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1ZPAGE", now=amazon.clock.now())
    page = manager_client.get(f"/orders/{order.pk}/").content.decode()
    assert 'id="order-shipments"' in page and "1ZPAGE" in page and "Waiting to be sent" in page


def test_c39_correct_and_resend_changes_the_items_amazon_refused(imported, amazon, manager_client, enabled_account):
    from saleschannel.commerce.inventory.selectors import reserved_totals_verify
    from tests.shipping.conftest import snapshot_take
    from tests.sync.helpers import expected_reservations, reservations_balance

    ao, order = imported()
    amazon.app.cancel_line(ao.amazon_order_id)  # Amazon canceled SKU-B; the store has not seen it yet
    now = amazon.clock.now()
    shipment, message = amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1Z1", now=now)
    outbox_send_due(now=now, client_factory=amazon.factory, clock=amazon.clock)
    message.refresh_from_db()
    assert message.state == "refused"
    page = manager_client.get(f"/orders/{order.pk}/").content.decode()
    item_b = shipment.items.get(sku="SKU-B")
    assert f'name="item_{item_b.pk}"' in page

    response = manager_client.post(f"/outbox/{message.pk}/resend/", {
        "carrier": "UPS", "carrier_name": "", "tracking": "1Z1", "ship_date": "", f"item_{item_b.pk}": "0"})

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == "pending"
    assert [i["quantity"] for i in message.payload["packageDetail"]["orderItems"]] == [2]
    assert [(i.sku, i.qty) for i in shipment.items.all()] == [("SKU-A", 2)]
    order.refresh_from_db()
    assert order.state == "processing" and order.items.get(sku="SKU-B").qty_shipped == 0
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 5)
    assert ledger(order) == {"SKU-A": 0, "SKU-B": -1}
    assert reserved_totals_verify() == [] and reservations_balance() == expected_reservations()
    outbox_send_due(now=message.next_attempt_at, client_factory=amazon.factory, clock=amazon.clock)
    message.refresh_from_db()
    assert message.state == "sent" and amazon.recorder.accepted(str(shipment.pk)) == 1
    amazon.clock.advance(60)
    snapshot_take(enabled_account, amazon, ao.amazon_order_id)  # Amazon's cancellation reaches the store (C32)
    order.refresh_from_db()
    assert order.state == "complete" and ledger(order) == {"SKU-A": 0, "SKU-B": 0}
    assert reserved_totals_verify() == [] and reservations_balance() == expected_reservations()
