"""The dashboard's own records: corrections of shipping addresses made before import (C17)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AddressCorrection(models.Model):
    """A merchant's correction of an Amazon order's shipping address, made before its import.

    The correction is written into the order's snapshot, which the import reads; this row
    keeps who changed what, and lets the page say when Amazon later sent a newer address.
    """

    amazon_order = models.ForeignKey("channel.AmazonOrder", on_delete=models.CASCADE, related_name="address_corrections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    corrected_at = models.DateTimeField()
    original = models.JSONField(default=dict)
    corrected = models.JSONField(default=dict)

    class Meta:
        ordering = ["-corrected_at", "-pk"]

    def __str__(self) -> str:
        return f"address of {self.amazon_order_id} corrected at {self.corrected_at}"
