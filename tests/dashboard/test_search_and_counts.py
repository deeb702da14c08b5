"""The order number search (exact, else by the start of a number) and what the counts promise.

The search reads index ranges only: an exact Amazon or store order number first; only when
no order has it, the orders whose number starts with it, at most ``PREFIX_LIMIT`` per
number column. Never a substring. Waiting, error and the banner are always exact;
imported and not importable are exact up to ``COUNT_CAP``, above it recounted every
``RECOUNT_S`` seconds.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from saleschannel.channel.models import AmazonOrder
from saleschannel.dashboard import selectors
from tests.dashboard import factories

pytestmark = pytest.mark.django_db


def ids(response) -> list[str]:
    return [o.amazon_order_id for o in response.context["page"].rows]


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def numbered(account):
    now = timezone.now()
    make = factories.amazon_order_make
    return {
        "a": make(account, order_id="302-1111111-0000001", purchased=now - dt.timedelta(days=1),
                  import_state="imported", store_order_number="000000123"),
        "b": make(account, order_id="302-1111111-0000002", purchased=now - dt.timedelta(days=2),
                  import_state="imported", store_order_number="000000124"),
        "c": make(account, order_id="305-2222222-0000003", purchased=now - dt.timedelta(days=3)),
        # A store order number that is another order's Amazon order number starts.
        "d": make(account, order_id="407-3333333-0000004", purchased=now - dt.timedelta(days=4),
                  import_state="imported", store_order_number="302-1111111"),
    }


def test_an_exact_number_finds_only_its_order_even_when_others_start_with_it(staff_client, numbered):
    # "302-1111111" is d's store order number exactly, and the start of a's and b's Amazon numbers.
    response = staff_client.get("/amazon-orders/?number=302-1111111")
    assert ids(response) == ["407-3333333-0000004"]
    assert response.context["page"].notes == ()


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("302-1111111-000000", ["302-1111111-0000001", "302-1111111-0000002"]),  # start of Amazon numbers
        ("305", ["305-2222222-0000003"]),
        ("00000012", ["302-1111111-0000001", "302-1111111-0000002"]),  # start of store order numbers
        ("000000124", ["302-1111111-0000002"]),  # exact
        ("302-1111111-0000002", ["302-1111111-0000002"]),  # exact
    ],
)
def test_the_start_of_a_number_finds_its_orders_newest_first(staff_client, numbered, number, expected):
    assert ids(staff_client.get(f"/amazon-orders/?number={number}")) == expected


@pytest.mark.parametrize("number", ["1111111", "0000003", "123", "2222222-0000003", "nothing"])
def test_no_substring_search(staff_client, numbered, number):
    response = staff_client.get(f"/amazon-orders/?number={number}")
    assert response.status_code == 200 and ids(response) == []
    assert "search-note" not in response.content.decode()


def test_an_order_without_a_store_number_is_never_found_by_one(account, staff_client):
    factories.amazon_order_make(account, order_id="111-0000000-0000001")  # store_order_number ""
    assert selectors.number_matches("0").ids == []
    assert ids(staff_client.get("/amazon-orders/?number=0")) == []


def test_a_search_by_the_start_says_so(staff_client, numbered):
    html = staff_client.get("/amazon-orders/?number=305").content.decode()
    assert 'id="search-note"' in html
    assert "No order has the number “305”" in html and "starts with it" in html
    assert "More than" not in html


def test_a_search_by_the_start_is_bounded_and_says_when_there_are_more(staff_client, account, monkeypatch):
    monkeypatch.setattr(selectors, "PREFIX_LIMIT", 3)
    for i in range(5):
        factories.amazon_order_make(account, order_id=f"999-0000000-000000{i}")
    found = selectors.number_matches("999-")
    assert found.prefix and found.more and len(found.ids) == 3
    response = staff_client.get("/amazon-orders/?number=999-")
    assert len(ids(response)) == 3
    assert "More than 3 do: only 3 of them are shown; type more of the number." in response.content.decode()


def test_a_search_within_an_account(staff_client, numbered, account):
    other = factories.account_make("US shop", seller_id="A2SELLER", marketplace_id="ATVPDKIKX0DER")
    factories.amazon_order_make(other, order_id="305-9999999-0000009")
    assert ids(staff_client.get("/amazon-orders/?number=305")) == ["305-9999999-0000009", "305-2222222-0000003"]
    assert ids(staff_client.get(f"/amazon-orders/?number=305&account={account.pk}")) == ["305-2222222-0000003"]
    assert ids(staff_client.get(f"/amazon-orders/?number=305&account={other.pk}")) == ["305-9999999-0000009"]


def test_the_problem_index_counts_exactly_what_the_banner_counts():
    """The partial index ``channel_ao_problem`` serves the banner only while the two conditions agree."""
    index = next(i for i in AmazonOrder._meta.indexes if i.name == "channel_ao_problem")
    assert isinstance(index.condition, Q)
    assert index.condition == selectors.problem_filter()


def _states(account, **n):
    for state, count in n.items():
        for _ in range(count):
            factories.amazon_order_make(account, import_state=state,
                                        reason_code="out_of_stock" if state == "waiting" else "")


def test_counts_are_exact_below_the_cap(staff_client, account):
    _states(account, imported=3, waiting=2, not_importable=1, error=1)
    counts = selectors.import_state_counts(account=account)[account.pk]
    assert counts == {"imported": 3, "waiting": 2, "not_importable": 1, "error": 1}
    response = staff_client.get(f"/accounts/{account.pk}/")
    assert response.context["counts"] == counts and response.context["problems"] == 3
    assert "recount-note" not in response.content.decode()


def test_large_counts_are_recounted_every_few_minutes_problems_always(staff_client, account, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    _states(account, imported=3, waiting=3, not_importable=1, error=3)
    assert selectors.import_state_counts(account=account)[account.pk] == {
        "imported": 3, "waiting": 3, "not_importable": 1, "error": 3}
    # More orders arrive: waiting, error, the banner and counts under the cap show them at once;
    # the imported count above the cap is the one made a moment ago, until it is recounted.
    _states(account, imported=2, waiting=1, not_importable=1, error=1)
    response = staff_client.get(f"/accounts/{account.pk}/")
    assert response.context["counts"] == {"imported": 3, "waiting": 4, "not_importable": 2, "error": 4}
    assert response.context["problems"] == 8 and response.context["problem_count"] == 8
    html = response.content.decode()
    assert 'id="recount-note"' in html and "above 2 are recounted every 5 minutes" in html
    home = staff_client.get("/")
    assert home.context["rows"][0]["counts"]["imported"] == 3 and home.context["rows"][0]["problems"] == 8
    assert home.context["problem_count"] == 8
    assert 'id="recount-note"' in home.content.decode()
    cache.clear()  # what RECOUNT_S seconds do
    assert selectors.import_state_counts(account=account)[account.pk]["imported"] == 5


def test_counts_per_account_on_the_home_page(staff_client, account):
    other = factories.account_make("US shop", seller_id="A2SELLER", marketplace_id="ATVPDKIKX0DER")
    _states(account, imported=2, error=1)
    _states(other, waiting=1)
    counts = selectors.import_state_counts()
    assert counts[account.pk] == {"imported": 2, "waiting": 0, "not_importable": 0, "error": 1}
    assert counts[other.pk] == {"imported": 0, "waiting": 1, "not_importable": 0, "error": 0}
    assert selectors.problem_counts() == {account.pk: 1, other.pk: 1}
    assert selectors.problem_order_count() == 2


def test_the_list_leaves_the_snapshot_unread(staff_client, numbered):
    rows = staff_client.get("/amazon-orders/").context["page"].rows
    assert rows and all("raw" in row.get_deferred_fields() for row in rows)
