"""The Listings Items API 2021-08-01 operations of ``SpApiClient``: ``getListingsItem``,
``patchListingsItem`` and ``searchListingsItems``.

A mixin, so they share the client's call loop (rate limiter, token, retries, errors).
SKUs travel URL-encoded in the path: a SKU may hold ``/``, spaces, ``#`` or non-ASCII.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from saleschannel.spapi.errors import BadResponse
from saleschannel.spapi.listings.models import (
    ITEM_INCLUDED_DATA,
    PATCH_INCLUDED_DATA,
    ItemSearchPage,
    ListingsItem,
    SubmissionResult,
)
from saleschannel.spapi.models.reading import ModelError
from saleschannel.spapi.params import csv

ITEM_PATH = "/listings/2021-08-01/items/{sellerId}/{sku}"
SEARCH_PATH = "/listings/2021-08-01/items/{sellerId}"
#: ``searchListingsItems`` takes at most 20 identifiers and 20 items a page.
SEARCH_BATCH = 20
T = TypeVar("T")
#: What discovery asks for (T3).
DISCOVERY_INCLUDED_DATA = ("summaries", "fulfillmentAvailability", "productTypes")


def sku_path(sku: str) -> str:
    """A SKU as one path segment: every reserved byte percent-encoded (``/`` too), UTF-8,
    and a SKU of dots only (``.``, ``..``) encoded too so it is not taken for a dot segment."""
    if not isinstance(sku, str) or not sku:
        raise ValueError("sku is empty")
    encoded = quote(sku, safe="")
    if encoded in (".", ".."):
        # A dot segment would be resolved away by any URL library on the way.
        return encoded.replace(".", "%2E")
    return encoded


class ListingsOperations:
    """Listings Items operations; mixed into ``SpApiClient``, which supplies ``_call``."""

    seller_id: str

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        deadline: float | None = None,
    ) -> Any:
        raise NotImplementedError

    def _item_path(self, sku: str) -> str:
        return ITEM_PATH.format(sellerId=quote(self.seller_id, safe=""), sku=sku_path(sku))

    def get_listings_item(
        self,
        sku: str,
        *,
        marketplace_ids: Sequence[str],
        included_data: Sequence[str] = ("summaries",),
        issue_locale: str | None = None,
        deadline: float | None = None,
    ) -> ListingsItem:
        """One listing of this seller. Raises NotFound for a SKU Amazon does not hold."""
        params = {
            "marketplaceIds": csv(marketplace_ids, "marketplaceIds"),
            "includedData": csv(included_data, "includedData", ITEM_INCLUDED_DATA),
        }
        if issue_locale:
            params["issueLocale"] = issue_locale
        body = self._call("getListingsItem", "GET", self._item_path(sku), params=params, deadline=deadline)
        return parsed(ListingsItem.parse, body, "getListingsItem")

    def patch_listings_item(
        self,
        sku: str,
        *,
        marketplace_ids: Sequence[str],
        product_type: str,
        patches: Sequence[Mapping[str, Any]],
        included_data: Sequence[str] | None = ("issues",),
        mode: str | None = None,
        deadline: float | None = None,
    ) -> SubmissionResult:
        """Apply JSON patches to one listing (T7). ``mode="VALIDATION_PREVIEW"`` checks only.

        Retried on transient failures: a patch sets values, so sending it again leaves
        the listing as one sending does.
        """
        if not product_type:
            raise ValueError("productType is empty")
        if not patches:
            raise ValueError("patches: give at least one operation")
        params = {"marketplaceIds": csv(marketplace_ids, "marketplaceIds")}
        if included_data is not None:
            params["includedData"] = csv(included_data, "includedData", PATCH_INCLUDED_DATA)
        if mode is not None:
            if mode != "VALIDATION_PREVIEW":
                raise ValueError("mode: only 'VALIDATION_PREVIEW' is defined")
            params["mode"] = mode
        body = {"productType": product_type, "patches": [dict(p) for p in patches]}
        answer = self._call(
            "patchListingsItem",
            "PATCH",
            self._item_path(sku),
            params=params,
            json_body=body,
            deadline=deadline,
        )
        return parsed(SubmissionResult.parse, answer, "patchListingsItem")

    def search_listings_items(
        self,
        skus: Sequence[str],
        *,
        marketplace_ids: Sequence[str],
        included_data: Sequence[str] = DISCOVERY_INCLUDED_DATA,
        page_size: int = SEARCH_BATCH,
        deadline: float | None = None,
    ) -> Iterator[ItemSearchPage]:
        """Yield the pages of the listings of ``skus``, 20 SKUs a call (T3), fetched when asked.

        A SKU holding a comma cannot travel in ``identifiers`` (a comma-separated array):
        it is refused here (read it with ``get_listings_item``).
        """
        if isinstance(skus, str):
            raise ValueError("skus: give a list of SKUs")
        if not 1 <= page_size <= SEARCH_BATCH:
            raise ValueError(f"pageSize: from 1 to {SEARCH_BATCH}")
        base = {
            "marketplaceIds": csv(marketplace_ids, "marketplaceIds"),
            "includedData": csv(included_data, "includedData", ITEM_INCLUDED_DATA),
            "identifiersType": "SKU",
            "pageSize": str(page_size),
        }
        batches = [list(skus[i : i + SEARCH_BATCH]) for i in range(0, len(skus), SEARCH_BATCH)]
        for batch in batches:
            csv(batch, "identifiers")  # refuse a bad SKU before anything is sent
        return self._search_pages(base, batches, deadline)

    def _search_pages(
        self, base: dict[str, str], batches: list[list[str]], deadline: float | None
    ) -> Iterator[ItemSearchPage]:
        path = SEARCH_PATH.format(sellerId=quote(self.seller_id, safe=""))
        for batch in batches:
            token: str | None = None
            while True:
                params = {**base, "identifiers": ",".join(batch)}
                if token is not None:
                    params["pageToken"] = token
                body = self._call("searchListingsItems", "GET", path, params=params, deadline=deadline)
                page = parsed(ItemSearchPage.parse, body, "searchListingsItems")
                yield page
                if page.next_token is None:
                    break
                if page.next_token == token:
                    raise BadResponse("searchListingsItems answered the same nextToken again")
                token = page.next_token


def parsed(parse: Callable[[Any], T], body: Any, operation: str) -> T:
    """``parse(body)``, a model break becoming BadResponse (not retried)."""
    try:
        return parse(body)
    except ModelError as exc:
        raise BadResponse(f"{operation} answered JSON that breaks the model: {exc}") from None
