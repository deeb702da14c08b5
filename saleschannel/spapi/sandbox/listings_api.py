"""The Listings Items API 2021-08-01 as the sandbox answers it: ``getListingsItem``,
``patchListingsItem`` and ``searchListingsItems``, for the one seller it plays."""

from __future__ import annotations

import base64
import re
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from saleschannel.spapi.sandbox.listings import Listing, PatchRefused
from saleschannel.spapi.sandbox.orders_api import Refused
from saleschannel.spapi.sandbox.wire import Request, Response, error_list, json_response

if TYPE_CHECKING:
    from saleschannel.spapi.sandbox.app import SandboxApp

ITEM_INCLUDED = (
    "summaries",
    "attributes",
    "issues",
    "offers",
    "fulfillmentAvailability",
    "procurement",
    "relationships",
    "productTypes",
)
PATCH_INCLUDED = ("identifiers", "issues")
PATCH_OPS = ("add", "replace", "merge", "delete")
GET_PARAMS = frozenset({"marketplaceIds", "issueLocale", "includedData"})
PATCH_PARAMS = frozenset({"marketplaceIds", "includedData", "mode", "issueLocale"})
SEARCH_PARAMS = frozenset(
    {
        "marketplaceIds",
        "issueLocale",
        "includedData",
        "identifiers",
        "identifiersType",
        "variationParentSku",
        "packageHierarchySku",
        "createdAfter",
        "createdBefore",
        "lastUpdatedAfter",
        "lastUpdatedBefore",
        "withIssueSeverity",
        "withStatus",
        "withoutStatus",
        "sortBy",
        "sortOrder",
        "pageSize",
        "pageToken",
    }
)
SEARCH_MAX_IDENTIFIERS = 20
SEARCH_MAX_PAGE = 20
SEARCH_DEFAULT_PAGE = 10

#: Counted in ``GET /_sandbox/calls`` once called.
OPERATIONS = ("getListingsItem", "patchListingsItem", "searchListingsItems")


def routes(app: SandboxApp) -> list[tuple[str, str, Any, str]]:
    """(method, path pattern, handler, operationId) of the Listings Items routes."""
    item = r"/listings/2021-08-01/items/(?P<seller_id>[^/]+)/(?P<sku>[^/]+)"
    return [
        ("GET", item, lambda r, m: get_listings_item(app, r, m), "getListingsItem"),
        ("PATCH", item, lambda r, m: patch_listings_item(app, r, m), "patchListingsItem"),
        (
            "GET",
            r"/listings/2021-08-01/items/(?P<seller_id>[^/]+)",
            lambda r, m: search_listings_items(app, r, m),
            "searchListingsItems",
        ),
    ]


def query(request: Request, allowed: frozenset[str]) -> dict[str, str]:
    """The query as a dict; a repeated or undefined parameter is refused (400)."""
    params: dict[str, str] = {}
    for name, value in request.query():
        if name not in allowed:
            raise Refused(f"{name} is not a parameter of this operation")
        if name in params:
            raise Refused(f"{name} is given twice")
        params[name] = value
    return params


def array(
    params: dict[str, str], name: str, allowed: tuple[str, ...] | None = None, *, required: bool = False
) -> list[str]:
    raw = params.get(name)
    if raw is None:
        if required:
            raise Refused(f"{name} is required")
        return []
    values = raw.split(",")
    if not all(values):
        raise Refused(f"{name}: an empty value")
    if allowed is not None and not set(values) <= set(allowed):
        raise Refused(f"{name}: a value outside {', '.join(allowed)}")
    return values


def forbidden_seller(app: SandboxApp, match: re.Match[str]) -> Response | None:
    """A call for another seller than the one the sandbox plays gets 403 (C47)."""
    if unquote(match["seller_id"]) == app.seller_id:
        return None
    return json_response(403, error_list("Unauthorized", "Access to requested resource is denied."))


def _listing(app: SandboxApp, marketplace_ids: list[str], sku: str) -> Listing | None:
    for market in marketplace_ids:
        listing = app.listings.get(market, sku)
        if listing is not None:
            return listing
    return None


def get_listings_item(app: SandboxApp, request: Request, match: re.Match[str]) -> Response:
    params = query(request, GET_PARAMS)
    markets = array(params, "marketplaceIds", required=True)
    included = array(params, "includedData", ITEM_INCLUDED) or ["summaries"]
    denied = forbidden_seller(app, match)
    if denied is not None:
        return denied
    sku = unquote(match["sku"])
    listing = _listing(app, markets, sku)
    if listing is None:
        return json_response(
            404, error_list("NOT_FOUND", f"SKU '{sku}' not found in marketplace {markets[0]}")
        )
    return json_response(200, listing.item(included))


