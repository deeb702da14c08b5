"""Refusals of the shipping app.

InvalidInput (CommerceError)   a value refused before anything is written (names field and value)
ShipmentExists (CommerceError) a shipment with this external reference is recorded for the order
"""

from __future__ import annotations

from saleschannel.commerce.errors import CommerceError


class ShipmentExists(CommerceError):
    def __init__(self, order_number: str, external_ref: str) -> None:
        self.order_number = order_number
        self.external_ref = external_ref
        super().__init__(f"order {order_number} already has the shipment {external_ref}")
