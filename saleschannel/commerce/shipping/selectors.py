"""Reads of the shipping app."""

from __future__ import annotations

from django.db.models import QuerySet

from saleschannel.commerce.sales.models import Order
from saleschannel.commerce.shipping.models import Shipment


def shipments_of_order(*, order: Order) -> QuerySet[Shipment]:
    """The order's shipments, oldest first, with their items and source."""
    return Shipment.objects.filter(order=order).select_related("source").prefetch_related("items").order_by("pk")
