"""What ``includedData`` adds to an order: without a dataset, its parts are left out."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from saleschannel.spapi.sandbox.store import clone

#: Order-level and item-level keys each dataset brings.
ORDER_PARTS = {
    "BUYER": ("buyer",),
    "RECIPIENT": ("recipient",),
    "PROCEEDS": ("proceeds",),
    "FULFILLMENT": ("fulfillment",),
    "PACKAGES": ("packages",),
    "TAX": ("tax",),
    "PAYMENT": ("payment",),
    "FULFILLMENT_ORDERS": ("fulfillmentOrders",),
}
ITEM_PARTS = {
    "PROCEEDS": ("proceeds",),
    "EXPENSE": ("expense",),
    "PROMOTION": ("promotion",),
    "CANCELLATION": ("cancellation",),
    "FULFILLMENT": ("fulfillment",),
    "TAX": ("tax",),
}


def shape(order: dict[str, Any], included: Collection[str]) -> dict[str, Any]:
    """A copy of ``order`` with only the datasets asked for."""
    shaped = clone(order)
    for dataset, keys in ORDER_PARTS.items():
        if dataset not in included:
            for key in keys:
                shaped.pop(key, None)
    for item in shaped.get("orderItems", []):
        for dataset, keys in ITEM_PARTS.items():
            if dataset not in included:
                for key in keys:
                    item.pop(key, None)
    return shaped
