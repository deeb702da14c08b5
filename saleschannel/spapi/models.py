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

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

FULFILLMENT_STATUSES = (
    "PENDING_AVAILABILITY",
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
)
FULFILLED_BY = ("MERCHANT", "AMAZON")
PACKAGE_STATUSES = ("PENDING", "IN_TRANSIT", "SHIPPED", "DELIVERED", "CANCELLED", "UNDELIVERABLE")
INCLUDED_DATA = (
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "EXPENSE",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
    "PAYMENT",
    "FULFILLMENT_ORDERS",
)
#: What the channel asks for by default (C8).
DEFAULT_INCLUDED_DATA = ("BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "PACKAGES", "CANCELLATION")


class ModelError(ValueError):
    """JSON that does not follow the 2026-01-01 model; ``path`` says where."""

    def __init__(self, path: str, expected: str) -> None:
        self.path = path
        self.expected = expected
        super().__init__(f"{path}: {expected}")


# --- reading JSON by the model's rules -------------------------------------------------

T = TypeVar("T")


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _obj(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ModelError(path, f"expected an object, got {_kind(value)}")
    return value


def _req(obj: dict[str, Any], key: str, path: str) -> Any:
    if key not in obj or obj[key] is None:
        raise ModelError(f"{path}.{key}", "required and missing")
    return obj[key]


def _str(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise ModelError(path, f"expected a string, got {_kind(value)}")
    return value


def _opt_str(obj: dict[str, Any], key: str, path: str) -> str | None:
    value = obj.get(key)
    return None if value is None else _str(value, f"{path}.{key}")


def _int(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ModelError(path, f"expected an integer, got {_kind(value)}")
    return value


def _opt_int(obj: dict[str, Any], key: str, path: str) -> int | None:
    value = obj.get(key)
    return None if value is None else _int(value, f"{path}.{key}")


def _enum(value: object, allowed: tuple[str, ...], path: str) -> str:
    text = _str(value, path)
    if text not in allowed:
        # Enum values are Amazon's vocabulary, not buyer data: safe to name.
        raise ModelError(path, f"{text!r} is not one of {', '.join(allowed)}")
    return text


def parse_datetime(value: object, path: str = "value") -> dt.datetime:
    """An ISO 8601 date-time with a zone (``Z`` or an offset), as an aware UTC datetime."""
    text = _str(value, path)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ModelError(path, "expected an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise ModelError(path, "expected a date-time with a time zone")
    return parsed.astimezone(dt.UTC)


def _opt_datetime(obj: dict[str, Any], key: str, path: str) -> dt.datetime | None:
    value = obj.get(key)
    return None if value is None else parse_datetime(value, f"{path}.{key}")


def _list(obj: dict[str, Any], key: str, path: str, parse: Callable[[Any, str], T]) -> tuple[T, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ModelError(f"{path}.{key}", f"expected an array, got {_kind(value)}")
    return tuple(parse(item, f"{path}.{key}[{i}]") for i, item in enumerate(value))


def _opt(obj: dict[str, Any], key: str, path: str, parse: Callable[[Any, str], T]) -> T | None:
    value = obj.get(key)
    return None if value is None else parse(value, f"{path}.{key}")


# --- the dataclasses -------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    """An amount in a currency, exactly as Amazon gives it (never a float)."""

    amount: Decimal
    currency_code: str

    @classmethod
    def parse(cls, value: object, path: str = "money") -> Money:
        obj = _obj(value, path)
        amount_text = _str(_req(obj, "amount", path), f"{path}.amount")
        try:
            amount = Decimal(amount_text)
        except InvalidOperation:
            raise ModelError(f"{path}.amount", "expected a decimal number") from None
        if not amount.is_finite():
            raise ModelError(f"{path}.amount", "expected a finite decimal number")
        currency = _str(_req(obj, "currencyCode", path), f"{path}.currencyCode")
        return cls(amount=amount, currency_code=currency)


def sum_money(values: Iterable[Money], path: str = "money") -> Money | None:
    """The sum of amounts in one currency; None for none; ModelError when currencies differ."""
    total: Money | None = None
    for money in values:
        if total is None:
            total = money
        elif total.currency_code != money.currency_code:
            raise ModelError(path, "expected one currency")
        else:
            total = Money(total.amount + money.amount, total.currency_code)
    return total


@dataclass(frozen=True)
class Address:
    """A delivery address (``CustomerAddress``); every field is optional in the model."""

    name: str | None = None
    company_name: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    city: str | None = None
    district_or_county: str | None = None
    state_or_region: str | None = None
    municipality: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    phone: str | None = None
    address_type: str | None = None

    _KEYS = (
        ("name", "name"),
        ("company_name", "companyName"),
        ("address_line1", "addressLine1"),
        ("address_line2", "addressLine2"),
        ("address_line3", "addressLine3"),
        ("city", "city"),
        ("district_or_county", "districtOrCounty"),
        ("state_or_region", "stateOrRegion"),
        ("municipality", "municipality"),
        ("postal_code", "postalCode"),
        ("country_code", "countryCode"),
        ("phone", "phone"),
        ("address_type", "addressType"),
    )

    @classmethod
    def parse(cls, value: object, path: str = "address") -> Address:
        obj = _obj(value, path)
        return cls(**{attr: _opt_str(obj, key, path) for attr, key in cls._KEYS})

    @property
    def lines(self) -> tuple[str, ...]:
        """The street lines that are there, in order."""
        return tuple(x for x in (self.address_line1, self.address_line2, self.address_line3) if x)


@dataclass(frozen=True)
class Buyer:
    """The buyer (``BUYER`` data); Amazon withholds most of it for FBA orders."""

    name: str | None = None
    email: str | None = None
    company_name: str | None = None
    purchase_order_number: str | None = None

    @classmethod
    def parse(cls, value: object, path: str = "buyer") -> Buyer:
        obj = _obj(value, path)
        return cls(
            name=_opt_str(obj, "buyerName", path),
            email=_opt_str(obj, "buyerEmail", path),
            company_name=_opt_str(obj, "buyerCompanyName", path),
            purchase_order_number=_opt_str(obj, "buyerPurchaseOrderNumber", path),
        )


@dataclass(frozen=True)
class ProceedsBreakdown:
    """One category of proceeds: ``ITEM``, ``SHIPPING``, ``GIFT_WRAP``, ``TAX``, ``DISCOUNT``..."""

    type: str
    subtotal: Money
    status: str | None = None

    @classmethod
    def parse(cls, value: object, path: str) -> ProceedsBreakdown:
        obj = _obj(value, path)
        return cls(
            type=_str(_req(obj, "type", path), f"{path}.type"),
            subtotal=Money.parse(_req(obj, "subtotal", path), f"{path}.subtotal"),
            status=_opt_str(obj, "status", path),
        )


def _total_of(breakdowns: tuple[ProceedsBreakdown, ...], kind: str, path: str) -> Money | None:
    return sum_money((b.subtotal for b in breakdowns if b.type == kind), path)


@dataclass(frozen=True)
class ItemCancellation:
    """A cancellation request and/or its execution for one item (``CANCELLATION`` data)."""

    requested_by: str | None = None
    request_reason: str | None = None
    cancelled_by: str | None = None
    cancel_reason: str | None = None

    @classmethod
    def parse(cls, value: object, path: str) -> ItemCancellation:
        obj = _obj(value, path)
        request = _opt(obj, "cancellationRequest", path, _obj) or {}
        execution = _opt(obj, "cancellationExecution", path, _obj) or {}
        return cls(
            requested_by=_opt_str(request, "requester", f"{path}.cancellationRequest"),
            request_reason=_opt_str(request, "cancelReason", f"{path}.cancellationRequest"),
            cancelled_by=_opt_str(execution, "cancelledBy", f"{path}.cancellationExecution"),
            cancel_reason=_opt_str(execution, "cancelReason", f"{path}.cancellationExecution"),
        )

    @property
    def is_executed(self) -> bool:
        return self.cancelled_by is not None or self.cancel_reason is not None


@dataclass(frozen=True)
class OrderItem:
    """One order line. Money fields are None when Amazon did not send them (Pending, R20)."""

    order_item_id: str
    quantity_ordered: int
    seller_sku: str | None = None
    asin: str | None = None
    title: str | None = None
    condition: str | None = None
    unit_price: Money | None = None
    price_designation: str | None = None
    quantity_shipped: int | None = None
    quantity_unshipped: int | None = None
    proceeds_total: Money | None = None
    proceeds_breakdowns: tuple[ProceedsBreakdown, ...] = ()
    promotion_ids: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    cancellation: ItemCancellation | None = None

    @classmethod
    def parse(cls, value: object, path: str) -> OrderItem:
        obj = _obj(value, path)
        product = _obj(_req(obj, "product", path), f"{path}.product")
        price = _opt(product, "price", f"{path}.product", _obj) or {}
        fulfillment = _opt(obj, "fulfillment", path, _obj) or {}
        proceeds = _opt(obj, "proceeds", path, _obj) or {}
        promotion = _opt(obj, "promotion", path, _obj) or {}
        condition = _opt(product, "condition", f"{path}.product", _obj) or {}
        return cls(
            order_item_id=_str(_req(obj, "orderItemId", path), f"{path}.orderItemId"),
            quantity_ordered=_int(_req(obj, "quantityOrdered", path), f"{path}.quantityOrdered"),
            seller_sku=_opt_str(product, "sellerSku", f"{path}.product"),
            asin=_opt_str(product, "asin", f"{path}.product"),
            title=_opt_str(product, "title", f"{path}.product"),
            condition=_opt_str(condition, "conditionType", f"{path}.product.condition"),
            unit_price=_opt(price, "unitPrice", f"{path}.product.price", Money.parse),
            price_designation=_opt_str(price, "priceDesignation", f"{path}.product.price"),
            quantity_shipped=_opt_int(fulfillment, "quantityFulfilled", f"{path}.fulfillment"),
            quantity_unshipped=_opt_int(fulfillment, "quantityUnfulfilled", f"{path}.fulfillment"),
            proceeds_total=_opt(proceeds, "proceedsTotal", f"{path}.proceeds", Money.parse),
            proceeds_breakdowns=_list(proceeds, "breakdowns", f"{path}.proceeds", ProceedsBreakdown.parse),
            promotion_ids=tuple(
                p for p in _list(promotion, "breakdowns", f"{path}.promotion", _promotion_id) if p
            ),
            programs=_list(obj, "programs", path, _str),
            cancellation=_opt(obj, "cancellation", path, ItemCancellation.parse),
        )

    def breakdown(self, kind: str) -> Money | None:
        """The item's proceeds of one type (``TAX``, ``DISCOUNT``, ``SHIPPING``...), if given."""
        return _total_of(self.proceeds_breakdowns, kind, f"orderItem {self.order_item_id}")

    @property
    def tax(self) -> Money | None:
        return self.breakdown("TAX")

    @property
    def discount(self) -> Money | None:
        return self.breakdown("DISCOUNT")

    @property
    def shipping(self) -> Money | None:
        return self.breakdown("SHIPPING")


def _promotion_id(value: object, path: str) -> str | None:
    return _opt_str(_obj(value, path), "promotionId", path)


@dataclass(frozen=True)
class PackageItem:
    order_item_id: str
    quantity: int

    @classmethod
    def parse(cls, value: object, path: str) -> PackageItem:
        obj = _obj(value, path)
        return cls(
            order_item_id=_str(_req(obj, "orderItemId", path), f"{path}.orderItemId"),
            quantity=_int(_req(obj, "quantity", path), f"{path}.quantity"),
        )


@dataclass(frozen=True)
class Package:
    """A shipped package (``PACKAGES`` data)."""

    package_reference_id: str
    carrier: str | None = None
    tracking_number: str | None = None
    shipping_service: str | None = None
    ship_time: dt.datetime | None = None
    created_time: dt.datetime | None = None
    status: str | None = None
    detailed_status: str | None = None
    items: tuple[PackageItem, ...] = ()

    @classmethod
    def parse(cls, value: object, path: str) -> Package:
        obj = _obj(value, path)
        status = _opt(obj, "packageStatus", path, _obj)
        status_path = f"{path}.packageStatus"
        return cls(
            package_reference_id=_str(_req(obj, "packageReferenceId", path), f"{path}.packageReferenceId"),
            carrier=_opt_str(obj, "carrier", path),
            tracking_number=_opt_str(obj, "trackingNumber", path),
            shipping_service=_opt_str(obj, "shippingService", path),
            ship_time=_opt_datetime(obj, "shipTime", path),
            created_time=_opt_datetime(obj, "createdTime", path),
            status=None
            if status is None
            else _enum(_req(status, "status", status_path), PACKAGE_STATUSES, f"{status_path}.status"),
            detailed_status=None if status is None else _opt_str(status, "detailedStatus", status_path),
            items=_list(obj, "packageItems", path, PackageItem.parse),
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
        return _total_of(self.proceeds_breakdowns, kind, f"order {self.order_id}")

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
    obj = _obj(value, path)
    channel = _obj(_req(obj, "salesChannel", path), f"{path}.salesChannel")
    fulfillment = _opt(obj, "fulfillment", path, _obj)
    recipient = _opt(obj, "recipient", path, _obj) or {}
    proceeds = _opt(obj, "proceeds", path, _obj) or {}
    items = _req(obj, "orderItems", path)
    if not isinstance(items, list):
        raise ModelError(f"{path}.orderItems", f"expected an array, got {_kind(items)}")
    return Order(
        order_id=_str(_req(obj, "orderId", path), f"{path}.orderId"),
        created_time=parse_datetime(_req(obj, "createdTime", path), f"{path}.createdTime"),
        last_updated_time=parse_datetime(_req(obj, "lastUpdatedTime", path), f"{path}.lastUpdatedTime"),
        sales_channel=_str(_req(channel, "channelName", f"{path}.salesChannel"), f"{path}.salesChannel"),
        marketplace_id=_opt_str(channel, "marketplaceId", f"{path}.salesChannel"),
        marketplace_name=_opt_str(channel, "marketplaceName", f"{path}.salesChannel"),
        items=_list(obj, "orderItems", path, OrderItem.parse),
        raw=obj,
        **_fulfillment_fields(fulfillment, f"{path}.fulfillment"),
        buyer=_opt(obj, "buyer", path, Buyer.parse),
        shipping_address=_opt(recipient, "deliveryAddress", f"{path}.recipient", Address.parse),
        grand_total=_opt(proceeds, "grandTotal", f"{path}.proceeds", Money.parse),
        proceeds_breakdowns=_list(proceeds, "breakdowns", f"{path}.proceeds", ProceedsBreakdown.parse),
        packages=_list(obj, "packages", path, Package.parse),
        programs=_list(obj, "programs", path, _str),
    )


def _fulfillment_fields(fulfillment: dict[str, Any] | None, path: str) -> dict[str, str | None]:
    if fulfillment is None:
        return {}
    status = _enum(
        _req(fulfillment, "fulfillmentStatus", path), FULFILLMENT_STATUSES, f"{path}.fulfillmentStatus"
    )
    fulfilled_by = fulfillment.get("fulfilledBy")
    return {
        "fulfillment_status": status,
        "fulfilled_by": None
        if fulfilled_by is None
        else _enum(fulfilled_by, FULFILLED_BY, f"{path}.fulfilledBy"),
        "fulfillment_service_level": _opt_str(fulfillment, "fulfillmentServiceLevel", path),
    }


@dataclass(frozen=True)
class UnreadableOrder:
    """An order that breaks the model, handed on raw with the reason (C6, R7)."""

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
        obj = _obj(body, "response")
        orders = _req(obj, "orders", "response")
        if not isinstance(orders, list):
            raise ModelError("response.orders", f"expected an array, got {_kind(orders)}")
        pagination = _opt(obj, "pagination", "response", _obj) or {}
        return cls(
            orders=[read_order(o, f"response.orders[{i}]") for i, o in enumerate(orders)],
            last_updated_before=_opt_datetime(obj, "lastUpdatedBefore", "response"),
            created_before=_opt_datetime(obj, "createdBefore", "response"),
            next_token=_opt_str(pagination, "nextToken", "response.pagination"),
        )


def read_get_order_response(body: object) -> Order | UnreadableOrder:
    """Parse a ``GetOrderResponse``: the envelope strictly, the order on its own."""
    obj = _obj(body, "response")
    return read_order(_req(obj, "order", "response"), "response.order")


# --- what the client sends: v0 confirmShipment --------------------------------------


@dataclass(frozen=True)
class ConfirmShipmentItem:
    """One line of a shipped package: the order line and how many of it."""

    order_item_id: str
    quantity: int
    transparency_codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.order_item_id:
            raise ValueError("orderItemId is empty")
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) or self.quantity < 1:
            raise ValueError(f"quantity of order item {self.order_item_id}: must be a positive integer")

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"orderItemId": self.order_item_id, "quantity": self.quantity}
        if self.transparency_codes:
            body["transparencyCodes"] = list(self.transparency_codes)
        return body


@dataclass(frozen=True)
class ConfirmShipmentPackage:
    """A package as v0 ``confirmShipment``'s ``PackageDetail`` defines it.

    ``package_reference_id`` is the seller's id for the package within the order; the
    model allows positive numbers only. Keep it stable across retries.
    """

    package_reference_id: str
    carrier_code: str
    tracking_number: str
    ship_date: dt.datetime
    items: tuple[ConfirmShipmentItem, ...]
    carrier_name: str | None = None
    shipping_method: str | None = None
    ship_from_supply_source_id: str | None = None

    def __post_init__(self) -> None:
        if not self.package_reference_id.isdigit() or int(self.package_reference_id) < 1:
            raise ValueError("packageReferenceId: the model allows positive numbers only")
        if not self.carrier_code or not self.tracking_number:
            raise ValueError("carrierCode and trackingNumber are required")
        if self.carrier_code == "Other" and not self.carrier_name:
            raise ValueError("carrierName is required when carrierCode is 'Other'")
        if self.ship_date.tzinfo is None:
            raise ValueError("shipDate: give an aware datetime")
        if not self.items:
            raise ValueError("orderItems: a package holds at least one item")

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "packageReferenceId": self.package_reference_id,
            "carrierCode": self.carrier_code,
            "trackingNumber": self.tracking_number,
            "shipDate": self.ship_date.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "orderItems": [item.to_json() for item in self.items],
        }
        for key, value in (
            ("carrierName", self.carrier_name),
            ("shippingMethod", self.shipping_method),
            ("shipFromSupplySourceId", self.ship_from_supply_source_id),
        ):
            if value is not None:
                body[key] = value
        return body
