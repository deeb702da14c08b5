"""Listings as Amazon's Listings Items API 2021-08-01 gives them, as frozen dataclasses.

Parsing follows the orders' manner (``spapi.models``): strict on what the model
requires (an item's ``sku``; a summary's ``marketplaceId``, ``productType``, ``status``
and dates; a fulfillment availability's ``fulfillmentChannelCode`` and a whole,
non-negative ``quantity``; an issue's ``code``, ``message``, ``severity`` and
``categories``), tolerant of fields Amazon adds later (kept in ``raw``). A search page's
envelope is parsed strictly and each item on its own: an item that breaks the model is
handed on as an ``UnreadableItem`` and never fails its page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from saleschannel.spapi.models.reading import (
    ModelError,
    as_enum,
    as_int,
    as_list,
    as_object,
    as_str,
    kind,
    opt_int,
    opt_str,
    parse_datetime,
    required,
)

LISTING_STATUSES = ("BUYABLE", "DISCOVERABLE")
ISSUE_SEVERITIES = ("ERROR", "WARNING", "INFO")
SUBMISSION_STATUSES = ("ACCEPTED", "INVALID", "VALID")
#: What ``getListingsItem`` and ``searchListingsItems`` may be asked to include.
ITEM_INCLUDED_DATA = (
    "summaries",
    "attributes",
    "issues",
    "offers",
    "fulfillmentAvailability",
    "procurement",
    "relationships",
    "productTypes",
)
#: What ``patchListingsItem`` may be asked to include.
PATCH_INCLUDED_DATA = ("identifiers", "issues")
#: The merchant-fulfilled channel: the only one the channel ever pushes (T2).
MFN_CHANNEL = "DEFAULT"


@dataclass(frozen=True)
class Issue:
    """An issue Amazon found with a listing or a submission."""

    code: str
    message: str
    severity: str
    attribute_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @classmethod
    def parse(cls, value: object, path: str) -> Issue:
        obj = as_object(value, path)
        return cls(
            code=as_str(required(obj, "code", path), f"{path}.code"),
            message=as_str(required(obj, "message", path), f"{path}.message"),
            severity=as_enum(required(obj, "severity", path), ISSUE_SEVERITIES, f"{path}.severity"),
            attribute_names=as_list(obj, "attributeNames", path, as_str),
            categories=_required_list(obj, "categories", path),
        )


def _required_list(obj: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
    required(obj, key, path)
    return as_list(obj, key, path, as_str)


@dataclass(frozen=True)
class ItemSummary:
    """A listing's summary in one marketplace."""

    marketplace_id: str
    product_type: str
    status: tuple[str, ...]
    created_date: dt.datetime
    last_updated_date: dt.datetime
    asin: str | None = None
    item_name: str | None = None

    @classmethod
    def parse(cls, value: object, path: str) -> ItemSummary:
        obj = as_object(value, path)
        status = required(obj, "status", path)
        if not isinstance(status, list):
            raise ModelError(f"{path}.status", f"expected an array, got {kind(status)}")
        return cls(
            marketplace_id=as_str(required(obj, "marketplaceId", path), f"{path}.marketplaceId"),
            product_type=as_str(required(obj, "productType", path), f"{path}.productType"),
            status=tuple(as_enum(s, LISTING_STATUSES, f"{path}.status[{i}]") for i, s in enumerate(status)),
            created_date=parse_datetime(required(obj, "createdDate", path), f"{path}.createdDate"),
            last_updated_date=parse_datetime(
                required(obj, "lastUpdatedDate", path), f"{path}.lastUpdatedDate"
            ),
            asin=opt_str(obj, "asin", path),
            item_name=opt_str(obj, "itemName", path),
        )


@dataclass(frozen=True)
class FulfillmentAvailability:
    """A listing's quantity in one fulfillment channel (``DEFAULT`` is merchant-fulfilled)."""

    channel_code: str
    quantity: int | None = None

    @classmethod
    def parse(cls, value: object, path: str) -> FulfillmentAvailability:
        obj = as_object(value, path)
        quantity = opt_int(obj, "quantity", path)
        if quantity is not None and quantity < 0:
            raise ModelError(f"{path}.quantity", "expected an integer of at least 0")
        return cls(
            channel_code=as_str(
                required(obj, "fulfillmentChannelCode", path), f"{path}.fulfillmentChannelCode"
            ),
            quantity=quantity,
        )


@dataclass(frozen=True)
class ProductTypeByMarketplace:
    marketplace_id: str
    product_type: str

    @classmethod
    def parse(cls, value: object, path: str) -> ProductTypeByMarketplace:
        obj = as_object(value, path)
        return cls(
            marketplace_id=as_str(required(obj, "marketplaceId", path), f"{path}.marketplaceId"),
            product_type=as_str(required(obj, "productType", path), f"{path}.productType"),
        )


