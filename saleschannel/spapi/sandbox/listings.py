"""The sandbox's listings, and Amazon's own bookkeeping of their quantities.

A listing is kept per (marketplace, SKU) of the one seller the sandbox plays (C42,
C47), with its ``productType``, status, issues and attributes; its
``fulfillment_availability`` attribute has an element per channel (``DEFAULT`` is
merchant-fulfilled). Patches apply ``merge``, ``replace``, ``add`` and ``delete`` as
Amazon documents them. Orders move quantities as Amazon does: an order placed for a
listed SKU takes its units off the channel that fulfils it (``DEFAULT`` for MFN), a
canceled line or order gives them back, and ``sold`` counts what buyers took. Every
change of a ``DEFAULT`` quantity is reported to ``on_quantity`` (the notifications).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from saleschannel.spapi.params import format_time
from saleschannel.spapi.sandbox.store import clone

MFN = "DEFAULT"
AVAILABILITY = "fulfillment_availability"
#: How many past DEFAULT quantities a listing remembers (for tests: each change once).
HISTORY_KEPT = 10_000
Order = dict[str, Any]
Key = tuple[str, str]  # (marketplaceId, sku)


class PatchRefused(ValueError):
    """A patch Amazon answers INVALID: ``issue`` is the issue it gives."""

    def __init__(self, issue: dict[str, Any]) -> None:
        self.issue = issue
        super().__init__(issue["message"])


def invalid_issue(
    code: str, message: str, attribute: str, category: str = "INVALID_ATTRIBUTE"
) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "severity": "ERROR",
        "attributeNames": [attribute],
        "categories": [category],
    }


@dataclass
class Listing:
    sku: str
    marketplace_id: str
    product_type: str
    created: dt.datetime
    updated: dt.datetime
    status: list[str] = field(default_factory=lambda: ["BUYABLE", "DISCOVERABLE"])
    attributes: dict[str, Any] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)
    sold: Counter[str] = field(default_factory=Counter)
    history: list[int] = field(default_factory=list)

    def channels(self) -> dict[str, int]:
        return {
            e["fulfillment_channel_code"]: int(e.get("quantity", 0))
            for e in self.attributes.get(AVAILABILITY, [])
            if isinstance(e, dict) and "fulfillment_channel_code" in e
        }

    def quantity(self, channel: str = MFN) -> int | None:
        return self.channels().get(channel)

    def set_quantity(self, channel: str, quantity: int) -> None:
        elements = self.attributes.setdefault(AVAILABILITY, [])
        for element in elements:
            if element.get("fulfillment_channel_code") == channel:
                element["quantity"] = quantity
                return
        elements.append({"fulfillment_channel_code": channel, "quantity": quantity})

    def control_view(self) -> dict[str, Any]:
        """As ``GET /_sandbox/listings`` shows it."""
        return {
            "sku": self.sku,
            "marketplaceId": self.marketplace_id,
            "productType": self.product_type,
            "channels": self.channels(),
            "status": list(self.status),
            "sold": {channel: self.sold.get(channel, 0) for channel in self.channels()},
        }

    def item(self, included: list[str]) -> dict[str, Any]:
        """The listing as Amazon's ``Item`` with the parts ``includedData`` asks for."""
        item: dict[str, Any] = {"sku": self.sku}
        if "summaries" in included:
            item["summaries"] = [
                {
                    "marketplaceId": self.marketplace_id,
                    "asin": _asin(self.sku),
                    "productType": self.product_type,
                    "conditionType": "new_new",
                    "status": list(self.status),
                    "itemName": f"Sandbox item {self.sku}",
                    "createdDate": format_time(self.created, "createdDate"),
                    "lastUpdatedDate": format_time(self.updated, "lastUpdatedDate"),
                }
            ]
        if "attributes" in included:
            item["attributes"] = clone(self.attributes)
        if "issues" in included:
            item["issues"] = clone(self.issues)
        if "offers" in included:
            item["offers"] = []
        if "fulfillmentAvailability" in included:
            item["fulfillmentAvailability"] = [
                {"fulfillmentChannelCode": channel, "quantity": max(0, quantity)}
                for channel, quantity in self.channels().items()
            ]
        if "productTypes" in included:
            item["productTypes"] = [{"marketplaceId": self.marketplace_id, "productType": self.product_type}]
        return item


