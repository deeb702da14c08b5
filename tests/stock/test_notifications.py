"""T12: Amazon's listings notifications on the channel's notification endpoint, with the
installation secret, routed by SellerId; forged or malformed ones change nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from saleschannel.channel.services.accounts import account_connect
from saleschannel.channel.stock.models import Offer
from saleschannel.channel.stock.services import offers_drift_mark
from saleschannel.spapi.sandbox.notify import eventbridge_event, mfn_quantity_change_notification
from tests.channel.conftest import make_product
from tests.channel.factories import T0

URL = "/notifications/amazon/order-change"
SECRET = "notify-secret-for-tests"
SELLER = "A1SELLER"  # the channel fixtures' account
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _secret(monkeypatch):
    monkeypatch.setenv("SALESCHANNEL_NOTIFY_SECRET", SECRET)


def post(client, body, key=SECRET):
    data = body if isinstance(body, str) else json.dumps(body)
    headers = {"x-api-key": key} if key is not None else {}
    return client.post(URL, data=data, content_type="application/json", headers=headers)


def quantity_change(sku="MUG", quantity=4, seller=SELLER):
    return mfn_quantity_change_notification(seller_id=seller, sku=sku, quantity=quantity, now=T0)


def status_change(sku="MUG", status=("DISCOVERABLE",), seller=SELLER):
    return {"NotificationVersion": "1.0", "NotificationType": "LISTINGS_ITEM_STATUS_CHANGE", "PayloadVersion": "1.0",
            "EventTime": "2026-11-01T11:59:53.109Z",
            "Payload": {"SellerId": seller, "MarketplaceId": "ATVPDKIKX0DER", "Asin": "B000000001", "Sku": sku,
                        "CreatedDate": "2026-10-01T00:00:00Z", "Status": list(status)},
            "NotificationMetadata": {"ApplicationId": "app", "SubscriptionId": "sub",
                                     "PublishTime": "2026-11-01T11:59:53.109Z", "NotificationId": "n-1"}}


def test_t12_a_quantity_change_records_amazons_quantity_and_drift_follows(client, pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer = offer_of("MUG", 7)
    Offer.objects.filter(pk=offer.pk).update(state="in_sync", last_accepted_quantity=7, last_accepted_version=1,
                                             last_accepted_at=T0 - dt.timedelta(hours=1))
    response = post(client, eventbridge_event(quantity_change(quantity=4), T0))
    assert response.status_code == 202, response.content
    offer.refresh_from_db()
    assert offer.amazon_quantity == 4 and offer.state == "in_sync"  # not yet: Amazon's own orders may explain it
    later = offer.amazon_quantity_at + dt.timedelta(minutes=10)
    assert offers_drift_mark(account=pushing_account, now=later) == 1
    offer.refresh_from_db()
    assert offer.state == "drift" and offer.due_reason == "drift"


def test_t12_c48_a_listing_of_no_store_product_is_not_in_store(client, pushing_account):
    assert post(client, quantity_change(sku="NOT-OURS")).status_code == 202
    assert Offer.objects.get(sku="NOT-OURS").state == "not_in_store"


def test_t12_status_changes_update_the_offers_status(client, pushing_account, offer_of):
    make_product("MUG", qty=7)
    offer_of("MUG", 7)
    assert post(client, status_change()).status_code == 202
    assert Offer.objects.get(sku="MUG").amazon_status == ["DISCOVERABLE"]


@pytest.mark.parametrize("key", [None, "", "wrong", SECRET + "x"])
def test_t12_a_forged_listings_notification_is_refused_and_changes_nothing(client, pushing_account, offer_of, key):
    make_product("MUG", qty=7)
    offer_of("MUG", 7)
    response = post(client, quantity_change(quantity=1), key=key)
    assert response.status_code == 401 and SECRET not in response.content.decode()
    assert Offer.objects.get(sku="MUG").amazon_quantity == 7


@pytest.mark.parametrize("change", [
    lambda n: n["Payload"].pop("Sku"),
    lambda n: n["Payload"].update(Quantity="many"),
    lambda n: n["Payload"].update(Quantity=-1),
    lambda n: n["Payload"].update(SellerId="bad seller id!"),
    lambda n: n.pop("NotificationMetadata"),
    lambda n: n.update(Payload=[]),
])
def test_t12_a_malformed_listings_notification_is_400_and_changes_nothing(client, pushing_account, offer_of, change):
    make_product("MUG", qty=7)
    offer_of("MUG", 7)
    body = quantity_change(quantity=1)
    change(body)
    assert post(client, body).status_code == 400
    assert Offer.objects.get(sku="MUG").amazon_quantity == 7


def test_t12_an_unknown_seller_is_404(client, pushing_account):
    assert post(client, quantity_change(seller="A9UNKNOWN")).status_code == 404
    assert not Offer.objects.exists()


def test_t12_c42_two_accounts_of_one_seller_each_take_only_their_own_offers(client, pushing_account, offer_of):
    other, _ = account_connect(name="uk", seller_id=SELLER, marketplace_id="A1F83G8C2ARO7P", region="eu",
                               refresh_token="Atzr|x", client_id="c", client_secret="s", now=T0)
    make_product("MUG", qty=7)
    offer_of("MUG", 7)
    assert post(client, quantity_change(quantity=2)).status_code == 202
    assert Offer.objects.get(account=pushing_account, sku="MUG").amazon_quantity == 2
    assert not Offer.objects.filter(account=other).exists()