@dataclass(frozen=True)
class ListingsItem:
    """One listing (a SKU of the seller) as ``getListingsItem``/``searchListingsItems`` give it.

    Parts come only when asked for (``includedData``): ``summaries``, ``issues``,
    ``fulfillment_availability``, ``product_types``, ``attributes`` are empty otherwise.
    """

    sku: str
    raw: dict[str, Any] = field(repr=False, compare=False, hash=False)
    summaries: tuple[ItemSummary, ...] = ()
    fulfillment_availability: tuple[FulfillmentAvailability, ...] = ()
    issues: tuple[Issue, ...] = ()
    product_types: tuple[ProductTypeByMarketplace, ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)

    @classmethod
    def parse(cls, value: object, path: str = "item") -> ListingsItem:
        obj = as_object(value, path)
        attributes = obj.get("attributes")
        if attributes is not None and not isinstance(attributes, dict):
            raise ModelError(f"{path}.attributes", f"expected an object, got {kind(attributes)}")
        return cls(
            sku=as_str(required(obj, "sku", path), f"{path}.sku"),
            raw=obj,
            summaries=as_list(obj, "summaries", path, ItemSummary.parse),
            fulfillment_availability=as_list(
                obj, "fulfillmentAvailability", path, FulfillmentAvailability.parse
            ),
            issues=as_list(obj, "issues", path, Issue.parse),
            product_types=as_list(obj, "productTypes", path, ProductTypeByMarketplace.parse),
            attributes=attributes or {},
        )

    def summary(self, marketplace_id: str | None = None) -> ItemSummary | None:
        """The summary of one marketplace (the first one when none is named)."""
        for summary in self.summaries:
            if marketplace_id is None or summary.marketplace_id == marketplace_id:
                return summary
        return None

    def product_type(self, marketplace_id: str | None = None) -> str | None:
        """The listing's product type (every patch needs it), from its summary or productTypes."""
        summary = self.summary(marketplace_id)
        if summary is not None:
            return summary.product_type
        for entry in self.product_types:
            if marketplace_id is None or entry.marketplace_id == marketplace_id:
                return entry.product_type
        return None

    def quantity(self, channel_code: str = MFN_CHANNEL) -> int | None:
        """The quantity in one channel; None when the channel is absent or shows none."""
        for element in self.fulfillment_availability:
            if element.channel_code == channel_code:
                return element.quantity
        return None

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(e.channel_code for e in self.fulfillment_availability)

    @property
    def is_mfn(self) -> bool:
        """Whether it is merchant-fulfilled (has a ``DEFAULT`` element): only those are pushed."""
        return MFN_CHANNEL in self.channels


@dataclass(frozen=True)
class UnreadableItem:
    """A listing that breaks the model, handed on raw with the reason."""

    sku: str | None
    raw: dict[str, Any]
    error: str


def read_item(value: object, path: str = "item") -> ListingsItem | UnreadableItem:
    """Parse one listing, or hand it on as unreadable: never raises for a bad item."""
    try:
        return ListingsItem.parse(value, path)
    except ModelError as exc:
        raw = value if isinstance(value, dict) else {"value": value}
        sku = raw.get("sku")
        return UnreadableItem(sku=sku if isinstance(sku, str) else None, raw=raw, error=str(exc))


@dataclass(frozen=True)
class ItemSearchPage:
    """One page of ``searchListingsItems``."""

    number_of_results: int
    items: list[ListingsItem | UnreadableItem]
    next_token: str | None

    @classmethod
    def parse(cls, body: object) -> ItemSearchPage:
        """Parse an ``ItemSearchResults``: the envelope strictly, each item on its own."""
        obj = as_object(body, "ItemSearchResults")
        count = as_int(
            required(obj, "numberOfResults", "ItemSearchResults"), "ItemSearchResults.numberOfResults"
        )
        items = required(obj, "items", "ItemSearchResults")
        if not isinstance(items, list):
            raise ModelError("ItemSearchResults.items", f"expected an array, got {kind(items)}")
        pagination = obj.get("pagination")
        token = None
        if pagination is not None:
            token = opt_str(as_object(pagination, "ItemSearchResults.pagination"), "nextToken", "pagination")
        return cls(
            number_of_results=count,
            items=[read_item(item, f"items[{i}]") for i, item in enumerate(items)],
            next_token=token or None,
        )


@dataclass(frozen=True)
class SubmissionResult:
    """Amazon's answer to a patch (``ListingsItemSubmissionResponse``).

    ``ACCEPTED`` means Amazon took it (an unknown SKU is accepted too, and changes
    nothing); ``INVALID`` carries the issues why not; ``VALID`` answers a validation
    preview.
    """

    sku: str
    status: str
    submission_id: str
    issues: tuple[Issue, ...] = ()

    @classmethod
    def parse(cls, body: object) -> SubmissionResult:
        path = "ListingsItemSubmissionResponse"
        obj = as_object(body, path)
        return cls(
            sku=as_str(required(obj, "sku", path), f"{path}.sku"),
            status=as_enum(required(obj, "status", path), SUBMISSION_STATUSES, f"{path}.status"),
            submission_id=as_str(required(obj, "submissionId", path), f"{path}.submissionId"),
            issues=as_list(obj, "issues", path, Issue.parse),
        )

    @property
    def accepted(self) -> bool:
        """Accepted with no issue of severity ERROR (T11)."""
        return self.status == "ACCEPTED" and not self.errors

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "ERROR")
