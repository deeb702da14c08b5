"""Helpers of the store core's tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saleschannel.commerce.catalog.services import product_create
from saleschannel.commerce.inventory.selectors import stock_for_store


@pytest.fixture
def stock(store_defaults):
    """The default stock (the default store's website sells from it)."""
    return stock_for_store(store=store_defaults)


@pytest.fixture
def mug(store_defaults):
    """A managed product with 5 on the default source."""
    return product_create(sku="MUG-1", name="Mug", price=Decimal("9.50"), qty=5)
