"""Realistic orders for the sandbox, from a seed.

Orders are FBA or FBM, with one to several lines (SKUs from a configurable list so a
demo catalog matches, and now and then a SKU nobody sells), Prime and business
orders, promotions, taxes and several marketplaces and currencies. Each starts
PENDING, without prices (Amazon omits them then, R20), and moves on over time to
UNSHIPPED (prices appear) and SHIPPED, or CANCELLED. Amazon withholds the buyer of an
FBA order and most of its address; so does the generator.

The n-th order of a seed is always the same order: each draws from its own random
stream, so the same seed gives the same orders however requests interleave (C9).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from saleschannel.spapi.params import format_time

DEFAULT_SKUS = (
    "DEMO-TSHIRT-S",
    "DEMO-TSHIRT-M",
    "DEMO-TSHIRT-L",
    "DEMO-MUG-WHITE",
    "DEMO-MUG-BLACK",
    "DEMO-CAP-RED",
    "DEMO-SOCKS-3PK",
    "DEMO-TOTE-BAG",
    "DEMO-NOTEBOOK-A5",
    "DEMO-WATER-BOTTLE",
)


@dataclass(frozen=True)
class Marketplace:
    marketplace_id: str
    name: str
    currency: str
    country: str
    tax_rate: Decimal
    decimals: int = 2


MARKETPLACES = (
    Marketplace("ATVPDKIKX0DER", "Amazon.com", "USD", "US", Decimal("0.08")),
    Marketplace("A2EUQ1WTGCTBG2", "Amazon.ca", "CAD", "CA", Decimal("0.13")),
    Marketplace("A1F83G8C2ARO7P", "Amazon.co.uk", "GBP", "GB", Decimal("0.20")),
    Marketplace("A1PA6795UKMFR9", "Amazon.de", "EUR", "DE", Decimal("0.19")),
    Marketplace("A1VC38T7YXB528", "Amazon.co.jp", "JPY", "JP", Decimal("0.10"), decimals=0),
)
MARKETPLACE_WEIGHTS = (70, 8, 8, 8, 6)

_FIRST = ("Alex", "Sam", "Maria", "Jonas", "Yuki", "Priya", "Chen", "Fatima", "Lucas", "Emma")
_LAST = ("Smith", "Müller", "Tanaka", "Garcia", "Dubois", "Khan", "Rossi", "Novak", "Silva", "Brown")
_CITIES = {
    "US": [("Seattle", "WA", "98101"), ("Austin", "TX", "73301"), ("Boston", "MA", "02108")],
    "CA": [("Toronto", "ON", "M5H 2N2"), ("Vancouver", "BC", "V6B 1A1")],
    "GB": [("London", "London", "EC1A 1BB"), ("Leeds", "West Yorkshire", "LS1 1UR")],
    "DE": [("Berlin", "Berlin", "10115"), ("München", "Bayern", "80331")],
    "JP": [("Tokyo", "Tokyo", "150-0002"), ("Osaka", "Osaka", "530-0001")],
}
_CARRIERS = (
    ("UPS", "UPS Ground"),
    ("USPS", "Priority Mail"),
    ("FedEx", "FedEx Home Delivery"),
    ("DHL", "DHL Paket"),
)


@dataclass
class Plan:
    """What will happen to a generated order, and the parts Amazon shows only later."""

    order_id: str
    events: list[tuple[float, str]]  # (seconds after creation, status to move to)
    priced_items: list[dict[str, Any]]
    proceeds: dict[str, Any]
    fba: bool


class OrderGenerator:
    """Makes the n-th order of a seed. Not thread-safe: the sandbox calls it under its lock."""

    def __init__(
        self,
        seed: int | None = None,
        *,
        skus: Sequence[str] = DEFAULT_SKUS,
        unknown_sku_rate: float = 0.05,
        marketplaces: Sequence[Marketplace] = MARKETPLACES,
        weights: Sequence[int] | None = None,
        pace: float = 1.0,
    ) -> None:
        if pace <= 0:
            raise ValueError("pace: must be above 0")
        if not skus:
            raise ValueError("skus: give at least one SKU")
        self.seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
        self.skus = tuple(skus)
        self.unknown_sku_rate = unknown_sku_rate
        self.marketplaces = tuple(marketplaces)
        self.weights = (
            tuple(weights)
            if weights is not None
            else (MARKETPLACE_WEIGHTS if self.marketplaces == MARKETPLACES else (1,) * len(self.marketplaces))
        )
        self.count = 0
        # How many times faster than Amazon orders move through their statuses (a demo's 10).
        self.pace = pace

    def _rng(self, n: int) -> random.Random:
        digest = hashlib.sha256(f"{self.seed}:{n}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def unit_price(self, sku: str, market: Marketplace) -> Decimal:
        """A stable price per SKU and marketplace, so a catalog can be priced alike."""
        digest = hashlib.sha256(f"{sku}:{market.currency}".encode()).digest()
        base = Decimal(5 + digest[0] % 60) + Decimal(digest[1] % 100) / 100
        if market.currency == "JPY":
            return (base * 150).quantize(Decimal("1"))
        return base.quantize(Decimal("0.01"))

    def next_order(self, now: dt.datetime) -> tuple[dict[str, Any], Plan]:
        """The next order of the seed, created ``now``, PENDING and without prices."""
        rng = self._rng(self.count)
        self.count += 1
        market = rng.choices(self.marketplaces, weights=self.weights)[0]
        fba = rng.random() < 0.4
        order_id = f"{rng.randrange(100, 999)}-{rng.randrange(10**6, 10**7)}-{rng.randrange(10**6, 10**7)}"
        programs = _programs(rng, fba)
        lines = self._lines(rng, market, order_id)
        stamp = format_time(now, "createdTime")
        order: dict[str, Any] = {
            "orderId": order_id,
            "createdTime": stamp,
            "lastUpdatedTime": stamp,
            "programs": programs,
            "salesChannel": {
                "channelName": "AMAZON",
                "marketplaceId": market.marketplace_id,
                "marketplaceName": market.name,
            },
            "recipient": {"deliveryAddress": _address(rng, market, fba)},
            "fulfillment": _fulfillment(rng, now, fba, "PENDING"),
            "orderItems": [_without_prices(line) for line in lines],
            "packages": [],
        }
        buyer = _buyer(rng, market, fba, "AMAZON_BUSINESS" in programs)
        if buyer:
            order["buyer"] = buyer
        plan = Plan(
            order_id, [(at / self.pace, status) for at, status in _events(rng, fba, len(lines))], lines, _order_proceeds(lines, market, rng, fba), fba
        )
        return order, plan

    def sale(
        self, now: dt.datetime, *, marketplace_id: str, sku: str, quantity: int, fba: bool
    ) -> tuple[dict[str, Any], Plan]:
        """An order a buyer places now for ``quantity`` of one SKU (``POST /_sandbox/sell``):
        the next order of the seed with that one line, PENDING, with no later events."""
        order, plan = self.next_order(now)
        market = next((m for m in MARKETPLACES if m.marketplace_id == marketplace_id), self.marketplaces[0])
        rng = self._rng(self.count - 1)
        line = _line(rng, market, order["orderId"].replace("-", "")[:12] + "00", sku, self.unit_price(sku, market), False, quantity)
        order["salesChannel"] = {"channelName": "AMAZON", "marketplaceId": marketplace_id, "marketplaceName": market.name}
        order["orderItems"] = [_without_prices(line)]
        order["fulfillment"] = _fulfillment(rng, now, fba, "PENDING")
        order["recipient"] = {"deliveryAddress": _address(rng, market, fba)}
        plan = Plan(plan.order_id, [], [line], _order_proceeds([line], market, rng, fba), fba)
        return order, plan

    def _lines(self, rng: random.Random, market: Marketplace, order_id: str) -> list[dict[str, Any]]:
        count = rng.choices((1, 2, 3, 4), weights=(60, 25, 10, 5))[0]
        skus = rng.sample(self.skus, min(count, len(self.skus)))
        if rng.random() < self.unknown_sku_rate:
            skus[-1] = f"UNKNOWN-{rng.randrange(1000, 9999)}"
        promoted = rng.random() < 0.2
        base_id = order_id.replace("-", "")[:12]
        return [
            _line(rng, market, f"{base_id}{i:02d}", sku, self.unit_price(sku, market), promoted and i == 0)
            for i, sku in enumerate(skus)
        ]


# --- the parts of an order --------------------------------------------------------------


def money(amount: Decimal, market: Marketplace) -> dict[str, str]:
    exponent = Decimal(1).scaleb(-market.decimals)
    return {"amount": str(amount.quantize(exponent, rounding=ROUND_HALF_UP)), "currencyCode": market.currency}


def _programs(rng: random.Random, fba: bool) -> list[str]:
    programs = []
    if rng.random() < (0.6 if fba else 0.2):
        programs.append("PRIME")
    if rng.random() < 0.1:
        programs.append("AMAZON_BUSINESS")
    if fba:
        programs.append("DELIVERY_BY_AMAZON")
    return programs


def _line(
    rng: random.Random,
    market: Marketplace,
    item_id: str,
    sku: str,
    unit: Decimal,
    promoted: bool,
    quantity: int | None = None,
) -> dict[str, Any]:
    drawn = rng.choices((1, 2, 3), weights=(75, 20, 5))[0]  # drawn always: the stream stays the seed's
    quantity = drawn if quantity is None else quantity
    subtotal = unit * quantity
    discount = (subtotal * Decimal("0.10")) if promoted else Decimal(0)
    tax = (subtotal - discount) * market.tax_rate
    breakdowns = [{"type": "ITEM", "subtotal": money(subtotal, market)}]
    if promoted:
        breakdowns.append({"type": "DISCOUNT", "subtotal": money(-discount, market)})
    breakdowns.append({"type": "TAX", "subtotal": money(tax, market)})
    line: dict[str, Any] = {
        "orderItemId": item_id,
        "quantityOrdered": quantity,
        "product": {
            "asin": "B0" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(8)),
            "title": sku.replace("-", " ").title(),
            "sellerSku": sku,
            "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
            "price": {"unitPrice": money(unit, market)},
        },
        "proceeds": {"proceedsTotal": money(subtotal - discount + tax, market), "breakdowns": breakdowns},
        "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": quantity},
    }
    if promoted:
        line["promotion"] = {"breakdowns": [{"promotionId": f"PROMO-{rng.randrange(100, 999)}"}]}
    return line


def _without_prices(line: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in line.items() if k not in ("proceeds", "promotion")}
    shown["product"] = {k: v for k, v in line["product"].items() if k != "price"}
    return shown


def _order_proceeds(
    lines: list[dict[str, Any]], market: Marketplace, rng: random.Random, fba: bool
) -> dict[str, Any]:
    sums: dict[str, Decimal] = {}
    for line in lines:
        for part in line["proceeds"]["breakdowns"]:
            sums[part["type"]] = sums.get(part["type"], Decimal(0)) + Decimal(part["subtotal"]["amount"])
    if not fba and rng.random() < 0.5:
        sums["SHIPPING"] = Decimal(rng.choice(("4.99", "5.99", "7.50"))) * (
            150 if market.currency == "JPY" else 1
        )
    if rng.random() < 0.05:
        sums["GIFT_WRAP"] = Decimal("3.99") * (150 if market.currency == "JPY" else 1)
    order = ("ITEM", "SHIPPING", "GIFT_WRAP", "TAX", "DISCOUNT")
    breakdowns: list[dict[str, Any]] = [
        {"type": t, "subtotal": money(sums[t], market)} for t in order if t in sums
    ]
    total = sum((Decimal(b["subtotal"]["amount"]) for b in breakdowns), Decimal(0))
    return {"grandTotal": money(total, market), "breakdowns": breakdowns}


def _address(rng: random.Random, market: Marketplace, fba: bool) -> dict[str, Any]:
    city, region, postal = rng.choice(_CITIES[market.country])
    address: dict[str, Any] = {
        "city": city,
        "stateOrRegion": region,
        "postalCode": postal,
        "countryCode": market.country,
        "addressType": "RESIDENTIAL",
    }
    if not fba:  # Amazon shares the full address only with a seller who ships
        address.update(
            name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            addressLine1=f"{rng.randrange(1, 999)} {rng.choice(('Main', 'Oak', 'Station', 'Park'))} Street",
            phone=f"+1-555-{rng.randrange(1000000, 9999999)}",
        )
    return address


def _buyer(rng: random.Random, market: Marketplace, fba: bool, business: bool) -> dict[str, Any] | None:
    if fba:
        return None  # Amazon withholds the buyer of an FBA order
    token = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(14))
    domain = market.name.lower().replace("amazon.", "")
    buyer = {
        "buyerName": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
        "buyerEmail": f"{token}@marketplace.amazon.{domain}",
    }
    if business:
        buyer["buyerCompanyName"] = f"{rng.choice(_LAST)} {rng.choice(('GmbH', 'Ltd', 'Inc', 'KK'))}"
        buyer["buyerPurchaseOrderNumber"] = f"PO-{rng.randrange(10000, 99999)}"
    return buyer


def _fulfillment(rng: random.Random, now: dt.datetime, fba: bool, status: str) -> dict[str, Any]:
    level = rng.choice(("STANDARD", "EXPEDITED", "SECOND_DAY", "NEXT_DAY"))
    return {
        "fulfillmentStatus": status,
        "fulfilledBy": "AMAZON" if fba else "MERCHANT",
        "fulfillmentServiceLevel": level,
        "shipByWindow": {
            "earliestDateTime": format_time(now, "earliestDateTime"),
            "latestDateTime": format_time(now + dt.timedelta(days=2), "latestDateTime"),
        },
    }


#: Not a status: the buyer cancels one line of an unshipped order (a partial cancellation).
CANCEL_LINE = "CANCEL_LINE"


def _events(rng: random.Random, fba: bool, lines: int) -> list[tuple[float, str]]:
    """When the order moves on, in seconds after its creation."""
    pending = rng.uniform(30, 300)
    if rng.random() < 0.05:
        return [(pending, "CANCELLED")]
    events = [(pending, "UNSHIPPED")]
    if lines > 1 and not fba and rng.random() < 0.15:
        events.append((pending + rng.uniform(30, 240), CANCEL_LINE))
    later = pending + rng.uniform(300, 3600)
    if rng.random() < 0.05:
        events.append((later, "CANCELLED"))
    elif fba or rng.random() < 0.25:  # FBA ships itself; some FBM ship from Seller Central
        events.append((later, "SHIPPED"))
    return events


def carrier(rng: random.Random) -> tuple[str, str]:
    return rng.choice(_CARRIERS)
