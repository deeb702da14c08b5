"""Buyer data is kept only as long as allowed (C27).

A configurable number of days after an order is shipped or canceled (default 30,
``SALESCHANNEL_BUYER_DATA_RETENTION_DAYS``), the buyer's name, email, phone and street
lines are masked in the Amazon order snapshot (parsed fields and raw JSON, and any
address correction made before import) and in guest store orders (names, email,
addresses). What the books need stays: numbers, dates, amounts, lines, SKUs, city,
region, postcode and country.

Customer accounts built by "Build New Customer Account" are the merchant's customer
database and stay, unless ``SALESCHANNEL_RETENTION_MASK_CUSTOMERS=1`` asks to mask them
too (then a customer is masked once every one of their orders is finished and old).

Each order is masked in its own transaction; the job can be run again at any time and
masks nothing twice. The store's records are masked by the store's own services
(``commerce.sales.services.order_buyer_data_mask``, ``commerce.customers.services.
customer_buyer_data_mask``); this module decides when, and masks the channel's records.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from saleschannel.channel import rules
from saleschannel.channel.models import AddressCorrection, AmazonOrder
from saleschannel.commerce.customers.services import (
    MASKED_NAME,
    customer_buyer_data_mask,
    customers_to_mask,
    masked_email,
)
from saleschannel.commerce.sales.services import order_buyer_data_mask, orders_to_mask
from saleschannel.home import days_setting, setting

log = logging.getLogger("saleschannel.retention")

DEFAULT_DAYS = 30
# C27: the Amazon statuses whose buyer data is masked once past the retention period.
FINAL_AMAZON_STATUSES = (rules.Status.SHIPPED.value, rules.Status.CANCELED.value)
#: Keys of Amazon's ``CustomerAddress`` that identify a person or a door.
_ADDRESS_PERSONAL = ("name", "companyName", "addressLine1", "addressLine2", "addressLine3", "phone")
_BATCH = 200


def retention_days() -> int:
    """The configured number of days (a setting or the environment), else 30."""
    return days_setting("SALESCHANNEL_BUYER_DATA_RETENTION_DAYS", DEFAULT_DAYS, minimum=0)


def _mask_customers() -> bool:
    value = setting("SALESCHANNEL_RETENTION_MASK_CUSTOMERS", "")
    return str(value).lower() in ("1", "true", "yes")


def mask_address(address: Any) -> Any:
    """Amazon's address without its personal parts (a copy; anything else is returned as it is)."""
    if not isinstance(address, dict):
        return address
    kept = {k: v for k, v in address.items() if k not in _ADDRESS_PERSONAL and k != "extendedFields"}
    if "name" in address:
        kept["name"] = MASKED_NAME
    return kept


def mask_raw_order(raw: Any, pk: int) -> Any:
    """An Amazon order's JSON with the buyer and the recipient's personal data masked."""
    if not isinstance(raw, dict):
        return raw
    order = dict(raw)
    buyer = order.get("buyer")
    if isinstance(buyer, dict):
        buyer = {k: v for k, v in buyer.items() if k not in ("buyerName", "buyerEmail", "buyerCompanyName")}
        if "buyerName" in raw["buyer"]:
            buyer["buyerName"] = MASKED_NAME
        if "buyerEmail" in raw["buyer"]:
            buyer["buyerEmail"] = masked_email("buyer", pk)
        order["buyer"] = buyer
    recipient = order.get("recipient")
    if isinstance(recipient, dict):
        recipient = dict(recipient)
        recipient["deliveryAddress"] = mask_address(recipient.get("deliveryAddress"))
        if recipient["deliveryAddress"] is None:
            del recipient["deliveryAddress"]
        preference = recipient.get("deliveryPreference")
        if isinstance(preference, dict) and "addressInstruction" in preference:
            recipient["deliveryPreference"] = {k: v for k, v in preference.items() if k != "addressInstruction"}
        order["recipient"] = recipient
    return order


def _chunks(queryset: QuerySet[Any]) -> Iterator[list[int]]:
    """Primary keys in batches; each batch is read anew, so rows masked meanwhile drop out."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:_BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1]


def _amazon_orders_due(cutoff: dt.datetime) -> QuerySet[AmazonOrder]:
    finished_before = Q(last_updated_time__lte=cutoff) | Q(last_updated_time__isnull=True, last_seen_at__lte=cutoff)
    return (
        AmazonOrder.objects.filter(status__in=FINAL_AMAZON_STATUSES)
        .filter(finished_before)
        .exclude(buyer_name=MASKED_NAME)
    )


def _amazon_order_mask(pk: int, cutoff: dt.datetime) -> bool:

    with transaction.atomic():
        order = _amazon_orders_due(cutoff).select_for_update().filter(pk=pk).first()
        if order is None:  # changed since it was chosen: a newer snapshot, or masked by another run
            return False
        order.raw = mask_raw_order(order.raw, order.pk)
        order.buyer_name = MASKED_NAME
        order.save(update_fields=["raw", "buyer_name"])
        for correction in AddressCorrection.objects.select_for_update().filter(amazon_order=order):
            correction.original = mask_address(correction.original)
            correction.corrected = mask_address(correction.corrected)
            correction.save(update_fields=["original", "corrected"])
    return True


def buyer_data_mask(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Mask the buyer data of orders shipped or canceled more than ``days`` ago; return how many
    records were masked (Amazon orders, store orders and, if the setting asks, customers)."""
    if days is None:
        days = retention_days()
    if days < 0:
        raise ValueError("days cannot be negative")
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    masked = sum(_amazon_order_mask(pk, cutoff) for batch in _chunks(_amazon_orders_due(cutoff)) for pk in batch)
    customers = _mask_customers()
    due = orders_to_mask(cutoff=cutoff, guests_only=not customers)
    masked += sum(order_buyer_data_mask(pk=pk, cutoff=cutoff, guests_only=not customers)
                  for batch in _chunks(due) for pk in batch)
    if customers:
        masked += sum(customer_buyer_data_mask(pk=pk, cutoff=cutoff)
                      for batch in _chunks(customers_to_mask(cutoff=cutoff)) for pk in batch)
    log.info("retention: masked the buyer data of %d records finished before %s", masked, cutoff.isoformat())
    return masked
