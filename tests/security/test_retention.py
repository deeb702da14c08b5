"""C27: buyer data is masked a configurable number of days after the order shipped or was
canceled, in Amazon's snapshots and in guest store orders; the books keep their numbers.
Customer accounts stay unless a setting asks."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from saleschannel.channel.services.retention import MASKED_NAME, buyer_data_mask
from tests.channel.factories import order_dict, with_status
from tests.security.conftest import connect_account

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
EMAIL = "kept.too.long@marketplace.amazon.com"
NAME = "Retention Buyer"
STREET = "1 Main St"


def receive(account, body, at):
    from saleschannel.channel.services.imports.importer import amazon_order_evaluate, amazon_order_record
    from saleschannel.spapi.models import read_order

    stored, _ = amazon_order_record(account=account, order=read_order(body), seen_at=at)
    amazon_order_evaluate(amazon_order=stored)
    stored.refresh_from_db()
    return stored


@pytest.fixture
def orders(store_defaults):
    """An account's orders: canceled after import, shipped by Amazon, still open, never imported."""
    from tests.channel.conftest import make_product

    make_product("SKU-A", 50)
    account = connect_account()
    made = {}
    for name, channel, final in (("canceled", "FBM", "Canceled"), ("fba", "FBA", None), ("open", "FBM", None)):
        body = order_dict(items=[("SKU-A", 1)], channel=channel, created=NOW - dt.timedelta(hours=3),
                          updated=NOW - dt.timedelta(hours=2), buyer_email=EMAIL, buyer_name=NAME,
                          status="Shipped" if channel == "FBA" else "Unshipped")
        order = receive(account, body, NOW - dt.timedelta(hours=2))
        assert order.import_state == "imported", order.reason
        if final:
            order = receive(account, with_status(body, final, at=NOW - dt.timedelta(minutes=1)), NOW)
        made[name] = order
    return account, made


def store_order_of(amazon_order):
    from saleschannel.commerce.sales.models import Order

    return Order.objects.prefetch_related("addresses", "items").get(pk=amazon_order.store_order_id)


def test_nothing_is_masked_before_the_days_are_over(orders):
    assert buyer_data_mask(now=NOW + dt.timedelta(days=29)) == 0
    _, made = orders
    made["canceled"].refresh_from_db()
    assert made["canceled"].buyer_name == NAME and EMAIL in json.dumps(made["canceled"].raw)


def test_finished_orders_are_masked_after_the_days_and_the_books_keep_their_numbers(orders, staff_client):
    from saleschannel.spapi.models import Order, read_order

    _, made = orders
    totals = {k: (store_order_of(o).grand_total, store_order_of(o).number) for k, o in made.items()}
    assert buyer_data_mask(now=NOW + dt.timedelta(days=31)) == 4  # two snapshots, two guest store orders
    for key in ("canceled", "fba"):
        order = made[key]
        order.refresh_from_db()
        raw = json.dumps(order.raw)
        assert order.buyer_name == MASKED_NAME
        assert EMAIL not in raw and NAME not in raw and STREET not in raw
        assert "Seattle" in raw and "98101" in raw and order.raw["proceeds"]["grandTotal"]
        assert isinstance(read_order(order.raw), Order)  # still Amazon's model: the pages read it
        store = store_order_of(order)
        assert EMAIL not in store.customer_email and store.customer_firstname == MASKED_NAME
        assert (store.grand_total, store.number) == totals[key] and store.items.count() == 1
        for address in store.addresses.all():
            assert (address.street, address.telephone, address.lastname) == ("", "", "")
            assert address.city == "Seattle" and address.postcode == "98101"
    opened = made["open"]
    opened.refresh_from_db()
    assert opened.buyer_name == NAME and store_order_of(opened).customer_email == EMAIL
    assert buyer_data_mask(now=NOW + dt.timedelta(days=31)) == 0  # nothing twice
    page = staff_client.get(f"/amazon-orders/{made['canceled'].pk}/")
    assert page.status_code == 200 and MASKED_NAME in page.content.decode() and EMAIL not in page.content.decode()


@pytest.fixture
def staff_client(db, client, settings):
    from tests.dashboard.factories import user_make

    client.force_login(user_make("sam"))
    return client


def test_the_number_of_days_is_a_setting(orders, settings):
    settings.SALESCHANNEL_BUYER_DATA_RETENTION_DAYS = 5
    assert buyer_data_mask(now=NOW + dt.timedelta(days=4)) == 0
    assert buyer_data_mask(now=NOW + dt.timedelta(days=6)) == 4
    settings.SALESCHANNEL_BUYER_DATA_RETENTION_DAYS = "soon"
    with pytest.raises(ValueError, match="RETENTION_DAYS"):
        buyer_data_mask(now=NOW)


