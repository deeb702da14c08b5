"""Reads of the sales app."""

from __future__ import annotations

from django.db.models import QuerySet

from saleschannel.commerce.sales.models import Order, OrderStatus


def orders_list(*, store_code: str | None = None) -> QuerySet[Order]:
    """Orders with their store, status and items, oldest first; one store's when a code is given."""
    orders = Order.objects.select_related("store", "status").prefetch_related("items").order_by("pk")
    if store_code is not None:
        orders = orders.filter(store__code=store_code)
    return orders


def order_statuses(*, states: list[str] | None = None) -> QuerySet[OrderStatus]:
    """Order statuses, optionally of some states only (e.g. ``new`` and ``processing``, C19)."""
    statuses = OrderStatus.objects.order_by("state", "code")
    return statuses.filter(state__in=states) if states else statuses
