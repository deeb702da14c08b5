"""Reads remembered for one unit of work, and the store's configuration for one page."""

from __future__ import annotations

import pytest

from saleschannel.commerce.catalog.selectors import products_by_sku
from saleschannel.commerce.catalog.services import product_create
from saleschannel.commerce.memo import forget, reads_remembered, remembered, settings_remembered
from saleschannel.commerce.sales.services import status_resolve

pytestmark = pytest.mark.django_db


def test_outside_a_block_every_read_goes_to_the_database(store_defaults, django_assert_num_queries):
    with django_assert_num_queries(2):
        status_resolve(state=None, status=None)
        status_resolve(state=None, status=None)


def test_a_unit_of_work_reads_a_product_once_and_asks_again_for_a_sku_it_did_not_find(
    store_defaults, django_assert_num_queries
):
    product_create(sku="MUG", name="Mug", price=1)
    with reads_remembered():
        with django_assert_num_queries(1):
            assert set(products_by_sku(["MUG", "NEW"])) == {"MUG"}
            assert set(products_by_sku(["MUG"])) == {"MUG"}
        product_create(sku="NEW", name="New", price=1)
        assert set(products_by_sku(["MUG", "NEW"])) == {"MUG", "NEW"}  # created meanwhile: found
    with django_assert_num_queries(1):
        products_by_sku(["MUG"])  # the block is over: read again


def test_the_configuration_is_read_once_per_page_and_forgotten_after_a_rollback(
    store_defaults, django_assert_num_queries
):
    with settings_remembered():
        with django_assert_num_queries(1):
            for _ in range(3):
                with reads_remembered():  # three orders of one page
                    status_resolve(state=None, status=None)
        forget()
        with django_assert_num_queries(1):
            status_resolve(state=None, status=None)
    calls = []
    with reads_remembered():
        assert remembered("import_periods", 1, lambda: calls.append(1) or "x") == "x"
        assert remembered("import_periods", 1, lambda: calls.append(1) or "y") == "x"
    assert calls == [1]
