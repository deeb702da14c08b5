"""What Amazon reports of an imported FBM order after import: shipments made in Seller Central,
and items Amazon canceled after part of the order shipped (R21, "cancel the rest").

A package in Amazon's snapshot that the store neither sent nor recorded is a shipment made
elsewhere: it is recorded from Amazon's package data (deducting from the source and
releasing the reservation) and never sent back to Amazon.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from saleschannel.channel.models import AmazonOrder
from saleschannel.channel.outbox.models import OutboxMessage
from saleschannel.channel.services.snapshot import order_parse
from saleschannel.commerce.inventory.models import Source, SourceItem, StockSourceLink
from saleschannel.commerce.inventory.selectors import stock_for_store
from saleschannel.commerce.sales.models import Order as StoreOrder
from saleschannel.commerce.sales.models import OrderItem
from saleschannel.commerce.shipping.errors import ShipmentExists
from saleschannel.commerce.shipping.models import Shipment
from saleschannel.commerce.shipping.services import (
    SHIPPABLE_STATES,
    order_rest_cancel,
    remaining,
    shipment_create,
)
from saleschannel.spapi.models import Order, Package

__all__ = ["amazon_shipments_reconcile"]

ZERO = Decimal(0)
UNKNOWN_CARRIER = "Unknown"
REPORTING_STATUSES = frozenset({"PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED"})


def amazon_shipments_reconcile(*, amazon_order: AmazonOrder, now: dt.datetime | None = None) -> int:
    """Bring an imported FBM store order in line with Amazon's latest snapshot; returns the
    shipments recorded.

    Packages Amazon shows that the store did not send (shipped from Seller Central) are
    recorded as shipments; quantities Amazon canceled on a partly shipped order are canceled,
    and the order ends ``complete``. The importer calls this after recording a newer snapshot
    of an imported order. Safe to call again: a package is recorded once.
    """
    with transaction.atomic():
        ao = (AmazonOrder.objects.select_for_update(of=("self",)).select_related("store_order", "account")
              .get(pk=amazon_order.pk))
        order = ao.store_order
        if order is None or ao.channel != AmazonOrder.Channel.FBM or order.state not in SHIPPABLE_STATES:
            return 0
        parsed = order_parse(ao.raw)
        status = parsed.fulfillment_status if isinstance(parsed, Order) else None
        if not isinstance(parsed, Order) or status not in REPORTING_STATUSES:
            return 0
        recorded = _record_packages(ao, order, parsed, now or timezone.now())
        _cancel_rest(order, parsed)
    return recorded


def _known_refs(ao: AmazonOrder, order: StoreOrder) -> set[str]:
    sent = OutboxMessage.objects.filter(account=ao.account, amazon_order_id=ao.amazon_order_id)
    refs = set(sent.values_list("package_reference_id", flat=True))
    refs.update(Shipment.objects.filter(order=order).exclude(external_ref="").values_list("external_ref", flat=True))
    return refs


def _record_packages(ao: AmazonOrder, order: StoreOrder, parsed: Order, now: dt.datetime) -> int:
    known = _known_refs(ao, order)
    recorded = 0
    for package in sorted(parsed.packages, key=lambda p: (p.ship_time or p.created_time or now, p.package_reference_id)):
        if package.package_reference_id in known or package.status == "CANCELLED":
            continue
        lines = _package_lines(order, package)
        if not lines:
            continue
        try:
            with transaction.atomic():
                shipment_create(
                    order=order, lines=lines, source=_source_for(order, [item for item, _ in lines]),
                    carrier_code=(package.carrier or UNKNOWN_CARRIER)[:64], carrier_name=package.carrier or "",
                    tracking_number=package.tracking_number or "", shipping_method=package.shipping_service or "",
                    shipped_at=package.ship_time or package.created_time or now, origin=Shipment.Origin.CHANNEL,
                    external_ref=package.package_reference_id,
                    comment=f"Shipped outside the store: Amazon package {package.package_reference_id}",
                )
        except ShipmentExists:
            continue
        recorded += 1
    return recorded


def _package_lines(order: StoreOrder, package: Package) -> list[tuple[OrderItem, Decimal]]:
    """The package's items as store order lines, each capped at what the store has not shipped."""
    items = list(OrderItem.objects.filter(order=order).order_by("pk"))
    left = {item.pk: remaining(item) for item in items}
    lines: list[tuple[OrderItem, Decimal]] = []
    for packed in package.items:
        qty = Decimal(packed.quantity)
        for item in items:
            if item.external_line_id != packed.order_item_id or qty <= 0:
                continue
            take = min(qty, left[item.pk])
            if take > 0:
                lines.append((item, take))
                left[item.pk] -= take
                qty -= take
    return lines


def _source_for(order: StoreOrder, items: list[OrderItem]) -> Source | None:
    """[D] Amazon does not say which source a package left from: the first source of the store's
    stock (by priority) holding every SKU of the package, else the stock's first source."""
    skus = {item.sku for item in items}
    links = (StockSourceLink.objects.filter(stock=stock_for_store(store=order.store), source__enabled=True)
             .select_related("source").order_by("priority", "source_id"))
    for link in links:
        held = set(SourceItem.objects.filter(source=link.source, sku__in=skus).values_list("sku", flat=True))
        if held >= skus:
            return link.source
    return None


def _cancel_rest(order: StoreOrder, parsed: Order) -> None:
    """Quantities Amazon no longer counts as ordered (canceled lines, or the whole rest of a
    canceled order that partly shipped) are canceled in the store."""
    order.refresh_from_db()
    if order.state not in SHIPPABLE_STATES:
        return
    items = list(OrderItem.objects.filter(order=order).order_by("pk"))
    if parsed.fulfillment_status == "CANCELLED":
        if any(item.qty_shipped > 0 for item in items):
            order_rest_cancel(order=order, comment="Canceled at Amazon")
        return  # nothing shipped: the import rules cancel the whole order (R17)
    amazon_qty = {item.order_item_id: Decimal(item.quantity_ordered) for item in parsed.items}
    lines = []
    for item in items:
        if item.external_line_id not in amazon_qty:
            continue
        dropped = item.qty_ordered - item.qty_canceled - amazon_qty[item.external_line_id]
        take = min(dropped, remaining(item))
        if take > 0:
            lines.append((item, take))
    if lines:
        order_rest_cancel(order=order, lines=lines, comment="Canceled at Amazon")
