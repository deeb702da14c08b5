"""What the Amazon order page shows from the raw snapshot, read tolerantly.

The snapshot is Amazon's JSON as it came (2026-01-01 model). An unreadable one must
still render: every reader here returns what it finds and never raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

ADDRESS_FIELDS = [
    ("name", "Name"),
    ("companyName", "Company"),
    ("addressLine1", "Street"),
    ("addressLine2", "Street (2)"),
    ("addressLine3", "Street (3)"),
    ("city", "City"),
    ("districtOrCounty", "District or county"),
    ("stateOrRegion", "State or region"),
    ("postalCode", "Postal code"),
    ("countryCode", "Country"),
    ("phone", "Phone"),
]
TOTAL_TYPES = [
    ("ITEM", "Items"),
    ("SHIPPING", "Shipping"),
    ("GIFT_WRAP", "Gift wrap"),
    ("TAX", "Tax"),
    ("DISCOUNT", "Discount"),
    ("COD_FEE", "Cash on delivery fee"),
    ("DELIVERY_TIP", "Delivery tip"),
    ("OTHER", "Other"),
]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def money(value: Any) -> tuple[Decimal | None, str]:
    """(amount, currency) of a Money object; (None, "") when it is missing or unreadable."""
    data = _dict(value)
    try:
        amount = Decimal(str(data["amount"])) if "amount" in data else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is not None and not amount.is_finite():
        amount = None
    return amount, _text(data.get("currencyCode"))


@dataclass(frozen=True)
class Item:
    line_id: str
    sku: str
    title: str
    asin: str
    quantity: int | None
    unit_price: Decimal | None
    currency: str


def items(raw: Any) -> list[Item]:
    """The order's lines as Amazon gave them."""
    lines = _dict(raw).get("orderItems")
    if not isinstance(lines, list):
        return []
    found = []
    for line in lines:
        data = _dict(line)
        product = _dict(data.get("product"))
        price, currency = money(_dict(product.get("price")).get("unitPrice"))
        qty = data.get("quantityOrdered")
        found.append(
            Item(
                line_id=_text(data.get("orderItemId")),
                sku=_text(product.get("sellerSku")),
                title=_text(product.get("title")),
                asin=_text(product.get("asin")),
                quantity=qty if isinstance(qty, int) and not isinstance(qty, bool) else None,
                unit_price=price,
                currency=currency,
            )
        )
    return found


def shipping_address(raw: Any) -> dict[str, str]:
    """The delivery address's parts that Amazon sent, by the model's names."""
    address = _dict(_dict(_dict(raw).get("recipient")).get("deliveryAddress"))
    return {key: _text(address.get(key)) for key, _ in ADDRESS_FIELDS if address.get(key) not in (None, "")}


def address_rows(address: dict[str, str]) -> list[tuple[str, str]]:
    return [(label, address[key]) for key, label in ADDRESS_FIELDS if address.get(key)]


def buyer(raw: Any) -> dict[str, str]:
    data = _dict(_dict(raw).get("buyer"))
    return {
        "name": _text(data.get("buyerName")),
        "email": _text(data.get("buyerEmail")),
        "company": _text(data.get("buyerCompanyName")),
        "purchase_order": _text(data.get("buyerPurchaseOrderNumber")),
    }


def totals(raw: Any) -> tuple[list[tuple[str, Decimal, str]], tuple[Decimal | None, str]]:
    """The proceeds breakdown rows (label, amount, currency) and the grand total."""
    proceeds = _dict(_dict(raw).get("proceeds"))
    labels = dict(TOTAL_TYPES)
    rows = []
    breakdowns = proceeds.get("breakdowns")
    for entry in breakdowns if isinstance(breakdowns, list) else []:
        data = _dict(entry)
        amount, currency = money(data.get("subtotal"))
        if amount is not None:
            kind = _text(data.get("type"))
            rows.append((labels.get(kind, kind.title() or "Other"), amount, currency))
    return rows, money(proceeds.get("grandTotal"))


def facts(raw: Any) -> dict[str, str]:
    """Other order facts worth a line: marketplace, service level, programs."""
    data = _dict(raw)
    channel = _dict(data.get("salesChannel"))
    fulfillment = _dict(data.get("fulfillment"))
    programs = data.get("programs")
    return {
        "marketplace": _text(channel.get("marketplaceName") or channel.get("marketplaceId")),
        "service_level": _text(fulfillment.get("fulfillmentServiceLevel")),
        "programs": ", ".join(_text(p) for p in programs) if isinstance(programs, list) else "",
    }
