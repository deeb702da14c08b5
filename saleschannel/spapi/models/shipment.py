"""What the client sends to v0 ``confirmShipment``: a package and its items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


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
