from decimal import Decimal

import pytest

from saleschannel.commerce.catalog.errors import ProductExists
from saleschannel.commerce.catalog.models import Product
from saleschannel.commerce.catalog.selectors import products_by_sku
from saleschannel.commerce.catalog.services import product_create
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.inventory.models import SourceItem
from saleschannel.commerce.inventory.selectors import salable_quantity

pytestmark = pytest.mark.django_db


def test_product_create_with_qty_puts_it_on_the_default_source(store_defaults, stock):
    product = product_create(sku="A-1", name="Mug", price="9.50", qty=3)
    assert (product.price, product.status, product.manage_stock) == (Decimal("9.50"), "enabled", True)
    assert SourceItem.objects.get(sku="A-1").quantity == 3
    assert salable_quantity(stock=stock, sku="A-1") == 3


def test_product_create_disabled_and_unmanaged(store_defaults):
    product = product_create(sku="B-1", name="Gift", price=Decimal(1), enabled=False, manage_stock=False)
    assert (product.status, product.manage_stock) == ("disabled", False)
    assert not SourceItem.objects.exists()


def test_product_sku_is_unique(store_defaults):
    product_create(sku="A-1", name="Mug", price=1)
    with pytest.raises(ProductExists):
        product_create(sku="A-1", name="Other", price=2, qty=4)
    assert Product.objects.get().name == "Mug"
    assert not SourceItem.objects.exists()


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("sku", {"sku": ""}),
        ("sku", {"sku": " A"}),
        ("sku", {"sku": "x" * 65}),
        ("name", {"name": "  "}),
        ("price", {"price": "-1"}),
        ("price", {"price": "abc"}),
        ("price", {"price": "NaN"}),
        ("price", {"price": "1e30"}),
        ("price", {"price": 1.5}),
        ("price", {"price": "0.00001"}),
        ("qty", {"qty": "-2"}),
    ],
)
def test_product_create_refuses_bad_input_by_field(store_defaults, field, kwargs):
    values = {"sku": "A-1", "name": "Mug", "price": "1", **kwargs}
    with pytest.raises(InvalidInput) as info:
        product_create(**values)
    assert info.value.field == field
    assert not Product.objects.exists()
    assert not SourceItem.objects.exists()


def test_products_by_sku_reads_many_in_one_query(store_defaults, django_assert_num_queries):
    for sku in ("A", "B", "C"):
        product_create(sku=sku, name=sku, price=1)
    with django_assert_num_queries(1):
        found = products_by_sku(["A", "C", "missing"])
    assert sorted(found) == ["A", "C"]
    assert products_by_sku([]) == {}
