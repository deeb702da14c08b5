"""An order, the unreadable order, and the pages of ``searchOrders`` (C6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from saleschannel.spapi.models.parts import (
    Address,
    Buyer,
    Money,
    OrderItem,
    Package,
    ProceedsBreakdown,
    total_of,
)
from saleschannel.spapi.models.reading import (
    FULFILLED_BY,
    FULFILLMENT_STATUSES,
    ModelError,
    as_enum,
    as_list,
    as_object,
    as_str,
    kind,
    opt_datetime,
    opt_str,
    optional,
    parse_datetime,
    required,
)


@dataclass(frozen=True)
class Order:
    """One Amazon order in the 2026-01-01 shape.

    Parts Amazon sends only on request (``includedData``) are None or empty when they
    were not asked for or withheld: ``fulfillment_status`` needs FULFILLMENT, ``buyer``
    BUYER, ``shipping_address`` RECIPIENT, ``grand_total`` PROCEEDS, ``packages``
    PACKAGES. ``raw`` is the order's JSON exactly as received.
    """

    order_id: str
    created_time: dt.datetime
    last_updated_time: dt.datetime
    sales_channel: str
    marketplace_id: str | None
    marketplace_name: str | None
    items: tuple[OrderItem, ...]
    raw: dict[str, Any] = field(repr=False, compare=False, hash=False)
    fulfillment_status: str | None = None
    fulfilled_by: str | None = None
    fulfillment_service_level: str | None = None
    buyer: Buyer | None = None
    shipping_address: Address | None = None
    grand_total: Money | None = None
    proceeds_breakdowns: tuple[ProceedsBreakdown, ...] = ()
    packages: tuple[Package, ...] = ()
    programs: tuple[str, ...] = ()

    @property
    def is_prime(self) -> bool:
        return "PRIME" in self.programs

    @property
    def is_business(self) -> bool:
        return "AMAZON_BUSINESS" in self.programs

    @property
    def is_fba(self) -> bool:
        return self.fulfilled_by == "AMAZON"

    @property
    def currency(self) -> str | None:
        """The order's currency: the grand total's, else the first unit price's."""
        if self.grand_total is not None:
            return self.grand_total.currency_code
        for item in self.items:
            if item.unit_price is not None:
                return item.unit_price.currency_code
        return None

    @property
    def has_prices(self) -> bool:
        """Whether Amazon sent money for this snapshot (it omits it while Pending, R20)."""
        return self.grand_total is not None and all(i.unit_price is not None for i in self.items)

    def breakdown(self, kind: str) -> Money | None:
        """The order's proceeds of one type: ``SHIPPING``, ``TAX``, ``DISCOUNT``, ``GIFT_WRAP``..."""
        return total_of(self.proceeds_breakdowns, kind, f"order {self.order_id}")

    @property
    def shipping_total(self) -> Money | None:
        return self.breakdown("SHIPPING")

    @property
    def tax_total(self) -> Money | None:
        return self.breakdown("TAX")

    @property
    def discount_total(self) -> Money | None:
        return self.breakdown("DISCOUNT")

    @property
    def gift_wrap_total(self) -> Money | None:
        return self.breakdown("GIFT_WRAP")


