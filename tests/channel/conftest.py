"""Fixtures of the channel's tests: a connected account with import enabled, and stock helpers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.channel.factories import T0


@pytest.fixture
def account(store_defaults):
    """A connected account, integrated at T0, with import disabled (the source's default)."""
    from saleschannel.channel.services.accounts import account_connect

    connected, _ = account_connect(
        name="us-main", seller_id="A1SELLER", marketplace_id="ATVPDKIKX0DER", region="na",
        refresh_token="Atzr|test-refresh-token", client_id="amzn1.application-oa2-client.test",
        client_secret="test-client-secret", now=T0,
    )
    return connected


@pytest.fixture
def enable(account):
    """Enable import for the account from T0 on, with extra settings."""
    from saleschannel.channel.services.settings import order_settings_update

    def _enable(**changes):
        return order_settings_update(account=account, changes={"import_orders": "enabled", **changes}, now=T0)

    return _enable


@pytest.fixture
def enabled_account(account, enable):
    enable()
    return account


def make_product(sku: str, qty: int | None = 10, *, manage_stock: bool = True, price: str = "10.00"):
    from saleschannel.commerce.catalog.services import product_create

    return product_create(sku=sku, name=f"Product {sku}", price=Decimal(price), manage_stock=manage_stock,
                          qty=None if not manage_stock else qty)


def reservations_of(object_type: str, object_id: str) -> dict[str, Decimal]:
    from saleschannel.commerce.inventory.selectors import open_reservations

    return open_reservations(object_type=object_type, object_id=str(object_id))


def record_and_evaluate(account, order, *, seen_at: dt.datetime | None = None, manual: bool = False):
    from saleschannel.channel.services.imports.importer import amazon_order_evaluate, amazon_order_record

    stored, _ = amazon_order_record(account=account, order=order, seen_at=seen_at or T0 + dt.timedelta(days=2))
    outcome = amazon_order_evaluate(amazon_order=stored, manual=manual)
    stored.refresh_from_db()
    return stored, outcome
