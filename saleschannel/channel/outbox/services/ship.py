"""Shipping an imported Amazon order from the store: the shipment and its confirmation to Amazon
in one transaction.

The confirmation is an outbox message holding the v0 ``confirmShipment`` request body as it
will be sent; its ``packageReferenceId`` is the shipment's number, so every retry names the
same package (C22).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from saleschannel.channel.models import AmazonOrder
from saleschannel.channel.outbox.models import OutboxMessage
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.inventory.models import Source
from saleschannel.commerce.sales.models import Order as StoreOrder
from saleschannel.commerce.sales.models import OrderItem
from saleschannel.commerce.shipping.models import Shipment
from saleschannel.commerce.shipping.services import Lines, remaining, shipment_create
from saleschannel.spapi.models import ConfirmShipmentItem, ConfirmShipmentPackage

__all__ = ["amazon_order_of", "amazon_order_ship", "confirmation_payload", "package_from_payload"]


def amazon_order_of(order: StoreOrder) -> AmazonOrder | None:
    """The Amazon order a store order was imported from, if any."""
    return AmazonOrder.objects.select_related("account").filter(store_order=order).first()


def _check_amazon_lines(order: StoreOrder, lines: Lines) -> None:
    """Amazon confirms whole units of lines it knows: each line needs its orderItemId (C3)."""
    items = {i.pk: i for i in OrderItem.objects.filter(order=order)}
    if lines is None:
        asked = [(item, remaining(item)) for item in items.values() if remaining(item) > 0]
    else:
        asked = []
        for ref, qty in lines:
            item = items.get(ref.pk if isinstance(ref, OrderItem) else ref)
            try:
                number = Decimal(str(qty))
            except InvalidOperation:
                continue  # shipment_create refuses it, naming the line
            if item is not None and number.is_finite():
                asked.append((item, number))
    for item, qty in asked:
        if not item.external_line_id:
            raise InvalidInput("items", item.sku, "this line has no Amazon order item id to confirm")
        if qty != qty.to_integral_value():
            raise InvalidInput(f"qty of {item.sku}", qty, "Amazon takes whole units only")


def _marketplace(ao: AmazonOrder) -> str:
    channel = ao.raw.get("salesChannel") if isinstance(ao.raw, dict) else None
    found = channel.get("marketplaceId") if isinstance(channel, dict) else None
    return found if isinstance(found, str) and found else ao.account.marketplace_id


def confirmation_payload(*, shipment: Shipment, marketplace_id: str) -> dict[str, Any]:
    """The ``ConfirmShipmentRequest`` body of a shipment, as ordersV0.json defines it."""
    items = tuple(
        ConfirmShipmentItem(order_item_id=si.order_item.external_line_id, quantity=int(si.qty))
        for si in shipment.items.select_related("order_item").order_by("pk")
    )
    package = ConfirmShipmentPackage(
        package_reference_id=str(shipment.pk), carrier_code=shipment.carrier_code,
        tracking_number=shipment.tracking_number, ship_date=shipment.shipped_at, items=items,
        carrier_name=shipment.carrier_name or None, shipping_method=shipment.shipping_method or None,
    )
    return {"marketplaceId": marketplace_id, "packageDetail": package.to_json()}


def package_from_payload(payload: dict[str, Any]) -> ConfirmShipmentPackage:
    """The package of a stored request body, for the client (raises ValueError when it breaks the model)."""
    detail = payload["packageDetail"]
    return ConfirmShipmentPackage(
        package_reference_id=detail["packageReferenceId"], carrier_code=detail["carrierCode"],
        tracking_number=detail["trackingNumber"],
        ship_date=dt.datetime.fromisoformat(detail["shipDate"].replace("Z", "+00:00")),
        items=tuple(ConfirmShipmentItem(order_item_id=i["orderItemId"], quantity=int(i["quantity"]))
                    for i in detail["orderItems"]),
        carrier_name=detail.get("carrierName"), shipping_method=detail.get("shippingMethod"),
        ship_from_supply_source_id=detail.get("shipFromSupplySourceId"),
    )


def amazon_order_ship(
    *,
    order: StoreOrder,
    carrier_code: str,
    tracking_number: str,
    carrier_name: str = "",
    lines: Lines = None,
    source: Source | str | None = None,
    shipped_at: dt.datetime | None = None,
    shipping_method: str = "",
    now: dt.datetime | None = None,
) -> tuple[Shipment, OutboxMessage | None]:
    """Ship items of a store order (all that remain when ``lines`` is None) and, for an imported
    FBM order, write its confirmation to Amazon in the same transaction.

    Refuses with ``InvalidInput`` naming the field, changing nothing: an FBA order (Amazon ships
    it), a line without Amazon's order item id, a part of a unit, anything ``shipment_create``
    refuses. Shipping is allowed while import is disabled (C2). The worker sends the message.
    """
    now = now or timezone.now()
    ao = amazon_order_of(order)
    if ao is not None and ao.channel == AmazonOrder.Channel.FBA:
        raise InvalidInput("order", order.number, "is fulfilled by Amazon: Amazon ships it")
    if ao is not None:
        _check_amazon_lines(order, lines)
    with transaction.atomic():
        shipment = shipment_create(
            order=order, lines=lines, source=source, carrier_code=carrier_code, carrier_name=carrier_name,
            tracking_number=tracking_number, shipped_at=shipped_at or now, shipping_method=shipping_method,
        )
        if ao is None:
            return shipment, None
        try:
            payload = confirmation_payload(shipment=shipment, marketplace_id=_marketplace(ao))
        except ValueError as exc:
            raise InvalidInput("shipment", shipment.pk, str(exc)) from None
        message = OutboxMessage.objects.create(
            account=ao.account, amazon_order_id=ao.amazon_order_id, kind=OutboxMessage.Kind.CONFIRM_SHIPMENT,
            shipment=shipment, package_reference_id=str(shipment.pk), payload=payload, next_attempt_at=now,
        )
    return shipment, message
