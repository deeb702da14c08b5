"""Writes of the catalog app.

- ``product_create(*, sku, name, price, manage_stock=True, enabled=True, qty=None) -> Product``:
  a product; with ``qty`` its quantity on the default source. Raises ``ProductExists``
  or ``InvalidInput`` and writes nothing then.
- ``product_update(*, sku, manage_stock=None, enabled=None) -> Product``: whether it manages
  stock and whether it is enabled.

Both mark the SKU as moved on every stock (``sku_versions_bump``) in their transaction:
whether a product exists, manages stock or is enabled changes what may be sold of it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from saleschannel.commerce.catalog.errors import ProductExists
from saleschannel.commerce.catalog.models import Product
from saleschannel.commerce.errors import InvalidInput, NotFound
from saleschannel.commerce.inventory.services import sku_versions_bump, source_item_set
from saleschannel.commerce.validation import QTY_LIMIT, decimal_check, text_check

SKU_MAX = 64


def sku_check(sku: object) -> str:
    """A SKU: 1 to 64 characters, no surrounding blanks, no control characters."""
    text = text_check("sku", sku, max_length=SKU_MAX)
    if text != sku:
        raise InvalidInput("sku", repr(sku), "has surrounding blanks")
    return text


def product_create(
    *,
    sku: str,
    name: str,
    price: Decimal | int | str,
    manage_stock: bool = True,
    enabled: bool = True,
    qty: Decimal | int | str | None = None,
) -> Product:
    """Create a product; ``qty`` (when given) becomes its quantity on the default source."""
    sku = sku_check(sku)
    name = text_check("name", name, max_length=500)
    price_value = decimal_check("price", price)
    qty_value = None if qty is None else decimal_check("qty", qty, limit=QTY_LIMIT)
    if Product.objects.filter(sku=sku).exists():
        raise ProductExists(sku)
    status = Product.Status.ENABLED if enabled else Product.Status.DISABLED
    try:
        with transaction.atomic():
            product = Product.objects.create(
                sku=sku, name=name, price=price_value, status=status, manage_stock=manage_stock
            )
            if qty_value is not None:
                source_item_set(source=None, sku=sku, quantity=qty_value)
            sku_versions_bump(skus=[sku])
    except IntegrityError:
        raise ProductExists(sku) from None
    return product


def product_update(*, sku: str, manage_stock: bool | None = None, enabled: bool | None = None) -> Product:
    """Change whether the product manages stock and whether it is enabled (None: as it is).

    Raises ``NotFound`` naming the SKU. A change marks the SKU as moved on every stock.
    """
    with transaction.atomic():
        product = Product.objects.select_for_update().filter(sku=sku).first()
        if product is None:
            raise NotFound("sku", sku)
        fields = []
        if manage_stock is not None and manage_stock != product.manage_stock:
            product.manage_stock = manage_stock
            fields.append("manage_stock")
        status = None if enabled is None else (Product.Status.ENABLED if enabled else Product.Status.DISABLED)
        if status is not None and status != product.status:
            product.status = status
            fields.append("status")
        if fields:
            product.save(update_fields=[*fields, "updated_at"])
            sku_versions_bump(skus=[sku])
    return product
