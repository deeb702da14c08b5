"""Writes of the shipping app: shipments, and closing what will never ship.

- ``shipment_create(*, order, lines, source=None, carrier_code, carrier_name="", tracking_number,
  shipped_at=None, shipping_method="", origin="store", external_ref="", comment="") -> Shipment``:
  one shipment, all or nothing: items, the deduction from its source with the release of as
  much of the order's reservation (``shipment_deduct``), ``qty_shipped``, and the order's state
  (``processing``, then ``complete`` once every item is shipped or canceled).
- ``order_rest_cancel(*, order, lines=None, comment="") -> Order``: cancels quantities that
  have not shipped (all, or up to ``lines``), releases their reservations, and finishes the
  order when nothing is left: ``complete`` when something shipped, ``canceled`` otherwise.
- ``shipment_tracking_update(*, shipment, changes) -> Shipment``: corrects carrier, tracking
  number, shipping method or ship date (the items and the stock never change).
- ``shipment_items_reduce(*, shipment, quantities) -> Shipment``: corrects a shipment that
  took more than left (C39): the units that never left go back to the source and are
  reserved for the order again; a complete order is open again.

``lines`` are ``(order_item, qty)`` pairs, the order item given as an ``OrderItem`` or its
primary key; None ships (or cancels) everything that remains. Reservations of a store
order are those of object_type ``"order"``, object_id ``str(order.pk)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.inventory.models import Source, SourceItem, StockSourceLink
from saleschannel.commerce.inventory.selectors import open_reservations, stock_for_store
from saleschannel.commerce.inventory.services import (
    reservation_compensate,
    shipment_deduct,
    shipment_deduct_undo,
    source_get,
)
from saleschannel.commerce.sales.models import Order, OrderItem, OrderState, OrderStatusHistory
from saleschannel.commerce.sales.services import ORDER_OBJECT_TYPE, order_transition, status_resolve
from saleschannel.commerce.shipping.errors import ShipmentExists
from saleschannel.commerce.shipping.models import Shipment, ShipmentItem
from saleschannel.commerce.validation import QTY_LIMIT, decimal_check, text_check

__all__ = [
    "OTHER_CARRIER",
    "SHIPPABLE_STATES",
    "order_rest_cancel",
    "shipment_create",
    "shipment_items_reduce",
    "shipment_tracking_update",
    "tracking_check",
]

ZERO = Decimal(0)
OTHER_CARRIER = "Other"
SHIPPABLE_STATES = frozenset({OrderState.NEW, OrderState.PROCESSING})
TRACKING_FIELDS = ("carrier_code", "carrier_name", "tracking_number", "shipping_method", "shipped_at")
Lines = Sequence[tuple[OrderItem | int, Decimal | int | str]] | None


def remaining(item: OrderItem) -> Decimal:
    """What of an order item is neither shipped nor canceled."""
    return item.qty_ordered - item.qty_shipped - item.qty_canceled


def tracking_check(
    *, carrier_code: object, carrier_name: object = "", tracking_number: object,
    shipping_method: object = "", shipped_at: object = None, tracking_required: bool = True,
) -> dict[str, Any]:
    """The tracking fields checked: a carrier code, a carrier name when the code is ``Other``,
    a tracking number, an aware ship time (now when None). Refuses with ``InvalidInput``."""
    code = text_check("carrier", carrier_code, max_length=64)
    name = text_check("carrier_name", carrier_name or "", max_length=255, required=False)
    if code == OTHER_CARRIER and not name:
        raise InvalidInput("carrier_name", repr(carrier_name or ""), "is required when the carrier is Other")
    number = text_check("tracking", tracking_number or "", max_length=255, required=tracking_required)
    method = text_check("shipping_method", shipping_method or "", max_length=255, required=False)
    if shipped_at is None:
        shipped_at = timezone.now()
    if not isinstance(shipped_at, dt.datetime) or shipped_at.tzinfo is None:
        raise InvalidInput("ship_date", shipped_at, "must be a date and time with a time zone")
    return {"carrier_code": code, "carrier_name": name, "tracking_number": number,
            "shipping_method": method, "shipped_at": shipped_at}


def _source_of(order: Order, source: Source | str | None, wanted: list[tuple[OrderItem, Decimal]]) -> Source:
    """The source the shipment leaves from: the one given, which must feed the store's stock; else the
    first enabled source of that stock (by priority) holding every managed unit, else the first one."""
    stock = stock_for_store(store=order.store)
    links = StockSourceLink.objects.filter(stock=stock).select_related("source").order_by("priority", "source_id")
    if source is not None:
        found = source if isinstance(source, Source) else source_get(source)
        if not any(link.source_id == found.pk for link in links):
            raise InvalidInput("source", found.code, f"does not feed the stock of store {order.store.code}")
        return found
    enabled = [link.source for link in links if link.source.enabled]
    if not enabled:
        raise InvalidInput("source", "", f"the stock {stock.name} has no enabled source")
    needed = _managed_per_sku(wanted)
    for candidate in enabled:
        held = dict(SourceItem.objects.filter(source=candidate, sku__in=list(needed)).values_list("sku", "quantity"))
        if all(held.get(sku, ZERO) >= qty for sku, qty in needed.items()):
            return candidate
    return enabled[0]


def _managed_per_sku(wanted: list[tuple[OrderItem, Decimal]]) -> dict[str, Decimal]:
    per_sku: dict[str, Decimal] = {}
    for item, qty in wanted:
        if item.product is not None and item.product.manage_stock:
            per_sku[item.sku] = per_sku.get(item.sku, ZERO) + qty
    return per_sku


def _wanted(items: dict[int, OrderItem], lines: Lines, *, verb: str) -> list[tuple[OrderItem, Decimal]]:
    """The (item, qty) pairs asked for, summed per item and checked against what remains."""
    if lines is None:
        return [(item, remaining(item)) for item in items.values() if remaining(item) > 0]
    summed: dict[int, Decimal] = {}
    for ref, qty in lines:
        pk = ref.pk if isinstance(ref, OrderItem) else ref
        if pk not in items:
            raise InvalidInput("items", ref, "is not a line of this order")
        number = decimal_check(f"qty of {items[pk].sku}", qty, limit=QTY_LIMIT)
        if number <= 0:
            raise InvalidInput(f"qty of {items[pk].sku}", qty, "must be positive")
        summed[pk] = summed.get(pk, ZERO) + number
    for pk, qty in summed.items():
        left = remaining(items[pk])
        if qty > left:
            raise InvalidInput(f"qty of {items[pk].sku}", _plain(qty), f"is more than the {_plain(left)} left to {verb}")
    return [(items[pk], qty) for pk, qty in summed.items()]


def _plain(qty: Decimal) -> str:
    return format(qty.normalize(), "f") if qty == qty.to_integral_value() else str(qty)


def _check_source_quantities(source: Source, wanted: list[tuple[OrderItem, Decimal]]) -> None:
    """A shipment from the store cannot take more than its source holds."""
    per_sku = _managed_per_sku(wanted)
    held = dict(SourceItem.objects.filter(source=source, sku__in=list(per_sku)).values_list("sku", "quantity"))
    for sku, qty in sorted(per_sku.items()):
        if held.get(sku, ZERO) < qty:
            raise InvalidInput("source", source.code, f"holds {_plain(held.get(sku, ZERO))} of {sku}, "
                               f"fewer than the {_plain(qty)} to ship")


def _ensure_source_items(source: Source, wanted: list[tuple[OrderItem, Decimal]]) -> None:
    """A shipment the channel reports has left already: a SKU the source never held starts at 0."""
    for item, _qty in wanted:
        if item.product is not None and item.product.manage_stock:
            SourceItem.objects.get_or_create(source=source, sku=item.sku, defaults={"quantity": ZERO})


def _lock(order: Order) -> tuple[Order, dict[int, OrderItem]]:
    locked = Order.objects.select_for_update(of=("self",)).select_related("store").get(pk=order.pk)
    items = {i.pk: i for i in OrderItem.objects.select_for_update(of=("self",)).filter(order=locked)
             .select_related("product").order_by("pk")}
    return locked, items


def shipment_create(
    *,
    order: Order,
    lines: Lines = None,
    source: Source | str | None = None,
    carrier_code: str,
    carrier_name: str = "",
    tracking_number: str,
    shipped_at: dt.datetime | None = None,
    shipping_method: str = "",
    origin: str = Shipment.Origin.STORE,
    external_ref: str = "",
    comment: str = "",
) -> Shipment:
    """Ship items of ``order`` (all that remain when ``lines`` is None) from ``source``.

    Deducts the quantities from the source and releases as much of the order's reservation,
    in one ledger event keyed by the shipment; raises ``InvalidInput`` naming the field (nothing
    changed), or ``ShipmentExists`` when the channel's ``external_ref`` was recorded before.
    A shipment from the store may not take more than its source holds; one the channel
    reports has left already and is recorded whatever the source holds.
    """
    if origin not in Shipment.Origin.values:
        raise InvalidInput("origin", origin, f"must be one of {', '.join(Shipment.Origin.values)}")
    tracking = tracking_check(carrier_code=carrier_code, carrier_name=carrier_name, tracking_number=tracking_number,
                              shipping_method=shipping_method, shipped_at=shipped_at,
                              tracking_required=origin == Shipment.Origin.STORE)
    external_ref = text_check("external_ref", external_ref, max_length=64, required=False)
    comment = text_check("comment", comment, max_length=10_000, required=False)
    try:
        with transaction.atomic():
            locked, items = _lock(order)
            if locked.state not in SHIPPABLE_STATES:
                raise InvalidInput("order", locked.number, f"is {locked.state}: only new or processing orders ship")
            wanted = _wanted(items, lines, verb="ship")
            if not wanted:
                raise InvalidInput("items", "", f"order {locked.number} has nothing left to ship")
            source_obj = _source_of(locked, source, wanted)
            if origin == Shipment.Origin.STORE:
                _check_source_quantities(source_obj, wanted)
            else:
                _ensure_source_items(source_obj, wanted)
            shipment = _write(locked, wanted, source_obj, tracking, origin, external_ref, comment)
    except IntegrityError:
        if external_ref and Shipment.objects.filter(order=order, external_ref=external_ref).exists():
            raise ShipmentExists(order.number, external_ref) from None
        raise
    order.refresh_from_db()
    return shipment


def _write(
    order: Order, wanted: list[tuple[OrderItem, Decimal]], source: Source, tracking: dict[str, Any],
    origin: str, external_ref: str, comment: str,
) -> Shipment:
    with transaction.atomic():
        shipment = Shipment.objects.create(order=order, source=source, origin=origin, external_ref=external_ref,
                                           comment=comment, **tracking)
    ShipmentItem.objects.bulk_create([ShipmentItem(shipment=shipment, order_item=item, sku=item.sku, qty=qty)
                                      for item, qty in wanted])
    shipment_deduct(
        stock=stock_for_store(store=order.store), source=source, object_type=ORDER_OBJECT_TYPE,
        object_id=str(order.pk), lines=[(item.sku, qty) for item, qty in wanted],
        event_key=f"shipment:{shipment.pk}",
    )
    for item, qty in wanted:
        OrderItem.objects.filter(pk=item.pk).update(qty_shipped=F("qty_shipped") + qty)
    what = ", ".join(f"{item.sku} x {_plain(qty)}" for item, qty in wanted)
    _state_after(order, f"Shipped {what} from {source.code} ({tracking['carrier_name'] or tracking['carrier_code']}"
                        f" {tracking['tracking_number']})".replace(" )", ")"), shipped_now=True)
    return shipment


def _state_after(order: Order, comment: str, *, shipped_now: bool) -> None:
    """``complete`` once every item is shipped or canceled (``canceled`` when nothing shipped), else
    ``processing`` after a shipment; a finished order's reservations are balanced (C13)."""
    items = list(OrderItem.objects.filter(order=order))
    shipped_any = any(i.qty_shipped > 0 for i in items)
    if all(remaining(i) <= 0 for i in items):
        _release_rest(order, reason="complete")
        state = OrderState.COMPLETE if shipped_any else OrderState.CANCELED
        order_transition(order=order, state=state, comment=comment)
    elif shipped_now and order.state != OrderState.PROCESSING:
        order_transition(order=order, state=OrderState.PROCESSING, comment=comment)
    else:

        OrderStatusHistory.objects.create(order=order, state=order.state, status=order.status_id, comment=comment)


