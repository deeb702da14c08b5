"""A small world for the security tests: users of each role, a connected account with a secret,
an imported FBM order with a buyer's email, its shipment waiting in the outbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.channel.factories import T0, order_dict
from tests.dashboard import factories

REFRESH_TOKEN = "Atzr|SEEDED-refresh-token-0f9e8d7c6b5a"
CLIENT_SECRET = "amzn1.oa2-cs.v1.SEEDED-client-secret-1a2b3c"
BUYER_EMAIL = "seeded.buyer.7731@marketplace.amazon.com"
BUYER_NAME = "Seeded Buyer Sevenseven"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    account: Any
    amazon_order: Any
    store_order: Any
    message: Any
    sku: str
    users: dict[str, Any]
    sync_request: Any = None

    def client(self, role: str, **options: Any) -> Client:
        client = Client(**options)
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


def connect_account(name: str = "us-main", *, seller_id: str = "A1SELLER") -> Any:
    from saleschannel.channel.services.accounts import account_connect
    from saleschannel.channel.services.settings import order_settings_update

    account, _ = account_connect(
        name=name, seller_id=seller_id, marketplace_id="ATVPDKIKX0DER", region="na",
        refresh_token=REFRESH_TOKEN, client_id="amzn1.application-oa2-client.sec", client_secret=CLIENT_SECRET, now=T0,
    )
    order_settings_update(account=account, changes={"import_orders": "enabled"}, now=T0)
    return account


def import_order(account: Any, **kwargs: Any) -> Any:
    from saleschannel.channel.services.imports.importer import amazon_order_evaluate, amazon_order_record
    from saleschannel.spapi.models import read_order

    kwargs.setdefault("items", [("SKU-A", 2)])
    stored, _ = amazon_order_record(account=account, order=read_order(order_dict(**kwargs)),
                                    seen_at=T0 + dt.timedelta(days=2))
    amazon_order_evaluate(amazon_order=stored)
    stored.refresh_from_db()
    return stored


@pytest.fixture
def world(store_defaults) -> World:
    from saleschannel.channel.outbox.services import amazon_order_ship
    from tests.channel.conftest import make_product

    make_product("SKU-A", 10)
    account = connect_account()
    amazon_order = import_order(account, buyer_email=BUYER_EMAIL, buyer_name=BUYER_NAME)
    assert amazon_order.import_state == "imported", amazon_order.reason
    _, message = amazon_order_ship(order=amazon_order.store_order, carrier_code="UPS", tracking_number="1Z999",
                                   lines=None, now=T0 + dt.timedelta(days=3))
    users = {
        "user": factories.user_make("nostaff", staff=False),
        "staff": factories.user_make("sam"),
        "manager": factories.user_make("maria", manager=True),
    }
    from saleschannel.channel.services.syncrequests import sync_request_create

    sync_request, _ = sync_request_create(account=account, now=T0 + dt.timedelta(days=3))
    return World(account=account, amazon_order=amazon_order, store_order=amazon_order.store_order,
                 message=message, sku="SKU-A", users=users, sync_request=sync_request)