def patch_listings_item(app: SandboxApp, request: Request, match: re.Match[str]) -> Response:
    params = query(request, PATCH_PARAMS)
    markets = array(params, "marketplaceIds", required=True)
    included = array(params, "includedData", PATCH_INCLUDED) or ["issues"]
    mode = params.get("mode")
    if mode is not None and mode != "VALIDATION_PREVIEW":
        raise Refused("mode: only VALIDATION_PREVIEW is defined")
    product_type, patches = patch_body(request)
    denied = forbidden_seller(app, match)
    if denied is not None:
        return denied
    sku = unquote(match["sku"])
    listing = _listing(app, markets, sku)
    status, issues = "VALID" if mode else "ACCEPTED", []
    if listing is not None:  # an unknown SKU is accepted and changes nothing, as at Amazon
        try:
            app.listings.patch(listing, product_type, patches, app.clock.now(), apply=mode is None)
        except PatchRefused as exc:
            status, issues = "INVALID", [exc.issue]
    answer: dict[str, Any] = {"sku": sku, "status": status, "submissionId": uuid.uuid4().hex}
    if "issues" in included or issues:
        answer["issues"] = issues
    if "identifiers" in included:
        answer["identifiers"] = (
            []
            if listing is None
            else [
                {
                    "marketplaceId": listing.marketplace_id,
                    "asin": listing.item(["summaries"])["summaries"][0]["asin"],
                }
            ]
        )
    return json_response(200, answer)


def patch_body(request: Request) -> tuple[str, list[dict[str, Any]]]:
    """A ``ListingsItemPatchRequest`` as the model defines it, or Refused (400)."""
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise Refused("body: not JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("productType"), str):
        raise Refused("body.productType: required, a string")
    patches = body.get("patches")
    if not isinstance(patches, list) or not patches:
        raise Refused("body.patches: required, at least one operation")
    for i, patch in enumerate(patches):
        if (
            not isinstance(patch, dict)
            or patch.get("op") not in PATCH_OPS
            or not isinstance(patch.get("path"), str)
        ):
            raise Refused(f"body.patches[{i}]: needs an op among {', '.join(PATCH_OPS)} and a path")
        value = patch.get("value")
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, dict) for v in value)):
            raise Refused(f"body.patches[{i}].value: an array of objects")
    return body["productType"], patches


def search_listings_items(app: SandboxApp, request: Request, match: re.Match[str]) -> Response:
    params = query(request, SEARCH_PARAMS)
    markets = array(params, "marketplaceIds", required=True)
    included = array(params, "includedData", ITEM_INCLUDED) or ["summaries"]
    identifiers = array(params, "identifiers")
    if len(identifiers) > SEARCH_MAX_IDENTIFIERS:
        raise Refused(f"identifiers: at most {SEARCH_MAX_IDENTIFIERS}")
    if identifiers and params.get("identifiersType") not in (
        "SKU",
        "ASIN",
        "EAN",
        "GTIN",
        "ISBN",
        "JAN",
        "MINSAN",
        "UPC",
    ):
        raise Refused("identifiersType: required with identifiers")
    size = _page_size(params.get("pageSize"))
    offset = _offset(params.get("pageToken"))
    denied = forbidden_seller(app, match)
    if denied is not None:
        return denied
    found = [item for item in app.listings.all() if item.marketplace_id in markets]
    if identifiers:
        if params["identifiersType"] != "SKU":
            found = []
        wanted = set(identifiers)
        found = [item for item in found if item.sku in wanted]
    page = found[offset : offset + size]
    answer: dict[str, Any] = {"numberOfResults": len(found), "items": [item.item(included) for item in page]}
    if offset + size < len(found):
        answer["pagination"] = {"nextToken": _token(offset + size)}
    return json_response(200, answer)


def _page_size(raw: str | None) -> int:
    if raw is None:
        return SEARCH_DEFAULT_PAGE
    if not raw.isdigit() or not 1 <= int(raw) <= SEARCH_MAX_PAGE:
        raise Refused(f"pageSize: from 1 to {SEARCH_MAX_PAGE}")
    return int(raw)


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"listings:{offset}".encode()).decode()


def _offset(token: str | None) -> int:
    if token is None:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind == "listings" and number.isdigit():
            return int(number)
    except (ValueError, UnicodeDecodeError):
        pass
    raise Refused("pageToken: not a token this search gave")
