"""Fixtures of the Stock to Amazon tests: the channel's connected account, an MFN offer."""

from __future__ import annotations

import pytest

from saleschannel.channel.stock.services import offer_learn, stock_settings_update
from tests.channel import conftest as channel_fixtures
from tests.channel.factories import T0

# The channel's account fixtures, shared.
account = channel_fixtures.account
enable = channel_fixtures.enable
enabled_account = channel_fixtures.enabled_account


@pytest.fixture
def pushing_account(enabled_account):
    """Import enabled into the default store, push enabled."""
    stock_settings_update(account=enabled_account, changes={"push_stock": "enabled"}, now=T0)
    return enabled_account


@pytest.fixture
def offer_of(pushing_account):
    """An MFN offer of the pushing account learned from Amazon (T3)."""

    def _offer(sku: str, amazon_quantity: int = 0, **channels):
        return offer_learn(account=pushing_account, sku=sku, product_type="PRODUCT",
                           channels=channels or {"DEFAULT": amazon_quantity}, status=["BUYABLE"], now=T0)

    return _offer
