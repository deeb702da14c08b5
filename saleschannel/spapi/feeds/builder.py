"""``JSON_LISTINGS_FEED`` documents that set MFN quantities (T9), written as a stream.

Each message is a ``PATCH`` with ``merge`` on ``/attributes/fulfillment_availability``
(never ``replace``, which would wipe the fields it does not name), message ids run
1, 2, 3… so they are unique, a SKU appears once, at most 25,000 messages, UTF-8, and
``header.report.includedData`` is set so the processing report says what Amazon holds.

The document is written message by message to a binary file the caller gives (a
temporary file, usually): however many messages, the only copy is the file, and the
upload streams it from there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from saleschannel.spapi.listings.models import MFN_CHANNEL

MAX_MESSAGES = 25_000
#: The largest document the builder writes [D]: Amazon refuses feed documents past 10 MB.
MAX_FEED_BYTES = 10 * 1024 * 1024
#: What the processing report lists for each item (T9).
REPORT_INCLUDED_DATA = ("issues", "fulfillmentAvailability")
FULFILLMENT_AVAILABILITY_PATH = "/attributes/fulfillment_availability"
LISTINGS_API_VERSION = "2021-08-01"


class FeedBuildError(ValueError):
    """The messages cannot make a valid feed (too many, too large, a SKU twice, no message)."""


@dataclass(frozen=True)
class QuantityUpdate:
    """One MFN quantity to set: the SKU, its product type (every patch needs it) and the
    quantity, with the handling time when the account sets one."""

    sku: str
    product_type: str
    quantity: int
    lead_time_to_ship_max_days: int | None = None

    def __post_init__(self) -> None:
        if not self.sku:
            raise ValueError("sku is empty")
        if not self.product_type:
            raise ValueError("productType is empty")
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) or self.quantity < 0:
            raise ValueError("quantity: expected a whole number of at least 0")

    def availability(self) -> dict[str, Any]:
        """The ``DEFAULT`` element of ``fulfillment_availability`` this update merges in."""
        element: dict[str, Any] = {"fulfillment_channel_code": MFN_CHANNEL, "quantity": self.quantity}
        if self.lead_time_to_ship_max_days is not None:
            element["lead_time_to_ship_max_days"] = self.lead_time_to_ship_max_days
        return element

    def patches(self) -> list[dict[str, Any]]:
        """The patch operations, the same for ``patchListingsItem`` (T7) and a feed (T9)."""
        return [{"op": "merge", "path": FULFILLMENT_AVAILABILITY_PATH, "value": [self.availability()]}]


@dataclass(frozen=True)
class BuiltFeed:
    """What was written: the number of messages, the bytes, and the SKU of each message id
    (``message_skus[id - 1]``), to map the processing report back."""

    message_count: int
    size: int
    message_skus: tuple[str, ...]

    def sku_of(self, message_id: int) -> str | None:
        if 1 <= message_id <= len(self.message_skus):
            return self.message_skus[message_id - 1]
        return None


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_quantity_feed(
    out: IO[bytes],
    *,
    seller_id: str,
    updates: Iterable[QuantityUpdate],
    included_data: tuple[str, ...] = REPORT_INCLUDED_DATA,
    max_messages: int = MAX_MESSAGES,
    max_bytes: int = MAX_FEED_BYTES,
) -> BuiltFeed:
    """Write a ``JSON_LISTINGS_FEED`` of quantity updates to ``out``; raise FeedBuildError
    when they cannot make a valid feed (what was written is then to be thrown away)."""
    if not seller_id:
        raise FeedBuildError("sellerId is empty")
    if not 1 <= max_messages <= MAX_MESSAGES:
        raise FeedBuildError(f"max_messages: from 1 to {MAX_MESSAGES}")
    header = {
        "sellerId": seller_id,
        "version": "2.0",
        "report": {"includedData": list(included_data), "apiVersion": LISTINGS_API_VERSION},
    }
    size = out.write(b'{"header":' + _dump(header) + b',"messages":[')
    skus: dict[str, None] = {}  # the SKUs in message order, and the check that none repeats
    for update in updates:
        if len(skus) >= max_messages:
            raise FeedBuildError(f"more than {max_messages} messages in one feed")
        if update.sku in skus:
            raise FeedBuildError("a SKU appears twice in one feed; send its last quantity once")
        skus[update.sku] = None
        message = {
            "messageId": len(skus),
            "sku": update.sku,
            "operationType": "PATCH",
            "productType": update.product_type,
            "patches": update.patches(),
        }
        size += out.write((b"," if len(skus) > 1 else b"") + _dump(message))
        if size > max_bytes:
            raise FeedBuildError(f"the feed passes {max_bytes} bytes")
    if not skus:
        raise FeedBuildError("a feed needs at least one message")
    size += out.write(b"]}")
    return BuiltFeed(message_count=len(skus), size=size, message_skus=tuple(skus))