def parse_order(value: object, path: str = "order") -> Order:
    """Parse one order of the 2026-01-01 model; raise ModelError where it breaks the model."""
    obj = as_object(value, path)
    channel = as_object(required(obj, "salesChannel", path), f"{path}.salesChannel")
    fulfillment = optional(obj, "fulfillment", path, as_object)
    recipient = optional(obj, "recipient", path, as_object) or {}
    proceeds = optional(obj, "proceeds", path, as_object) or {}
    items = required(obj, "orderItems", path)
    if not isinstance(items, list):
        raise ModelError(f"{path}.orderItems", f"expected an array, got {kind(items)}")
    return Order(
        order_id=as_str(required(obj, "orderId", path), f"{path}.orderId"),
        created_time=parse_datetime(required(obj, "createdTime", path), f"{path}.createdTime"),
        last_updated_time=parse_datetime(required(obj, "lastUpdatedTime", path), f"{path}.lastUpdatedTime"),
        sales_channel=as_str(
            required(channel, "channelName", f"{path}.salesChannel"), f"{path}.salesChannel"
        ),
        marketplace_id=opt_str(channel, "marketplaceId", f"{path}.salesChannel"),
        marketplace_name=opt_str(channel, "marketplaceName", f"{path}.salesChannel"),
        items=as_list(obj, "orderItems", path, OrderItem.parse),
        raw=obj,
        **_fulfillment_fields(fulfillment, f"{path}.fulfillment"),
        buyer=optional(obj, "buyer", path, Buyer.parse),
        shipping_address=optional(recipient, "deliveryAddress", f"{path}.recipient", Address.parse),
        grand_total=optional(proceeds, "grandTotal", f"{path}.proceeds", Money.parse),
        proceeds_breakdowns=as_list(proceeds, "breakdowns", f"{path}.proceeds", ProceedsBreakdown.parse),
        packages=as_list(obj, "packages", path, Package.parse),
        programs=as_list(obj, "programs", path, as_str),
    )


def _fulfillment_fields(fulfillment: dict[str, Any] | None, path: str) -> dict[str, str | None]:
    if fulfillment is None:
        return {}
    status = as_enum(
        required(fulfillment, "fulfillmentStatus", path), FULFILLMENT_STATUSES, f"{path}.fulfillmentStatus"
    )
    fulfilled_by = fulfillment.get("fulfilledBy")
    return {
        "fulfillment_status": status,
        "fulfilled_by": None
        if fulfilled_by is None
        else as_enum(fulfilled_by, FULFILLED_BY, f"{path}.fulfilledBy"),
        "fulfillment_service_level": opt_str(fulfillment, "fulfillmentServiceLevel", path),
    }


@dataclass(frozen=True)
class UnreadableOrder:
    """An order that breaks the model, handed on raw with the reason (C6, R7).

    ``raw`` is the order's JSON as received; an element of ``orders`` that is not even
    an object is kept as ``{"value": element}``.
    """

    order_id: str | None
    raw: dict[str, Any]
    error: str


def read_order(value: object, path: str = "order") -> Order | UnreadableOrder:
    """Parse one order, or hand it on as unreadable: never raises for a bad order."""
    try:
        return parse_order(value, path)
    except ModelError as exc:
        raw = value if isinstance(value, dict) else {"value": value}
        order_id = raw.get("orderId")
        return UnreadableOrder(
            order_id=order_id if isinstance(order_id, str) else None,
            raw=raw,
            error=str(exc),
        )


@dataclass(frozen=True)
class SearchPage:
    """One page of ``searchOrders``.

    ``last_updated_before`` / ``created_before`` are the moment Amazon's answer covers
    up to: the sync moves its watermark to it once the page's orders are stored.
    """

    orders: list[Order | UnreadableOrder]
    last_updated_before: dt.datetime | None
    created_before: dt.datetime | None
    next_token: str | None

    @classmethod
    def parse(cls, body: object) -> SearchPage:
        """Parse a ``SearchOrdersResponse``: the envelope strictly, each order on its own."""
        obj = as_object(body, "response")
        orders = required(obj, "orders", "response")
        if not isinstance(orders, list):
            raise ModelError("response.orders", f"expected an array, got {kind(orders)}")
        pagination = optional(obj, "pagination", "response", as_object) or {}
        return cls(
            orders=[read_order(o, f"response.orders[{i}]") for i, o in enumerate(orders)],
            last_updated_before=opt_datetime(obj, "lastUpdatedBefore", "response"),
            created_before=opt_datetime(obj, "createdBefore", "response"),
            next_token=opt_str(pagination, "nextToken", "response.pagination"),
        )


def read_get_order_response(body: object) -> Order | UnreadableOrder:
    """Parse a ``GetOrderResponse``: the envelope strictly, the order on its own."""
    obj = as_object(body, "response")
    return read_order(required(obj, "order", "response"), "response.order")
