"""Plain inputs of the sales services (no Django)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class OrderLine:
    """One ordered line; ``row_total`` defaults to qty x price."""

    sku: str
    name: str
    qty: Decimal
    price: Decimal
    tax_amount: Decimal = ZERO
    discount_amount: Decimal = ZERO
    row_total: Decimal | None = None
    external_line_id: str = ""


@dataclass(frozen=True)
class AddressData:
    """An address with every part optional; ``street`` holds its lines joined by newline."""

    firstname: str = ""
    lastname: str = ""
    company: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country_id: str = ""
    telephone: str = ""


@dataclass(frozen=True)
class OrderTotals:
    subtotal: Decimal = ZERO
    shipping_amount: Decimal = ZERO
    tax_amount: Decimal = ZERO
    discount_amount: Decimal = ZERO
    gift_wrap_amount: Decimal = ZERO
    cod_fee_amount: Decimal = ZERO
    delivery_tip_amount: Decimal = ZERO
    other_amount: Decimal = ZERO
    grand_total: Decimal = ZERO


@dataclass(frozen=True)
class ExternalRef:
    """Where an order came from: (channel, account, external id), unique across orders."""

    channel: str
    account: str
    external_id: str
