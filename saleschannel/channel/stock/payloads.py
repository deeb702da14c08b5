"""What a push sends (T2, T7, T9), PURE: the body of ``patchListingsItem`` and the messages of a
``JSON_LISTINGS_FEED``, built from a ``PlannedPush``. Only the ``DEFAULT`` element of
``fulfillment_availability`` is ever named, always with ``merge`` (``replace`` would wipe the
fields it does not name), so nothing else of a listing can change (T2).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

MFN_CHANNEL = "DEFAULT"
FEED_VERSION = "2.0"
FEED_MESSAGES_MAX = 25_000  # T9
FEED_REPORT_DATA = ("issues", "fulfillmentAvailability")  # T9
PATCH_PATH = "/attributes/fulfillment_availability"


class Pushable(Protocol):
    """What the payloads read of a planned push (``selectors.PlannedPush``)."""

    @property
    def sku(self) -> str: ...
    @property
    def product_type(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def handling_time(self) -> int | None: ...


def availability_patches(push: Pushable) -> list[dict[str, Any]]:
    """T7: one ``merge`` of the ``DEFAULT`` element: its quantity, and its handling time when set."""
    element: dict[str, Any] = {"fulfillment_channel_code": MFN_CHANNEL, "quantity": push.quantity}
    if push.handling_time is not None:
        element["lead_time_to_ship_max_days"] = push.handling_time
    return [{"op": "merge", "path": PATCH_PATH, "value": [element]}]


def patch_body(push: Pushable) -> dict[str, Any]:
    """T7: the body of ``PATCH /listings/2021-08-01/items/{sellerId}/{sku}``."""
    return {"productType": push.product_type, "patches": availability_patches(push)}


def feed_document(*, seller_id: str, pushes: Iterable[Pushable]) -> dict[str, Any]:
    """T9: a ``JSON_LISTINGS_FEED`` of ``PATCH`` messages, numbered from 1 (the report names them so)."""
    messages = [
        {"messageId": number, "sku": push.sku, "operationType": "PATCH", "productType": push.product_type,
         "patches": availability_patches(push)}
        for number, push in enumerate(pushes, start=1)
    ]
    if len(messages) > FEED_MESSAGES_MAX:
        raise ValueError(f"a feed holds at most {FEED_MESSAGES_MAX} messages, not {len(messages)}")
    return {
        "header": {"sellerId": seller_id, "version": FEED_VERSION,
                   "report": {"includedData": list(FEED_REPORT_DATA), "apiVersion": "2021-08-01"}},
        "messages": messages,
    }