def _release_rest(order: Order, *, reason: str) -> None:
    """Compensate whatever the order still holds once nothing is left to ship."""
    stock = stock_for_store(store=order.store)
    if any(q != 0 for q in open_reservations(object_type=ORDER_OBJECT_TYPE, object_id=str(order.pk),
                                              stock=stock).values()):
        reservation_compensate(stock=stock, object_type=ORDER_OBJECT_TYPE, object_id=str(order.pk),
                               event_type=f"order_{reason}", event_key=f"order:{order.pk}:{reason}")


def order_rest_cancel(*, order: Order, lines: Lines = None, comment: str = "") -> Order:
    """Cancel what has not shipped (all, or up to ``lines``) and release its reservations.

    The order ends ``complete`` when nothing is left and something shipped, ``canceled`` when
    nothing shipped; otherwise it keeps its state. Canceling nothing changes nothing.
    """
    comment = text_check("comment", comment, max_length=10_000, required=False)
    with transaction.atomic():
        locked, items = _lock(order)
        if locked.state not in SHIPPABLE_STATES:
            return locked
        wanted = _wanted(items, lines, verb="cancel")
        if not wanted:
            return locked
        for item, qty in wanted:
            OrderItem.objects.filter(pk=item.pk).update(qty_canceled=F("qty_canceled") + qty)
        after = ",".join(f"{item.pk}={item.qty_canceled + qty}" for item, qty in sorted(wanted, key=lambda p: p[0].pk))
        stock = stock_for_store(store=locked.store)
        reservation_compensate(stock=stock, object_type=ORDER_OBJECT_TYPE, object_id=str(locked.pk),
                               event_type="order_items_canceled", event_key=f"order:{locked.pk}:cancel:{after}",
                               lines=[(item.sku, qty) for item, qty in wanted])
        what = ", ".join(f"{item.sku} x {_plain(qty)}" for item, qty in wanted)
        _state_after(locked, f"Canceled {what}" + (f": {comment}" if comment else ""), shipped_now=False)
    order.refresh_from_db()
    return order


