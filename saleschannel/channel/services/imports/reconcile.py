"""What Amazon reports of an imported FBM order after import: shipments made in Seller Central,
and items Amazon canceled after part of the order shipped (R21, "cancel the rest").

A package in Amazon's snapshot that the store neither sent nor recorded is a shipment made
elsewhere: it is recorded from Amazon's package data (deducting from the source and
releasing the reservation) and never sent back to Amazon.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from saleschannel.channel.models import AmazonOrder
from saleschannel.channel.outbox.models import OutboxMessage
from saleschannel.channel.services.imports.snapshot import order_parse
from saleschannel.commerce.errors import CommerceError
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

log = logging.getLogger("saleschannel.outbox")
ZERO = Decimal(0)
UNKNOWN_CARRIER = "Unknown"
REPORTING_STATUSES = frozenset({"PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED"})
# C32: before anything ships, Amazon may still cancel single lines of the order.
LINE_CANCEL_STATUSES = frozenset({"UNSHIPPED"})


def amazon_shipments_reconcile(
    *, amazon_order: AmazonOrder, now: dt.datetime | None = None, packages_only: bool = False,
) -> int:
    """Bring an imported FBM store order in line with Amazon's latest snapshot; returns the
    shipments recorded.

    Packages Amazon shows that the store did not send (shipped from Seller Central) are
    recorded as shipments; quantities Amazon canceled on a partly shipped order are canceled,
    and the order ends ``complete``. The importer calls this after recording a newer snapshot
    of an imported order. Safe to call again: a package is recorded once.

    ``packages_only`` (right after creation, C30): only Amazon's packages are recorded; units
    Amazon counts as shipped without package data keep their reservation until a snapshot
    brings packages or the merchant ships them in the store.
    """
    with transaction.atomic():
        ao = (AmazonOrder.objects.select_for_update(of=("self",)).select_related("store_order", "account")
              .get(pk=amazon_order.pk))
        order = ao.store_order
        if order is None or ao.channel != AmazonOrder.Channel.FBM or order.state not in SHIPPABLE_STATES:
            return 0
        parsed = order_parse(ao.raw)
        status = parsed.fulfillment_status if isinstance(parsed, Order) else None
        if not isinstance(parsed, Order):
            return 0
        if status in LINE_CANCEL_STATUSES:
            _cancel_rest(order, parsed)
            return 0
        if status not in REPORTING_STATUSES:
            return 0
        now = now or timezone.now()
        recorded = _record_packages(ao, order, parsed, now)
        _cancel_rest(order, parsed)
        if not packages_only:
            recorded += _record_unexplained(ao, order, parsed, now)
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
        recorded += _record(
            ao, order, lines, carrier=package.carrier, tracking=package.tracking_number,
            method=package.shipping_service, shipped_at=package.ship_time or package.created_time or now,
            external_ref=package.package_reference_id,
            comment=f"Shipped outside the store: Amazon package {package.package_reference_id}",
        )
    return recorded


def _record(
    ao: AmazonOrder, order: StoreOrder, lines: list[tuple[OrderItem, Decimal]], *, carrier: str | None,
    tracking: str | None, method: str | None, shipped_at: dt.datetime, external_ref: str, comment: str,
) -> int:
    """Record one shipment Amazon reported; a refusal is logged, never raised (the snapshot stays recorded)."""
    try:
        with transaction.atomic():
            shipment_create(
                order=order, lines=lines, source=_source_for(order, [item for item, _ in lines]),
                carrier_code=(carrier or UNKNOWN_CARRIER)[:64], carrier_name=(carrier or "")[:255],
                tracking_number=(tracking or "")[:255], shipping_method=(method or "")[:255], shipped_at=shipped_at,
                origin=Shipment.Origin.CHANNEL, external_ref=external_ref[:64], comment=comment,
            )
    except ShipmentExists:
        return 0
    except CommerceError as exc:
        log.warning("Amazon order %s: the shipment %s Amazon reported cannot be recorded: %s",
                    ao.amazon_order_id, external_ref[:64], exc)
        return 0
    return 1


def _record_unexplained(ao: AmazonOrder, order: StoreOrder, parsed: Order, now: dt.datetime) -> int:
    """Units Amazon counts as shipped that no package explains (a snapshot without package data):
    recorded as one shipment without tracking, so stock still follows."""
    if parsed.fulfillment_status not in ("PARTIALLY_SHIPPED", "SHIPPED"):
        return 0
    done = {}
    for item in parsed.items:
        count = item.quantity_shipped
        if count is None and parsed.fulfillment_status == "SHIPPED":
            count = item.quantity_ordered
        done[item.order_item_id] = Decimal(count or 0)
    lines = []
    for store_item in OrderItem.objects.filter(order=order).order_by("pk"):
        extra = done.get(store_item.external_line_id, ZERO) - store_item.qty_shipped
        take = min(extra, remaining(store_item))
        if take > 0:
            lines.append((store_item, take))
    if not lines:
        return 0
    stamp = parsed.last_updated_time.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return _record(ao, order, lines, carrier=None, tracking=None, method=None, shipped_at=parsed.last_updated_time,
                   external_ref=f"reported-{stamp}", comment="Shipped outside the store: Amazon reported the "
                   "units shipped without package details")


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