def test_customer_accounts_stay_unless_a_setting_asks(store_defaults, settings):
    from saleschannel.channel.services.settings import order_settings_update
    from saleschannel.commerce.customers.models import Customer
    from tests.channel.conftest import make_product

    make_product("SKU-A", 5)
    account = connect_account()
    order_settings_update(account=account, changes={"customer_creation": "new_account"})
    body = order_dict(items=[("SKU-A", 1)], created=NOW - dt.timedelta(hours=3), updated=NOW - dt.timedelta(hours=2),
                      buyer_email=EMAIL, buyer_name=NAME)
    receive(account, body, NOW - dt.timedelta(hours=2))
    order = receive(account, with_status(body, "Canceled", at=NOW - dt.timedelta(minutes=1)), NOW)
    assert store_order_of(order).customer_id is not None
    assert buyer_data_mask(now=NOW + dt.timedelta(days=31)) == 1  # the snapshot only
    assert Customer.objects.get().email == EMAIL and store_order_of(order).customer_email == EMAIL
    settings.SALESCHANNEL_RETENTION_MASK_CUSTOMERS = True
    assert buyer_data_mask(now=NOW + dt.timedelta(days=31)) == 2  # the store order and the customer
    customer = Customer.objects.get()
    assert EMAIL not in customer.email and customer.firstname == MASKED_NAME


def test_an_address_corrected_before_import_is_masked_too(store_defaults):
    from saleschannel.channel.models import AddressCorrection
    from saleschannel.dashboard.services import amazon_order_address_correct

    account = connect_account()
    body = order_dict(items=[("SKU-NONE", 1)], status="Pending", created=NOW - dt.timedelta(hours=3),
                      updated=NOW - dt.timedelta(hours=2), buyer_email=EMAIL, buyer_name=NAME)
    order = receive(account, body, NOW - dt.timedelta(hours=2))
    amazon_order_address_correct(amazon_order_pk=order.pk, address={"addressLine1": "2 Side St", "name": NAME},
                                 user=None)
    receive(account, with_status(body, "Canceled", at=NOW - dt.timedelta(minutes=1)), NOW)
    assert buyer_data_mask(now=NOW + dt.timedelta(days=31)) == 1
    correction = AddressCorrection.objects.get()
    stored = json.dumps([correction.original, correction.corrected])
    assert STREET not in stored and "2 Side St" not in stored and NAME not in stored and "Seattle" in stored


def test_the_command_masks_and_refuses_bad_days(orders, capsys):
    from saleschannel.cli import main

    assert main(["retention", "run", "--days", "abc"]) == 2
    assert main(["retention", "run", "--days", "-1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all("days" in line for line in err)
    _, made = orders
    made["canceled"].refresh_from_db()
    assert made["canceled"].buyer_name == NAME  # refused: nothing changed
    assert main(["retention", "run", "--days", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"days": 0, "masked": 4}
    assert main(["retention", "run", "--days", "0"]) == 0
    assert "masked the buyer data of 0 records" in capsys.readouterr().out


def test_the_worker_masks_once_a_day_across_workers(orders):
    """The worker loop runs the job when its daily lease is due: once, then not again that day."""
    from saleschannel.channel.models import Account
    from saleschannel.spapi.clock import FakeClock
    from saleschannel.workers.loop import RETENTION_LEASE, Worker
    from saleschannel.workers.models import Lease

    account, made = orders
    Account.objects.filter(pk=account.pk).update(credentials_state=Account.CredentialsState.NEEDS_RECONNECTING)
    clock = FakeClock(NOW + dt.timedelta(days=31))
    first, second = Worker(clock=clock), Worker(clock=clock)
    first.tick()
    made["canceled"].refresh_from_db()
    assert made["canceled"].buyer_name == MASKED_NAME
    due = Lease.objects.get(key=RETENTION_LEASE).due_at
    assert due == clock.now() + dt.timedelta(days=1)
    made["open"].refresh_from_db()
    opened = made["open"]
    receive(account, with_status(opened.raw, "Canceled", at=NOW), NOW)  # one more finished order
    clock.advance(120)
    second.tick()
    opened.refresh_from_db()
    assert opened.buyer_name == NAME, "not again the same day, by any worker"
    clock.advance(24 * 3600)
    second.tick()
    opened.refresh_from_db()
    assert opened.buyer_name == MASKED_NAME and Lease.objects.get(key=RETENTION_LEASE).due_at > due
