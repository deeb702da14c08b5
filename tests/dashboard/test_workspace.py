"""The Orders workspace, products and inventory, and the logs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from saleschannel.channel.models import OrderFetchRequest, SyncRun
from saleschannel.commerce.catalog.services import product_create
from saleschannel.commerce.inventory.models import Stock
from tests.dashboard import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(account):
    product_create(sku="SKU-1", name="Blue mug", price="9.90", qty=10)
    factories.import_enable(account)
    order = factories.amazon_order_receive(account, factories.raw_order("302-7777777-0000001", qty=2, total="19.80"))
    assert order.import_state == "imported"
    return order


def test_order_view_shows_the_amazon_order_number_beside_payment_and_shipping(staff_client, imported):
    response = staff_client.get(reverse("dashboard:order", args=[imported.store_order_id]))
    html = response.content.decode()
    block = html[html.index('id="payment-shipping"'):]
    block = block[: block.index("</dl>")]
    assert "Payment method" in block and "Shipping method" in block
    assert f'href="/amazon-orders/{imported.pk}/"' in block and imported.amazon_order_id in block
    assert "EU shop" in block
    assert "Product SKU-1" in html and "19.80 EUR" in html
    assert "Hauptstr. 1" in html
    assert 'id="order-history"' in html


def test_orders_list_and_its_filters(staff_client, imported, store_defaults):
    factories.store_order_make(store_defaults, number="W-100", email="walkin@example.com", lastname="Walker")
    rows = staff_client.get("/orders/").context["page"].rows
    assert [o.number for o in rows] == ["W-100", imported.store_order_number]
    assert [o.number for o in staff_client.get("/orders/?channel=amazon").context["page"].rows] == [
        imported.store_order_number]
    assert [o.number for o in staff_client.get("/orders/?channel=store").context["page"].rows] == ["W-100"]
    assert [o.number for o in staff_client.get(f"/orders/?number={imported.amazon_order_id}").context["page"].rows] == [
        imported.store_order_number]
    assert [o.number for o in staff_client.get("/orders/?customer=walker").context["page"].rows] == ["W-100"]
    html = staff_client.get("/orders/").content.decode()
    assert imported.amazon_order_id in html and "Amazon" in html


def test_query_count_of_the_orders_list_is_pinned(staff_client, store_defaults, django_assert_num_queries):
    for i in range(55):
        factories.store_order_make(store_defaults, number=f"W-{i:03d}")
    staff_client.get("/orders/")
    # session, user, manager check, banner count, reconnect banner, one page of orders (status, store joined).
    with django_assert_num_queries(6):
        response = staff_client.get("/orders/")
    assert len(response.context["page"].rows) == 50
    assert response.context["page"].next_cursor
    with django_assert_num_queries(6):
        staff_client.get(f"/orders/?after={response.context['page'].next_cursor}")


def test_product_page_shows_salable_quantity_and_the_reservations_behind_it(staff_client, imported):
    html = staff_client.get(reverse("dashboard:product", args=["SKU-1"])).content.decode()
    assert "Blue mug" in html
    # 10 on the source, 2 reserved by the FBM store order (R12): 8 salable.
    stock = Stock.objects.get()
    assert f'data-salable="{stock.pk}">8<' in html
    assert f'href="/orders/{imported.store_order_id}/"' in html
    listing = staff_client.get("/products/").content.decode()
    assert "SKU-1" in listing and "<strong>8</strong>" in listing


def test_unknown_pages_are_404(staff_client, account):
    assert staff_client.get("/orders/999999/").status_code == 404
    assert staff_client.get("/amazon-orders/999999/").status_code == 404
    assert staff_client.get("/accounts/999999/").status_code == 404
    assert staff_client.get("/products/NOPE/").status_code == 404


def test_sync_log_and_communication_errors(staff_client, account):
    now = timezone.now()
    SyncRun.objects.create(account=account, started_at=now - dt.timedelta(minutes=5), finished_at=now,
                           outcome="failed", api_calls=2, throttled=1,
                           error="searchOrders failed; HTTP 403; Unauthorized: Access to requested resource is denied.")
    SyncRun.objects.create(account=account, started_at=now, outcome="ok", fetched=12, created=3, api_calls=4,
                           api_calls_by_purpose={"incremental": 1, "recheck": 3}, rechecks_deferred=7)
    OrderFetchRequest.objects.create(account=account, amazon_order_id="302-1-1", requested_at=now, attempts=1,
                                     last_error="getOrder failed; HTTP 429; QuotaExceeded: You exceeded your quota")
    log = staff_client.get("/logs/sync/").content.decode()
    assert "Failed" in log and "Completed" in log and "Unauthorized: Access" in log
    assert "incremental 1 · recheck 3; 7 rechecks deferred" in log  # the calls by purpose (S1, S2a)
    errors = staff_client.get("/logs/errors/").content.decode()
    assert "Unauthorized" in errors and "QuotaExceeded" in errors and "getOrder 302-1-1" in errors
    assert staff_client.get(f"/logs/errors/?account={account.pk}").status_code == 200


def test_outbox_and_its_refusals_in_the_communication_errors(staff_client, account):
    from saleschannel.channel.outbox.models import OutboxAttempt, OutboxMessage

    now = timezone.now()
    message = OutboxMessage.objects.create(account=account, amazon_order_id="302-2-2", kind="confirm_shipment",
                                           package_reference_id="1", payload={}, state="refused", attempts=1,
                                           next_attempt_at=now, last_error="InvalidInput: carrier code unknown")
    OutboxAttempt.objects.create(message=message, attempted_at=now, outcome="refused", status=400,
                                 error_code="InvalidInput", error="carrier code unknown")
    html = staff_client.get("/").content.decode()
    outbox_url = html.split(">Outbox<")[0].rsplit('href="', 1)[1].split('"')[0]
    assert "302-2-2" in staff_client.get(outbox_url).content.decode()
    errors = staff_client.get("/logs/errors/").content.decode()
    assert "confirmShipment 302-2-2" in errors and "InvalidInput" in errors and "carrier code unknown" in errors
