"""Orders as Amazon's Orders API 2026-01-01 gives them, as frozen dataclasses.

Parsing is strict on what the model requires (``orderId``, ``createdTime``,
``lastUpdatedTime``, ``salesChannel``, ``orderItems``; an item's ``orderItemId``,
``quantityOrdered`` and ``product``; a Money's ``amount`` and ``currencyCode``; the
declared types and enums of the fields present) and tolerant of fields Amazon adds
later: they are ignored here and kept in ``Order.raw``.

The response envelope is parsed strictly; each order in it on its own (C6). An order
that breaks the model becomes an ``UnreadableOrder`` carrying its raw JSON and the
reason, so it is never dropped and never fails its page.

Error messages name the JSON path and what was expected, never the value found: a
value may be buyer data.
"""

from saleschannel.spapi.models.order import (
    Order,
    SearchPage,
    UnreadableOrder,
    parse_order,
    read_get_order_response,
    read_order,
)
from saleschannel.spapi.models.parts import (
    Address,
    Buyer,
    ItemCancellation,
    Money,
    OrderItem,
    Package,
    PackageItem,
    ProceedsBreakdown,
    sum_money,
)
from saleschannel.spapi.models.reading import (
    DEFAULT_INCLUDED_DATA,
    FULFILLED_BY,
    FULFILLMENT_STATUSES,
    INCLUDED_DATA,
    PACKAGE_STATUSES,
    ModelError,
    parse_datetime,
)
from saleschannel.spapi.models.shipment import ConfirmShipmentItem, ConfirmShipmentPackage

__all__ = [
    "DEFAULT_INCLUDED_DATA",
    "FULFILLED_BY",
    "FULFILLMENT_STATUSES",
    "INCLUDED_DATA",
    "PACKAGE_STATUSES",
    "Address",
    "Buyer",
    "ConfirmShipmentItem",
    "ConfirmShipmentPackage",
    "ItemCancellation",
    "ModelError",
    "Money",
    "Order",
    "OrderItem",
    "Package",
    "PackageItem",
    "ProceedsBreakdown",
    "SearchPage",
    "UnreadableOrder",
    "parse_datetime",
    "parse_order",
    "read_get_order_response",
    "read_order",
    "sum_money",
]
