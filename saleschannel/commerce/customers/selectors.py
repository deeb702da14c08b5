"""Reads of the customers app."""

from __future__ import annotations

from django.db.models import QuerySet

from saleschannel.commerce.customers.models import Customer


def customers_list() -> QuerySet[Customer]:
    """Every customer with its website, oldest first."""
    return Customer.objects.select_related("website").order_by("pk")
