"""Fixtures of the sync engine's tests: a fake clock, the sandbox in-process, a connected account.

Only Amazon (the sandbox) and the clock are faked; everything else is the real thing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from saleschannel.spapi.clock import FakeClock

T0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
SANDBOX_URL = "https://sandbox.test"
US = "ATVPDKIKX0DER"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def policy():
    """The default policy, with a lease no test outlives (no heartbeat thread fires)."""
    from saleschannel.channel.services.sync.scheduler import SyncPolicy

    return dataclasses.replace(SyncPolicy(), lease_ttl=3600.0, lease_wait=0.0)


def sandbox_app(clock, **options):
    from saleschannel.spapi.sandbox import MARKETPLACES, SandboxApp

    options.setdefault("rate_limits", False)
    options.setdefault("seed", 7)
    return SandboxApp(clock=clock, marketplaces=[MARKETPLACES[0]], **options)


@pytest.fixture
def sandbox(clock):
    app = sandbox_app(clock)
    yield app
    app.close()


def connect(name="us-main", seller_id="A1SANDBOXSELLER", *, now, endpoint=SANDBOX_URL, enable=True):
    """A connected account with import enabled from ``now`` on (store numbering, guest customers)."""
    from saleschannel.channel.services.accounts import account_connect
    from saleschannel.channel.services.settings import order_settings_update

    account, _ = account_connect(
        name=name, seller_id=seller_id, marketplace_id=US, region="na",
        refresh_token="Atzr|sync-test-refresh-token", client_id="amzn1.application-oa2-client.sync",
        client_secret="sync-client-secret", endpoint=endpoint, token_url=f"{endpoint}/auth/o2/token", now=now,
    )
    if enable:
        order_settings_update(account=account, changes={"import_orders": "enabled"}, now=now)
    return account


def stock_catalog(qty: int = 1000) -> None:
    """Every SKU the sandbox generates, in stock."""
    from saleschannel.commerce.catalog.services import product_create
    from saleschannel.spapi.sandbox import DEFAULT_SKUS

    for sku in DEFAULT_SKUS:
        product_create(sku=sku, name=f"Product {sku}", price=Decimal("10.00"), qty=qty)


@pytest.fixture
def account(store_defaults, clock):
    stock_catalog()
    return connect(now=clock.now() - dt.timedelta(hours=1))


@pytest.fixture
def client_for(clock):
    """Build the account's real client, talking to a sandbox in-process."""
    from saleschannel.channel.services.sync.client import account_client

    made = []

    def make(account, app):
        client = account_client(account=account, clock=clock, transport=app.transport())
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
