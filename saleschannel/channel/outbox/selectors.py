"""Reads of the outbox: an order's shipments with their confirmation to Amazon."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from saleschannel.channel.models import AmazonOrder
from saleschannel.channel.outbox.models import OutboxMessage
from saleschannel.commerce.inventory.models import Source, StockSourceLink
from saleschannel.commerce.inventory.selectors import stock_for_store
from saleschannel.commerce.sales.models import Order, OrderItem
from saleschannel.commerce.shipping.models import Shipment
from saleschannel.commerce.shipping.services import SHIPPABLE_STATES, remaining

__all__ = ["COMMON_CARRIER_CODES", "OrderShipments", "order_shipments"]

#: Carrier codes merchants use most (Amazon accepts more; "Other" needs a carrier name).
COMMON_CARRIER_CODES = ("USPS", "UPS", "FedEx", "DHL", "Amazon Shipping", "OnTrac", "Royal Mail", "Other")


@dataclass(frozen=True)
class ShipmentRow:
    shipment: Shipment
    message: OutboxMessage | None

    @property
    def confirmation(self) -> str:
        """The shipment's confirmation to Amazon in the merchant's words."""
        if self.shipment.origin == Shipment.Origin.CHANNEL:
            return "Shipped in Seller Central (reported by Amazon)"
        if self.message is None:
            return "Not an Amazon order"
        if self.message.state == OutboxMessage.State.SENT:
            return "Confirmed to Amazon"
        if self.message.state == OutboxMessage.State.REFUSED:
            return "Refused by Amazon"
        return "Waiting to be sent" if not self.message.attempts else f"Will retry (tried {self.message.attempts}×)"


@dataclass(frozen=True)
class OpenLine:
    number: int  # the line's position in the order, as ``ship --items LINE=QTY`` counts
    item: OrderItem
    remaining: Decimal


@dataclass(frozen=True)
class OrderShipments:
    order: Order
    rows: list[ShipmentRow]
    open_lines: list[OpenLine] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    can_ship: bool = False
    why_not: str = ""

    @property
    def refused(self) -> list[ShipmentRow]:
        return [r for r in self.rows if r.message is not None and r.message.state == OutboxMessage.State.REFUSED]


def _why_not(order: Order, amazon: AmazonOrder | None, open_lines: list[OpenLine]) -> str:
    if amazon is not None and amazon.channel == AmazonOrder.Channel.FBA:
        return "Fulfilled by Amazon: Amazon ships this order."
    if order.state not in SHIPPABLE_STATES:
        return f"The order is {order.get_state_display().lower()}: nothing more ships."
    if not open_lines:
        return "Every item is shipped or canceled."
    return ""


def order_shipments(*, order: Order) -> OrderShipments:
    """The order's shipments (oldest first) with their confirmation, and what may still ship."""
    shipments = list(Shipment.objects.filter(order=order).select_related("source")
                     .prefetch_related("items").order_by("pk"))
    messages = {m.shipment_id: m for m in OutboxMessage.objects.filter(shipment__in=[s.pk for s in shipments])}
    rows = [ShipmentRow(s, messages.get(s.pk)) for s in shipments]
    items = list(OrderItem.objects.filter(order=order).order_by("pk"))
    open_lines = [OpenLine(n, item, remaining(item)) for n, item in enumerate(items, start=1) if remaining(item) > 0]
    amazon = AmazonOrder.objects.filter(store_order=order).first()
    why_not = _why_not(order, amazon, open_lines)
    links = StockSourceLink.objects.filter(stock=stock_for_store(store=order.store), source__enabled=True)
    sources = [link.source for link in links.select_related("source").order_by("priority", "source_id")]
    return OrderShipments(order=order, rows=rows, open_lines=open_lines, sources=sources,
                          can_ship=not why_not, why_not=why_not)

