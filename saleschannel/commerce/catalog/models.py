"""Products: a unique SKU, a name, a price, enabled or disabled, and whether stock is managed."""

from __future__ import annotations

from django.db import models


class Product(models.Model):
    class Status(models.TextChoices):
        ENABLED = "enabled", "Enabled"
        DISABLED = "disabled", "Disabled"

    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=500)
    price = models.DecimalField(max_digits=20, decimal_places=4)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ENABLED)
    # A product that does not manage stock is always salable and never reserves.
    manage_stock = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def enabled(self) -> bool:
        return self.status == self.Status.ENABLED