def shipment_tracking_update(*, shipment: Shipment, changes: Mapping[str, Any]) -> Shipment:
    """Correct the carrier, carrier name, tracking number, shipping method or ship time of a shipment."""
    unknown = sorted(set(changes) - set(TRACKING_FIELDS))
    if unknown:
        raise InvalidInput(unknown[0], changes[unknown[0]], f"cannot be changed (only {', '.join(TRACKING_FIELDS)})")
    current = {name: getattr(shipment, name) for name in TRACKING_FIELDS}
    merged = tracking_check(**{**current, **changes}, tracking_required=shipment.origin == Shipment.Origin.STORE)
    with transaction.atomic():
        Shipment.objects.filter(pk=shipment.pk).update(**merged, updated_at=timezone.now())
    shipment.refresh_from_db()
    return shipment


def shipment_items_reduce(*, shipment: Shipment, quantities: Mapping[int, Decimal | int | str]) -> Shipment:
    """Correct a shipment from the store down to ``quantities`` (shipment item pk -> new quantity,
    0 takes the item out): what never left goes back to the shipment's source and is reserved
    for the order again; a ``complete`` order is ``processing`` again. Only fewer units: more
    ship as a new shipment. Raises ``InvalidInput`` naming the field, nothing changed.
    """
    with transaction.atomic():
        locked, _items = _lock(shipment.order)  # the order, then its items: the order every writer locks in
        if shipment.origin != Shipment.Origin.STORE:
            raise InvalidInput("shipment", shipment.pk, "was reported by the channel: only the store's are corrected")
        if locked.state not in (*SHIPPABLE_STATES, OrderState.COMPLETE):
            raise InvalidInput("order", locked.number, f"is {locked.state}: its shipments can no longer change")
        current = {si.pk: si for si in ShipmentItem.objects.select_for_update().filter(shipment=shipment)
                   .order_by("pk")}
        wanted: dict[int, Decimal] = {}
        for ref, qty in quantities.items():
            si = current.get(int(ref)) if str(ref).isdigit() else None
            if si is None:
                raise InvalidInput("items", ref, "is not an item of this shipment")
            number = decimal_check(f"qty of {si.sku}", qty, limit=QTY_LIMIT)
            if number < 0 or number > si.qty:
                raise InvalidInput(f"qty of {si.sku}", _plain(number), f"must be between 0 and {_plain(si.qty)} "
                                   "(ship more as a new shipment)")
            wanted[si.pk] = number
        back = [(current[pk], current[pk].qty - qty) for pk, qty in sorted(wanted.items()) if qty < current[pk].qty]
        if not back:
            return shipment
        if all(wanted.get(pk, si.qty) == 0 for pk, si in current.items()):
            raise InvalidInput("items", "none", "a shipment keeps at least one item")
        after = ",".join(f"{si.pk}={_plain(si.qty - diff)}" for si, diff in back)
        shipment_deduct_undo(
            stock=stock_for_store(store=locked.store), source=shipment.source, object_type=ORDER_OBJECT_TYPE,
            object_id=str(locked.pk), lines=[(si.sku, diff) for si, diff in back],
            event_key=f"shipment:{shipment.pk}:corrected:{after}",
        )
        for si, diff in back:
            OrderItem.objects.filter(pk=si.order_item_id).update(qty_shipped=F("qty_shipped") - diff)
            if si.qty == diff:
                si.delete()
            else:
                ShipmentItem.objects.filter(pk=si.pk).update(qty=F("qty") - diff)
        what = ", ".join(f"{si.sku} x {_plain(diff)}" for si, diff in back)
        comment = f"Shipment {shipment.pk} corrected: {what} did not leave"
        if locked.state == OrderState.COMPLETE:
            # Not a move of the order's workflow: the shipment that completed it is corrected.
            status = status_resolve(state=OrderState.PROCESSING, status=None)
            Order.objects.filter(pk=locked.pk).update(state=OrderState.PROCESSING, status=status,
                                                      updated_at=timezone.now())
            OrderStatusHistory.objects.create(order=locked, state=OrderState.PROCESSING, status=status.code,
                                              comment=comment)
        else:
            OrderStatusHistory.objects.create(order=locked, state=locked.state, status=locked.status_id, comment=comment)
    shipment.refresh_from_db()
    return shipment
