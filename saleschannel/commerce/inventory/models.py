"""Multi-source inventory after Magento's MSI: sources, stocks, source items, and reservations.

Salable quantity of a SKU on a stock = the quantities of its enabled, in-stock source
items on the sources that feed the stock + the sum of its reservations on that stock.
Reservations are an append-only ledger: negative while held, compensated by positive
entries, never edited.
"""

from __future__ import annotations

from django.db import models

from saleschannel.commerce.fields import qty_field
from saleschannel.commerce.stores.models import Website


class Source(models.Model):
    """A place that holds stock (a warehouse, a shop)."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=255)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.code


class Stock(models.Model):
    """A virtual aggregation of sources, sold through the websites linked to it."""

    name = models.CharField(max_length=255, unique=True)
    websites = models.ManyToManyField(Website, through="StockWebsite", related_name="stocks")
    sources = models.ManyToManyField(Source, through="StockSourceLink", related_name="stocks")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class StockWebsite(models.Model):
    """A website sells from exactly one stock."""

    stock = models.ForeignKey(Stock, on_delete=models.CASCADE, related_name="website_links")
    website = models.OneToOneField(Website, on_delete=models.CASCADE, related_name="stock_link")


class StockSourceLink(models.Model):
    stock = models.ForeignKey(Stock, on_delete=models.CASCADE, related_name="source_links")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="stock_links")
    priority = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stock", "source"], name="inventory_stock_source_once")]


class SourceItem(models.Model):
    """The quantity of one SKU on one source."""

    class Status(models.TextChoices):
        IN_STOCK = "in_stock", "In stock"
        OUT_OF_STOCK = "out_of_stock", "Out of stock"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="items")
    sku = models.CharField(max_length=64)
    quantity = qty_field(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_STOCK)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku", "source_id"]
        constraints = [models.UniqueConstraint(fields=["source", "sku"], name="inventory_source_item_once")]
        indexes = [models.Index(fields=["sku"], name="inventory_source_item_sku")]

    def __str__(self) -> str:
        return f"{self.sku}@{self.source_id}: {self.quantity}"


class Reservation(models.Model):
    """One append-only ledger entry: negative while held, positive to compensate."""

    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="reservations")
    sku = models.CharField(max_length=64)
    quantity = qty_field()
    event_type = models.CharField(max_length=64)
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=64)
    # The event that wrote this entry; the event-level replay guard is UsedEventKey.
    event_key = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "object_type", "object_id", "sku"], name="inventory_reservation_event_once"
            )
        ]
        indexes = [
            models.Index(fields=["stock", "sku"], name="inventory_reservation_sku"),
            models.Index(fields=["object_type", "object_id"], name="inventory_reservation_object"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.quantity} ({self.event_type} {self.object_type}:{self.object_id})"


class UsedEventKey(models.Model):
    """Every event key that ever wrote to the ledger: kept by the cleanup, so a replay stays a no-op."""

    event_key = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.event_key


class ReservationLock(models.Model):
    """A row per (stock, SKU), created on demand: the lock ledger writers take (in SKU order, on
    PostgreSQL) and the running sum of that SKU's reservations on that stock.

    ``reserved`` is kept by the ledger's writers in the transaction that appends the entries,
    so the salable quantity is read from one row, however long the ledger grows; it always
    equals ``SUM(quantity)`` of the pair's ``Reservation`` rows (``reserved_totals_verify``).

    ``version`` only grows: every write that can move the pair's salable quantity (a
    reservation appended or compensated, a source quantity set, a shipment, a product's
    manage-stock or status change) adds one in its own transaction, so a reader that saw
    version N knows whether anything moved since, without reading the ledger.
    """

    stock = models.ForeignKey(Stock, on_delete=models.CASCADE, related_name="+")
    sku = models.CharField(max_length=64)
    reserved = qty_field(default=0)
    # A database default too: the ledger's writers insert rows in SQL without naming it.
    version = models.PositiveBigIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stock", "sku"], name="inventory_reservation_lock_once")]
