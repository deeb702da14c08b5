"""The decimal columns of the store core: money and quantities, one precision each."""

from __future__ import annotations

from typing import Any

from django.db import models


def money_field(**kwargs: Any) -> Any:
    """Money: 20 digits, 4 after the point (Magento keeps 4 too)."""
    return models.DecimalField(max_digits=20, decimal_places=4, **kwargs)


def qty_field(**kwargs: Any) -> Any:
    """A quantity: 16 digits, 4 after the point (Magento's decimal quantities)."""
    return models.DecimalField(max_digits=16, decimal_places=4, **kwargs)