def _asin(sku: str) -> str:
    digest = hashlib.sha256(sku.encode("utf-8")).digest()
    return "B0" + format(int.from_bytes(digest[:6], "big") % 10**8, "08d")


class ListingsBook:
    """The listings and their quantities. Not thread-safe: the app calls it under its lock."""

    def __init__(self, on_quantity: Callable[[Listing], None] | None = None) -> None:
        self._listings: dict[Key, Listing] = {}
        self._taken: dict[str, dict[tuple[str, str, str], int]] = {}
        self._on_quantity = on_quantity

    def __len__(self) -> int:
        return len(self._listings)

    def get(self, marketplace_id: str, sku: str) -> Listing | None:
        return self._listings.get((marketplace_id, sku))

    def all(self, marketplace_id: str | None = None) -> Iterator[Listing]:
        for (market, _), listing in sorted(self._listings.items()):
            if marketplace_id is None or market == marketplace_id:
                yield listing

    def put(
        self,
        *,
        sku: str,
        marketplace_id: str,
        product_type: str,
        channels: dict[str, int],
        status: list[str],
        now: dt.datetime,
    ) -> Listing:
        """Store or replace a listing (``PUT /_sandbox/listings/{sku}``)."""
        before = self.get(marketplace_id, sku)
        listing = Listing(
            sku, marketplace_id, product_type, before.created if before else now, now, list(status)
        )
        listing.attributes[AVAILABILITY] = [
            {"fulfillment_channel_code": channel, "quantity": quantity}
            for channel, quantity in channels.items()
        ]
        if before is not None:
            listing.sold = before.sold
            listing.history = before.history
        self._listings[(marketplace_id, sku)] = listing
        self._changed(listing, None if before is None else before.quantity())
        return listing

    def forget_orders(self) -> None:
        """Forget which orders hold which units (the sandbox's reset forgets its orders);
        the listings and their quantities stay, as a seller's catalog does."""
        self._taken.clear()

    # --- Seller Central and patches ---------------------------------------------------

    def type_quantity(self, listing: Listing, channel: str, quantity: int, now: dt.datetime) -> None:
        """A quantity typed into Seller Central."""
        before = listing.quantity()
        listing.set_quantity(channel, quantity)
        listing.updated = now
        self._changed(listing, before)

    def patch(
        self,
        listing: Listing,
        product_type: str,
        patches: list[dict[str, Any]],
        now: dt.datetime,
        *,
        apply: bool = True,
    ) -> None:
        """Apply ``patches`` to the listing's attributes, all or none; raise PatchRefused."""
        if product_type != listing.product_type:
            raise PatchRefused(
                invalid_issue(
                    "4000003",
                    f"The provided product type '{product_type}' is not the listing's product type '{listing.product_type}'.",
                    "product_type",
                )
            )
        attributes = clone(listing.attributes)
        for patch in patches:
            apply_patch(attributes, patch)
        if not apply:
            return
        before = listing.quantity()
        listing.attributes = attributes
        listing.updated = now
        self._changed(listing, before)

    def _changed(self, listing: Listing, before: int | None) -> None:
        after = listing.quantity()
        if after is None or after == before:
            return
        listing.history.append(after)
        del listing.history[:-HISTORY_KEPT]
        if self._on_quantity is not None:
            self._on_quantity(listing)

    # --- Amazon's bookkeeping of orders -------------------------------------------------

    def can_fill(self, order: Order) -> bool:
        """Whether every listed line of the order fits in what its listing shows."""
        wanted = _held_totals(order, self)
        return all((self._available(key) or 0) >= units for key, units in wanted.items())

    def _available(self, key: tuple[str, str, str]) -> int | None:
        market, sku, channel = key
        listing = self.get(market, sku)
        return None if listing is None else listing.quantity(channel)

    def order_changed(self, order: Order, now: dt.datetime) -> None:
        """Take or give back the units of an order as it now stands (placed, canceled...)."""
        held = _held_totals(order, self)
        taken = self._taken.setdefault(order["orderId"], {})
        for key in set(held) | set(taken):
            diff = held.get(key, 0) - taken.get(key, 0)
            if diff == 0:
                continue
            listing = self.get(key[0], key[1])
            if listing is None:
                continue
            current = listing.quantity(key[2]) or 0
            if diff > 0:
                diff = min(diff, current)  # Amazon never shows less than 0
            before = listing.quantity()
            listing.set_quantity(key[2], current - diff)
            listing.sold[key[2]] += diff
            listing.updated = now
            taken[key] = taken.get(key, 0) + diff
            self._changed(listing, before)
        if not any(taken.values()):
            self._taken.pop(order["orderId"], None)


