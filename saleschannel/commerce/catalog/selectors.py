"""Reads of the catalog app."""

from __future__ import annotations

from collections.abc import Iterable

from saleschannel.commerce.catalog.models import Product
from saleschannel.commerce.errors import NotFound


def products_by_sku(skus: Iterable[str]) -> dict[str, Product]:
    """The products of these SKUs that exist, by SKU, in one query."""
    wanted = set(skus)
    if not wanted:
        return {}
    return {p.sku: p for p in Product.objects.filter(sku__in=wanted)}


def product_get(*, sku: str) -> Product:
    """The product with ``sku``; raises ``NotFound`` naming the SKU."""
    product = Product.objects.filter(sku=sku).first()
    if product is None:
        raise NotFound("sku", sku)
    return product
