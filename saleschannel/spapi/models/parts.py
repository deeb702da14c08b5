"""The parts of an order: money, addresses, the buyer, proceeds, items and packages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from saleschannel.spapi.models.reading import (
    PACKAGE_STATUSES,
    ModelError,
    as_enum,
    as_int,
    as_list,
    as_object,
    as_str,
    opt_datetime,
    opt_int,
    opt_str,
    optional,
    required,
)


@dataclass(frozen=True)
class Money:
    """An amount in a currency, exactly as Amazon gives it (never a float)."""

    amount: Decimal
    currency_code: str

    @classmethod
    def parse(cls, value: object, path: str = "money") -> Money:
        obj = as_object(value, path)
        amount_text = as_str(required(obj, "amount", path), f"{path}.amount")
        try:
            amount = Decimal(amount_text)
        except InvalidOperation:
            raise ModelError(f"{path}.amount", "expected a decimal number") from None
        if not amount.is_finite():
            raise ModelError(f"{path}.amount", "expected a finite decimal number")
        currency = as_str(required(obj, "currencyCode", path), f"{path}.currencyCode")
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
        obj = as_object(value, path)
        return cls(**{attr: opt_str(obj, key, path) for attr, key in cls._KEYS})

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
        obj = as_object(value, path)
        return cls(
            name=opt_str(obj, "buyerName", path),
            email=opt_str(obj, "buyerEmail", path),
            company_name=opt_str(obj, "buyerCompanyName", path),
            purchase_order_number=opt_str(obj, "buyerPurchaseOrderNumber", path),
        )


@dataclass(frozen=True)
class ProceedsBreakdown:
    """One category of proceeds: ``ITEM``, ``SHIPPING``, ``GIFT_WRAP``, ``TAX``, ``DISCOUNT``..."""

    type: str
    subtotal: Money
    status: str | None = None

    @classmethod
    def parse(cls, value: object, path: str) -> ProceedsBreakdown:
        obj = as_object(value, path)
        return cls(
            type=as_str(required(obj, "type", path), f"{path}.type"),
            subtotal=Money.parse(required(obj, "subtotal", path), f"{path}.subtotal"),
            status=opt_str(obj, "status", path),
        )


def total_of(breakdowns: tuple[ProceedsBreakdown, ...], kind: str, path: str) -> Money | None:
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
        obj = as_object(value, path)
        request = optional(obj, "cancellationRequest", path, as_object) or {}
        execution = optional(obj, "cancellationExecution", path, as_object) or {}
        return cls(
            requested_by=opt_str(request, "requester", f"{path}.cancellationRequest"),
            request_reason=opt_str(request, "cancelReason", f"{path}.cancellationRequest"),
            cancelled_by=opt_str(execution, "cancelledBy", f"{path}.cancellationExecution"),
            cancel_reason=opt_str(execution, "cancelReason", f"{path}.cancellationExecution"),
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
        obj = as_object(value, path)
        product = as_object(required(obj, "product", path), f"{path}.product")
        price = optional(product, "price", f"{path}.product", as_object) or {}
        fulfillment = optional(obj, "fulfillment", path, as_object) or {}
        proceeds = optional(obj, "proceeds", path, as_object) or {}
        promotion = optional(obj, "promotion", path, as_object) or {}
        condition = optional(product, "condition", f"{path}.product", as_object) or {}
        return cls(
            order_item_id=as_str(required(obj, "orderItemId", path), f"{path}.orderItemId"),
            quantity_ordered=as_int(required(obj, "quantityOrdered", path), f"{path}.quantityOrdered"),
            seller_sku=opt_str(product, "sellerSku", f"{path}.product"),
            asin=opt_str(product, "asin", f"{path}.product"),
            title=opt_str(product, "title", f"{path}.product"),
            condition=opt_str(condition, "conditionType", f"{path}.product.condition"),
            unit_price=optional(price, "unitPrice", f"{path}.product.price", Money.parse),
            price_designation=opt_str(price, "priceDesignation", f"{path}.product.price"),
            quantity_shipped=opt_int(fulfillment, "quantityFulfilled", f"{path}.fulfillment"),
            quantity_unshipped=opt_int(fulfillment, "quantityUnfulfilled", f"{path}.fulfillment"),
            proceeds_total=optional(proceeds, "proceedsTotal", f"{path}.proceeds", Money.parse),
            proceeds_breakdowns=as_list(proceeds, "breakdowns", f"{path}.proceeds", ProceedsBreakdown.parse),
            promotion_ids=tuple(
                p for p in as_list(promotion, "breakdowns", f"{path}.promotion", _promotion_id) if p
            ),
            programs=as_list(obj, "programs", path, as_str),
            cancellation=optional(obj, "cancellation", path, ItemCancellation.parse),
        )

    def breakdown(self, kind: str) -> Money | None:
        """The item's proceeds of one type (``TAX``, ``DISCOUNT``, ``SHIPPING``...), if given."""
        return total_of(self.proceeds_breakdowns, kind, f"orderItem {self.order_item_id}")

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
    return opt_str(as_object(value, path), "promotionId", path)


@dataclass(frozen=True)
class PackageItem:
    order_item_id: str
    quantity: int

    @classmethod
    def parse(cls, value: object, path: str) -> PackageItem:
        obj = as_object(value, path)
        return cls(
            order_item_id=as_str(required(obj, "orderItemId", path), f"{path}.orderItemId"),
            quantity=as_int(required(obj, "quantity", path), f"{path}.quantity"),
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
        obj = as_object(value, path)
        status = optional(obj, "packageStatus", path, as_object)
        status_path = f"{path}.packageStatus"
        return cls(
            package_reference_id=as_str(
                required(obj, "packageReferenceId", path), f"{path}.packageReferenceId"
            ),
            carrier=opt_str(obj, "carrier", path),
            tracking_number=opt_str(obj, "trackingNumber", path),
            shipping_service=opt_str(obj, "shippingService", path),
            ship_time=opt_datetime(obj, "shipTime", path),
            created_time=opt_datetime(obj, "createdTime", path),
            status=None
            if status is None
            else as_enum(required(status, "status", status_path), PACKAGE_STATUSES, f"{status_path}.status"),
            detailed_status=None if status is None else opt_str(status, "detailedStatus", status_path),
            items=as_list(obj, "packageItems", path, PackageItem.parse),
        )
