"""Writes of the catalog app.

- ``product_create(*, sku, name, price, manage_stock=True, enabled=True, qty=None) -> Product``:
  a product; with ``qty`` its quantity on the default source. Raises ``ProductExists``
  or ``InvalidInput`` and writes nothing then.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from saleschannel.commerce.catalog.errors import ProductExists
from saleschannel.commerce.catalog.models import Product
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.inventory.services import source_item_set
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
    except IntegrityError:
        raise ProductExists(sku) from None
    return product
