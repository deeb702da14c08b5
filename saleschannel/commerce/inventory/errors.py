"""Refusals of the inventory app."""

from __future__ import annotations

from decimal import Decimal

from saleschannel.commerce.errors import CommerceError


class InsufficientStock(CommerceError):
    """A line asks for more than is salable; ``shortages`` lists every short line."""

    def __init__(self, sku: str, salable: Decimal, requested: Decimal,
                 shortages: list[tuple[str, Decimal, Decimal]] | None = None) -> None:
        self.sku = sku
        self.salable = salable
        self.requested = requested
        self.shortages = shortages or [(sku, salable, requested)]
        super().__init__(f"out of stock: SKU {sku}, salable {salable.normalize():f}, ordered {requested.normalize():f}")
