"""The store's shipments: what left which source for which order, with its tracking.

A shipment knows nothing of Amazon. ``origin`` says whether the store made it or a sales
channel reported it (a package shipped from the channel's own back office); a reported
shipment carries the channel's reference of the package in ``external_ref``, unique per
order, so a package reported twice is recorded once.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from saleschannel.commerce.fields import qty_field
from saleschannel.commerce.inventory.models import Source
from saleschannel.commerce.sales.models import Order, OrderItem


class Shipment(models.Model):
    class Origin(models.TextChoices):
        STORE = "store", "Shipped from the store"
        CHANNEL = "channel", "Reported by the sales channel"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.STORE)
    carrier_code = models.CharField(max_length=64)
    carrier_name = models.CharField(max_length=255, blank=True, default="")
    shipping_method = models.CharField(max_length=255, blank=True, default="")
    tracking_number = models.CharField(max_length=255)
    shipped_at = models.DateTimeField()
    # The channel's id of a package it reported (origin "channel"); empty for the store's own.
    external_ref = models.CharField(max_length=64, blank=True, default="")
    comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "external_ref"], condition=~Q(external_ref=""), name="shipping_external_ref_once"
            ),
        ]

    def __str__(self) -> str:
        return f"shipment {self.pk} of order {self.order_id}"

    @property
    def carrier_label(self) -> str:
        return self.carrier_name or self.carrier_code


class ShipmentItem(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="items")
    order_item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="shipment_items")
    sku = models.CharField(max_length=64)
    qty = qty_field()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "order_item"], name="shipping_item_once_per_shipment"),
            models.CheckConstraint(condition=Q(qty__gt=0), name="shipping_item_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} x {self.qty}"