def _held_totals(order: Order, book: ListingsBook) -> dict[tuple[str, str, str], int]:
    totals: Counter[tuple[str, str, str]] = Counter()
    for key, units in _held(order, book):
        totals[key] += units
    return dict(totals)


def _held(order: Order, book: ListingsBook) -> Iterator[tuple[tuple[str, str, str], int]]:
    """(marketplace, sku, channel) and units for each listed line the order still holds."""
    fulfillment = order.get("fulfillment") or {}
    if fulfillment.get("fulfillmentStatus") == "CANCELLED":
        return
    market = (order.get("salesChannel") or {}).get("marketplaceId", "")
    merchant = fulfillment.get("fulfilledBy", "MERCHANT") != "AMAZON"
    for item in order.get("orderItems", []):
        sku = (item.get("product") or {}).get("sellerSku")
        units = item.get("quantityOrdered", 0)
        listing = book.get(market, sku) if isinstance(sku, str) else None
        if listing is None or not isinstance(units, int) or units <= 0:
            continue
        channel = MFN if merchant else _fba_channel(listing)
        if channel is not None and channel in listing.channels():
            yield (market, listing.sku, channel), units


def _fba_channel(listing: Listing) -> str | None:
    return next((c for c in listing.channels() if c != MFN), None)


# --- JSON patches on attributes ----------------------------------------------------------


def apply_patch(attributes: dict[str, Any], patch: dict[str, Any]) -> None:
    """One patch operation on a listing's attributes (raise PatchRefused when Amazon would)."""
    path = patch["path"]
    name = path[len("/attributes/") :] if path.startswith("/attributes/") else ""
    if not name or "/" in name:
        raise PatchRefused(invalid_issue("90000900", f"The path '{path}' is not an attribute path.", path))
    value = patch.get("value")
    op = patch["op"]
    if op != "delete" and value is None:
        raise PatchRefused(invalid_issue("90000900", f"The '{op}' operation needs a value.", name))
    if name == AVAILABILITY and value is not None:
        _check_availability(value)
    if op in ("add", "replace"):
        attributes[name] = clone(value)
    elif op == "merge":
        attributes[name] = _merged(attributes.get(name, []), value or [])
    elif value is None:
        attributes.pop(name, None)
    else:
        keys = {_element_key(v) for v in value}
        attributes[name] = [e for e in attributes.get(name, []) if _element_key(e) not in keys]


def _check_availability(value: list[dict[str, Any]]) -> None:
    for element in value:
        quantity = element.get("quantity")
        if quantity is not None and (
            isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0
        ):
            raise PatchRefused(
                invalid_issue("90000900", "The quantity must be a whole number of at least 0.", AVAILABILITY)
            )
        if not isinstance(element.get("fulfillment_channel_code"), str):
            raise PatchRefused(
                invalid_issue(
                    "90220",
                    "'fulfillment_channel_code' is required but not supplied.",
                    AVAILABILITY,
                    "MISSING_ATTRIBUTE",
                )
            )


def _element_key(element: dict[str, Any]) -> tuple[Any, ...]:
    """What identifies an element of an attribute for ``merge`` and ``delete`` (C47): the
    channel for availability, else the marketplace and language."""
    if "fulfillment_channel_code" in element:
        return ("channel", element["fulfillment_channel_code"])
    return ("locale", element.get("marketplace_id"), element.get("language_tag"))


def _merged(current: list[dict[str, Any]], value: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``merge``: elements matched by key take the named fields, keeping the others."""
    merged = [clone(e) for e in current]
    for element in value:
        key = _element_key(element)
        match = next((m for m in merged if _element_key(m) == key), None)
        if match is None:
            merged.append(clone(element))
        else:
            match.update(clone(element))
    return merged
