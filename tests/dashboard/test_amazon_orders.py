"""All Amazon orders: filters, keyset pages, query counts, and text shown as text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from saleschannel.channel.models import AmazonOrder
from tests.dashboard import factories

pytestmark = pytest.mark.django_db


def ids(response) -> set[str]:
    return {o.amazon_order_id for o in response.context["page"].rows}


@pytest.fixture
def orders(account):
    now = timezone.now()
    return {
        "a": factories.amazon_order_make(account, order_id="302-0000001-0000001", buyer="Anna Berg", total="15.00",
                                         purchased=now - dt.timedelta(days=1), import_state="imported",
                                         store_order_number="000000042"),
        "b": factories.amazon_order_make(account, order_id="302-0000002-0000002", buyer="Bob Stone", total="150.00",
                                         purchased=now - dt.timedelta(days=5), fba=True, status="SHIPPED",
                                         is_prime=True),
        "c": factories.amazon_order_make(account, order_id="302-0000003-0000003", buyer="Carla Anna", total="75.50",
                                         purchased=now - dt.timedelta(days=10), status="PENDING", import_state="error",
                                         reason="unreadable", is_business=True),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=Shipped", {"b"}),
        ("status=Pending", {"c"}),
        ("channel=FBA", {"b"}),
        ("channel=FBM", {"a", "c"}),
        ("import_state=imported", {"a"}),
        ("import_state=error", {"c"}),
        ("buyer=anna", {"a", "c"}),
        ("total_min=50", {"b", "c"}),
        ("total_max=75.50", {"a", "c"}),
        ("total_min=20&total_max=100", {"c"}),
        ("number=302-0000002-0000002", {"b"}),
        ("number=000000042", {"a"}),
        ("number=nothing", set()),
        ("problem=1", {"c"}),
        ("prime=yes", {"b"}),
        ("prime=no", {"a", "c"}),
        ("business=yes", {"c"}),
    ],
)
def test_filters(staff_client, orders, query, expected):
    response = staff_client.get(f"/amazon-orders/?{query}")
    assert response.status_code == 200
    assert ids(response) == {orders[k].amazon_order_id for k in expected}


def test_purchase_date_range_in_the_merchants_days(staff_client, orders, settings):
    settings.SALESCHANNEL_DISPLAY_TIME_ZONE = "Europe/Berlin"
    day = timezone.localdate(orders["b"].purchase_date, timezone=dt.timezone(dt.timedelta(hours=1)))
    start = (day - dt.timedelta(days=1)).isoformat()
    end = (day + dt.timedelta(days=1)).isoformat()
    response = staff_client.get(f"/amazon-orders/?purchased_from={start}&purchased_to={end}")
    assert ids(response) == {orders["b"].amazon_order_id}


def test_account_filter(staff_client, orders, account):
    other = factories.account_make("US shop", seller_id="A2", marketplace_id="ATVPDKIKX0DER")
    mine = factories.amazon_order_make(other)
    assert ids(staff_client.get(f"/amazon-orders/?account={other.pk}")) == {mine.amazon_order_id}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("total_min=abc", "total_min", "Enter a number."),
        ("purchased_from=2026-13-45", "purchased_from", "Enter a valid date."),
        ("purchased_from=2026-03-10&purchased_to=2026-03-01", "purchased_to", "Must be on or after the start date."),
        ("total_min=10&total_max=5", "total_max", "Must be at least the lower total."),
        ("status=<b>Nope</b>", "status", "Select a valid choice."),
    ],
)
def test_bad_filters_get_a_message_at_the_field(staff_client, orders, query, field, message):
    response = staff_client.get(f"/amazon-orders/?{query}")
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert response.context["page"] is None
    assert b"<b>Nope</b>" not in response.content


def test_text_from_amazon_is_shown_as_text(staff_client, account):
    factories.amazon_order_make(account, buyer='<script>alert("x")</script>', reason="<img src=x onerror=alert(1)>",
                                import_state="error")
    html = staff_client.get("/amazon-orders/").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_search_text_is_shown_as_text(staff_client, account):
    html = staff_client.get("/amazon-orders/?buyer=%3Cscript%3Ex%3C/script%3E").content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


@pytest.mark.parametrize("accounts", [1, 3])
def test_keyset_pages_walk_every_row_once(staff_client, account, accounts):
    others = [factories.account_make(f"Shop {i}", seller_id=f"S{i}", marketplace_id=f"M{i}") for i in range(1, accounts)]
    everyone = [account, *others]
    base = timezone.now() - dt.timedelta(days=3)
    # Many rows share a purchase time, across accounts too: the primary key breaks the ties.
    made = {factories.amazon_order_make(everyone[i % len(everyone)],
                                        purchased=base - dt.timedelta(minutes=i % 40)).amazon_order_id
            for i in range(115)}
    unreadable = factories.amazon_order_make(account, import_state="error", reason="unreadable")
    AmazonOrder.objects.filter(pk=unreadable.pk).update(purchase_date=None)
    made.add(unreadable.amazon_order_id)
    seen: list[str] = []
    url = "/amazon-orders/?channel=FBM"
    pages = 0
    while url and pages < 10:
        response = staff_client.get(url)
        page = response.context["page"]
        seen += [o.amazon_order_id for o in page.rows]
        pages += 1
        url = f"/amazon-orders/?channel=FBM&after={page.next_cursor}" if page.next_cursor else None
    assert pages == 3
    assert len(seen) == len(set(seen)) == len(made)
    assert set(seen) == made
    # Newest first, rows without a purchase date first.
    rows = list(AmazonOrder.objects.filter(amazon_order_id__in=seen))
    by_id = {o.amazon_order_id: o for o in rows}
    keys = [(by_id[i].purchase_date is not None, -(by_id[i].purchase_date or base).timestamp(), -by_id[i].pk)
            for i in seen]
    assert keys == sorted(keys)


@pytest.mark.parametrize("cursor", ["garbage.x", "1.99999999999999999999999", "99999999999999999999999.1", "n.",
                                    "-5.3", ".", "n.9223372036854775808"])
def test_a_cursor_that_is_not_ours_gives_the_first_page(staff_client, orders, cursor):
    response = staff_client.get(f"/amazon-orders/?after={cursor}")
    assert response.status_code == 200 and len(response.context["page"].rows) == 3


def test_extreme_dates_are_refused_at_the_field(staff_client, orders, settings):
    settings.SALESCHANNEL_DISPLAY_TIME_ZONE = "Europe/Berlin"
    response = staff_client.get("/amazon-orders/?purchased_from=0001-01-01&purchased_to=9999-12-31")
    assert response.status_code == 400
    assert response.context["form"].errors["purchased_from"] == ["Enter a date between 1990 and 2999."]
    assert response.context["form"].errors["purchased_to"] == ["Enter a date between 1990 and 2999."]


def test_query_count_of_the_list_is_pinned(staff_client, account, django_assert_num_queries):
    for _ in range(60):
        factories.amazon_order_make(account, import_state="imported", store_order_number="000000001")
    staff_client.get("/amazon-orders/")  # warm the session and the user
    # session, user, manager check, banner count, reconnect banner, accounts for the filter, account ids,
    # one page per account.
    with django_assert_num_queries(8):
        staff_client.get("/amazon-orders/")
    with django_assert_num_queries(8):
        staff_client.get("/amazon-orders/?status=Unshipped&buyer=jane&total_min=1")
    # One account chosen: no account ids needed.
    with django_assert_num_queries(7):
        staff_client.get(f"/amazon-orders/?account={account.pk}")
    # A search by number adds its two indexed look-ups and reads across accounts at once.
    with django_assert_num_queries(9):
        staff_client.get("/amazon-orders/?number=000000001")


def test_query_count_of_recent_orders_is_pinned(staff_client, account, django_assert_num_queries):
    for _ in range(30):
        factories.amazon_order_make(account)
    staff_client.get(f"/accounts/{account.pk}/")
    # The banner's count and the account's problems come from one query (problems per account);
    # the latest "Sync now" and whether a worker runs, one each; one more counts the offers in
    # error or drift (T14).
    with django_assert_num_queries(16):
        response = staff_client.get(f"/accounts/{account.pk}/")
    assert len(response.context["recent"]) == 20


def test_all_accounts_cost_one_indexed_query_each(staff_client, account, django_assert_num_queries):
    for i in range(1, 3):
        factories.amazon_order_make(factories.account_make(f"Shop {i}", seller_id=f"S{i}", marketplace_id=f"M{i}"))
    factories.amazon_order_make(account)
    staff_client.get("/amazon-orders/")
    with django_assert_num_queries(10):
        response = staff_client.get("/amazon-orders/")
    assert len(response.context["page"].rows) == 3
