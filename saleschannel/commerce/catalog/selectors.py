"""Reads of the catalog app."""

from __future__ import annotations

from collections.abc import Iterable

from saleschannel.commerce.catalog.models import Product
from saleschannel.commerce.errors import NotFound
from saleschannel.commerce.memo import remembering


def products_by_sku(skus: Iterable[str]) -> dict[str, Product]:
    """The products of these SKUs that exist, by SKU, in one query.

    Inside ``reads_remembered()`` a product found once is not read again; a SKU with no
    product is asked again each time (one may have been created meanwhile).
    """
    wanted = set(skus)
    if not wanted:
        return {}
    memo = remembering()
    if memo is None:
        return {p.sku: p for p in Product.objects.filter(sku__in=wanted)}
    found = {sku: memo[("product", sku)] for sku in wanted if ("product", sku) in memo}
    missing = wanted - found.keys()
    if missing:
        for product in Product.objects.filter(sku__in=missing):
            memo[("product", product.sku)] = found[product.sku] = product
    return found


def product_get(*, sku: str) -> Product:
    """The product with ``sku``; raises ``NotFound`` naming the SKU."""
    product = Product.objects.filter(sku=sku).first()
    if product is None:
        raise NotFound("sku", sku)
    return product
