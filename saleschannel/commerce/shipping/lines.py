"""Which lines of an order to ship, as a person writes them: ``LINE=QTY`` or ``SKU=QTY``, comma-separated (C22).

``LINE`` is the line's position in the order (1, 2, …, as the order view numbers them) or
its external line id (Amazon's orderItemId); ``SKU`` names a line when the SKU is on one
line only. A SKU wins over a position when both could be meant.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.sales.models import Order, OrderItem

__all__ = ["ship_lines_parse"]


def _line_of(items: list[OrderItem], ref: str) -> OrderItem:
    by_sku = [item for item in items if item.sku == ref]
    if len(by_sku) == 1:
        return by_sku[0]
    if len(by_sku) > 1:
        where = " and ".join(str(items.index(item) + 1) for item in by_sku)
        raise InvalidInput("items", ref, f"this SKU is on lines {where}: name the line (LINE=QTY)")
    by_external = [item for item in items if item.external_line_id and item.external_line_id == ref]
    if len(by_external) == 1:
        return by_external[0]
    if ref.isdigit() and 1 <= int(ref) <= len(items):
        return items[int(ref) - 1]
    raise InvalidInput("items", ref, "is neither a line nor a SKU of this order")


def ship_lines_parse(*, order: Order, text: str) -> list[tuple[int, Decimal]]:
    """``"SKU-A=2,3=1"`` as (order item pk, qty) pairs; refuses with ``InvalidInput`` naming ``items``."""
    items = list(OrderItem.objects.filter(order=order).order_by("pk"))
    pairs: list[tuple[int, Decimal]] = []
    for part in (p.strip() for p in text.split(",")):
        ref, sep, amount = part.rpartition("=")
        ref, amount = ref.strip(), amount.strip()
        if not part or not sep or not ref or not amount:
            raise InvalidInput("items", part or text, "write LINE=QTY or SKU=QTY, separated by commas")
        try:
            qty = Decimal(amount)
        except InvalidOperation:
            raise InvalidInput("items", part, f"{amount} is not a quantity") from None
        if not qty.is_finite() or qty <= 0:
            raise InvalidInput("items", part, "the quantity must be positive")
        pairs.append((_line_of(items, ref).pk, qty))
    return pairs
