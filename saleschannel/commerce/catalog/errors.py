"""Refusals of the catalog app."""

from __future__ import annotations

from saleschannel.commerce.errors import InvalidInput


class ProductExists(InvalidInput):
    def __init__(self, sku: str) -> None:
        super().__init__("sku", sku, "a product with this SKU exists")
