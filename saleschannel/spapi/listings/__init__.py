"""Amazon's Listings Items API 2021-08-01: typed listings and submission results
(``models``) and the client's operations (``operations``, mixed into ``SpApiClient``)."""

from saleschannel.spapi.listings.models import (
    ITEM_INCLUDED_DATA,
    MFN_CHANNEL,
    FulfillmentAvailability,
    Issue,
    ItemSearchPage,
    ItemSummary,
    ListingsItem,
    SubmissionResult,
    UnreadableItem,
    read_item,
)
from saleschannel.spapi.listings.operations import DISCOVERY_INCLUDED_DATA, SEARCH_BATCH, sku_path

__all__ = [
    "DISCOVERY_INCLUDED_DATA",
    "ITEM_INCLUDED_DATA",
    "MFN_CHANNEL",
    "SEARCH_BATCH",
    "FulfillmentAvailability",
    "Issue",
    "ItemSearchPage",
    "ItemSummary",
    "ListingsItem",
    "SubmissionResult",
    "UnreadableItem",
    "read_item",
    "sku_path",
]
