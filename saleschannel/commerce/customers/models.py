"""Customers, per website: one account per email in a website, whatever its case."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower

from saleschannel.commerce.stores.models import Website


class Customer(models.Model):
    website = models.ForeignKey(Website, on_delete=models.PROTECT, related_name="customers")
    email = models.CharField(max_length=255)
    firstname = models.CharField(max_length=255, blank=True, default="")
    lastname = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "website", name="customers_email_once_per_website"),
        ]

    def __str__(self) -> str:
        return self.email


class CustomerAddress(models.Model):
    """An address book entry; every part optional, as buyers' data often is."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    firstname = models.CharField(max_length=255, blank=True, default="")
    lastname = models.CharField(max_length=255, blank=True, default="")
    company = models.CharField(max_length=255, blank=True, default="")
    street = models.TextField(blank=True, default="")  # lines joined by newline
    city = models.CharField(max_length=255, blank=True, default="")
    region = models.CharField(max_length=255, blank=True, default="")
    postcode = models.CharField(max_length=64, blank=True, default="")
    country_id = models.CharField(max_length=2, blank=True, default="")
    telephone = models.CharField(max_length=64, blank=True, default="")
    is_default_billing = models.BooleanField(default=False)
    is_default_shipping = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.street.replace("\n", " "), self.city, self.country_id) if p)
