"""The Orders API routes: ``searchOrders`` and ``getOrder`` (2026-01-01) and v0
``confirmShipment``, checking requests as the models define them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from saleschannel.spapi.models import (
    FULFILLED_BY,
    FULFILLMENT_STATUSES,
    INCLUDED_DATA,
    ModelError,
    parse_datetime,
)
from saleschannel.spapi.params import BEFORE_MARGIN, format_time
from saleschannel.spapi.sandbox import static
from saleschannel.spapi.sandbox.lifecycle import status_of
from saleschannel.spapi.sandbox.shaping import shape
from saleschannel.spapi.sandbox.store import SearchQuery, SortKey
from saleschannel.spapi.sandbox.wire import Request, Response, error_list, json_response

if TYPE_CHECKING:
    from saleschannel.spapi.sandbox.app import SandboxApp

SEARCH_PARAMS = (
    "createdAfter",
    "createdBefore",
    "lastUpdatedAfter",
    "lastUpdatedBefore",
    "fulfillmentStatuses",
    "marketplaceIds",
    "fulfilledBy",
    "maxResultsPerPage",
    "paginationToken",
    "includedData",
)
ARRAY_PARAMS = {
    "fulfillmentStatuses": FULFILLMENT_STATUSES,
    "fulfilledBy": FULFILLED_BY,
    "includedData": INCLUDED_DATA,
    "marketplaceIds": None,
}


class Refused(Exception):
    """A request the model does not allow: answered 400 InvalidInput with this message."""


@dataclass
class PageCursor:
    """What a ``paginationToken`` stands for: the run's filters, moment and position."""

    filters: tuple[tuple[str, str], ...]
    query: SearchQuery
    visible_before: dt.datetime
    cutoff: dt.datetime
    after_key: SortKey
    expires_at: dt.datetime


def invalid(message: str) -> Response:
    return json_response(400, error_list("InvalidInput", message))


# --- parameters ---------------------------------------------------------------------------


def parameters(request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in request.query():
        if name not in allowed:
            raise Refused(f"{name} is not a parameter of this operation")
        if name in found:
            raise Refused(f"{name} is given twice; give array values comma-separated")
        found[name] = value
    return found


def array(params: dict[str, str], name: str) -> list[str] | None:
    if name not in params:
        return None
    values = params[name].split(",")
    allowed = ARRAY_PARAMS[name]
    for value in values:
        if not value or (allowed is not None and value not in allowed):
            raise Refused(f"{name}: {value!r} is not an allowed value")
    if name == "marketplaceIds" and len(values) > 50:
        raise Refused("marketplaceIds: at most 50")
    return values


def time_param(params: dict[str, str], name: str) -> dt.datetime | None:
    if name not in params:
        return None
    try:
        return parse_datetime(params[name], name)
    except ModelError:
        raise Refused(f"{name}: not an ISO 8601 date-time with a zone") from None


def static_parameters(params: dict[str, str]) -> dict[str, Any]:
    """The request's parameters in the shape of the models' static cases."""
    shaped: dict[str, Any] = {}
    for name, value in params.items():
        if name in ARRAY_PARAMS:
            shaped[name] = value.split(",")
        elif name == "maxResultsPerPage" and value.isdigit():
            shaped[name] = int(value)
        else:
            shaped[name] = value
    return shaped


# --- searchOrders -------------------------------------------------------------------------


def search_query(params: dict[str, str], now: dt.datetime) -> SearchQuery:
    times = {
        n: time_param(params, n)
        for n in ("createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore")
    }
    by_creation = times["createdAfter"] is not None or times["createdBefore"] is not None
    by_update = times["lastUpdatedAfter"] is not None or times["lastUpdatedBefore"] is not None
    if by_creation and by_update:
        raise Refused("createdAfter/createdBefore cannot be combined with lastUpdatedAfter/lastUpdatedBefore")
    if (times["createdAfter"] is None) == (times["lastUpdatedAfter"] is None):
        raise Refused("exactly one of createdAfter and lastUpdatedAfter is required")
    for after, before in (("createdAfter", "createdBefore"), ("lastUpdatedAfter", "lastUpdatedBefore")):
        start, end = times[after], times[before]
        if end is not None and start is not None and end < start:
            raise Refused(f"{before} must be equal to or after {after}")
        if end is not None and end > now - BEFORE_MARGIN:
            raise Refused(f"{before} must be at least two minutes before the time of the request")
    return SearchQuery(
        created_after=times["createdAfter"],
        created_before=times["createdBefore"],
        last_updated_after=times["lastUpdatedAfter"],
        last_updated_before=times["lastUpdatedBefore"],
        fulfillment_statuses=_tuple(array(params, "fulfillmentStatuses")),
        fulfilled_by=_tuple(array(params, "fulfilledBy")),
        marketplace_ids=_tuple(array(params, "marketplaceIds")),
    )


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def page_size(params: dict[str, str]) -> int:
    text = params.get("maxResultsPerPage", "100")
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise Refused("maxResultsPerPage must be between 1 and 100")
    return int(text)


def search_orders(app: SandboxApp, request: Request) -> Response:
    params = parameters(request, SEARCH_PARAMS)
    case = static.match("searchOrders", static_parameters(params))
    if case is not None:
        return json_response(case.status, case.response)
    now = app.clock.now()
    filters = tuple(sorted((k, v) for k, v in params.items() if k != "paginationToken"))
    size = page_size(params)
    included = array(params, "includedData") or []
    token = params.get("paginationToken")
    cursor = app.cursors.resume(token, filters, now) if token else None
    if cursor is None:
        cursor = _first_cursor(app, params, filters, now)
    return _page(app, cursor, size, included, now)


def _first_cursor(
    app: SandboxApp, params: dict[str, str], filters: tuple[tuple[str, str], ...], now: dt.datetime
) -> PageCursor:
    query = search_query(params, now)
    visible_before = now - dt.timedelta(seconds=app.visibility_lag)
    given = query.created_before if query.by_creation else query.last_updated_before
    cutoff = visible_before if given is None or given > visible_before else given
    if query.by_creation:
        query = dataclasses.replace(query, created_before=cutoff)
    else:
        query = dataclasses.replace(query, last_updated_before=cutoff)
    start: SortKey = (dt.datetime.min.replace(tzinfo=dt.UTC), "")
    return PageCursor(filters, query, visible_before, cutoff, start, now)


def _page(app: SandboxApp, cursor: PageCursor, size: int, included: list[str], now: dt.datetime) -> Response:
    found = app.store.search(
        cursor.query, visible_before=cursor.visible_before, after_key=cursor.after_key, limit=size + 1
    )
    page, more = found[:size], len(found) > size
    body: dict[str, Any] = {"orders": [shape(o, included) for o in page]}
    if more:
        cursor.after_key = cursor.query.sort_key(page[-1])
        body["pagination"] = {"nextToken": app.cursors.issue(cursor, now)}
    stamp = format_time(cursor.cutoff, "before")
    body["createdBefore" if cursor.query.by_creation else "lastUpdatedBefore"] = stamp
    return json_response(200, body)


class Cursors:
    """Issued pagination tokens; each expires ``ttl`` seconds after it was issued."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._cursors: dict[str, PageCursor] = {}

    def issue(self, cursor: PageCursor, now: dt.datetime) -> str:
        self._cursors = {t: c for t, c in self._cursors.items() if c.expires_at > now}
        token = secrets.token_urlsafe(24)
        self._cursors[token] = dataclasses.replace(cursor, expires_at=now + dt.timedelta(seconds=self.ttl))
        return token

    def resume(self, token: str, filters: tuple[tuple[str, str], ...], now: dt.datetime) -> PageCursor:
        cursor = self._cursors.get(token)
        if cursor is None:
            raise Refused("paginationToken is not valid")
        if cursor.expires_at <= now:
            raise Refused("paginationToken has expired")
        if cursor.filters != filters:
            raise Refused("paginationToken was issued for other filters; re-send the same filters")
        return dataclasses.replace(cursor)  # a copy: moving it on must not move the issued one

    def clear(self) -> None:
        self._cursors.clear()


# --- getOrder -----------------------------------------------------------------------------


def get_order(app: SandboxApp, request: Request, order_id: str) -> Response:
    params = parameters(request, ("includedData",))
    case = static.match("getOrder", {"orderId": order_id, **static_parameters(params)})
    if case is not None:
        return json_response(case.status, case.response)
    included = array(params, "includedData") or []
    order = app.store.get(order_id)
    if order is None:
        return json_response(404, error_list("NotFound", "The order was not found for this seller."))
    return json_response(200, {"order": shape(order, included)})


# --- confirmShipment (v0) -----------------------------------------------------------------


def confirm_shipment(app: SandboxApp, request: Request, order_id: str) -> Response:
    parameters(request, ())
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise Refused("the body is not JSON") from None
    case = static.match("confirmShipment", {"orderId": order_id, "body": body})
    if case is not None:
        return Response(case.status) if case.status == 204 else json_response(case.status, case.response)
    detail = check_confirm_body(body)
    order = app.store.get(order_id)
    if order is None:
        return json_response(404, error_list("NotFound", "The order was not found for this seller."))
    check_shippable(order, body["marketplaceId"], detail)
    app.confirm_package(order_id, detail)
    return Response(204)


def check_confirm_body(body: Any) -> dict[str, Any]:
    """``ConfirmShipmentRequest`` as ordersV0.json defines it; the package detail."""
    if not isinstance(body, dict):
        raise Refused("the body must be a ConfirmShipmentRequest object")
    _require_str(body, "marketplaceId", "")
    if "codCollectionMethod" in body and body["codCollectionMethod"] != "DirectPayment":
        raise Refused("codCollectionMethod must be DirectPayment")
    detail = body.get("packageDetail")
    if not isinstance(detail, dict):
        raise Refused("packageDetail is required")
    for key in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate"):
        _require_str(detail, key, "packageDetail.")
    for key in ("carrierName", "shippingMethod", "shipFromSupplySourceId"):
        if key in detail and not isinstance(detail[key], str):
            raise Refused(f"packageDetail.{key} must be a string")
    try:
        parse_datetime(detail["shipDate"], "shipDate")
    except ModelError:
        raise Refused("packageDetail.shipDate must be an ISO 8601 date-time") from None
    if not detail["packageReferenceId"].isdigit() or int(detail["packageReferenceId"]) < 1:
        raise Refused("packageDetail.packageReferenceId: only positive numeric values are supported")
    if detail["carrierCode"] == "Other" and not detail.get("carrierName"):
        raise Refused("packageDetail.carrierName is required when carrierCode is Other")
    _check_items(detail.get("orderItems"))
    return detail


def _require_str(obj: dict[str, Any], key: str, prefix: str) -> None:
    if not isinstance(obj.get(key), str) or not obj[key]:
        raise Refused(f"{prefix}{key} is required and must be a string")


def _check_items(items: Any) -> None:
    if not isinstance(items, list) or not items:
        raise Refused("packageDetail.orderItems must be a non-empty array")
    for i, item in enumerate(items):
        where = f"packageDetail.orderItems[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("orderItemId"), str):
            raise Refused(f"{where}.orderItemId is required and must be a string")
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise Refused(f"{where}.quantity must be a positive integer")
        codes = item.get("transparencyCodes", [])
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise Refused(f"{where}.transparencyCodes must be an array of strings")


def check_shippable(order: dict[str, Any], marketplace_id: str, detail: dict[str, Any]) -> None:
    """Refuse what Amazon refuses: another marketplace, an FBA or closed order, unknown or too many items."""
    if (order.get("salesChannel") or {}).get("marketplaceId") != marketplace_id:
        raise Refused("marketplaceId does not match the order's marketplace")
    if (order.get("fulfillment") or {}).get("fulfilledBy") == "AMAZON":
        raise Refused("the order is fulfilled by Amazon")
    resent = any(p["packageReferenceId"] == detail["packageReferenceId"] for p in order.get("packages", []))
    if status_of(order) not in ("UNSHIPPED", "PARTIALLY_SHIPPED") and not resent:
        raise Refused(f"the order's status {status_of(order)} does not allow a shipment")
    ordered = {i["orderItemId"]: i["quantityOrdered"] for i in order["orderItems"]}
    shipped: dict[str, int] = {}
    others = [p for p in order.get("packages", []) if p["packageReferenceId"] != detail["packageReferenceId"]]
    for item in [i for p in others for i in p.get("packageItems", [])] + detail["orderItems"]:
        if item["orderItemId"] not in ordered:
            raise Refused("an orderItemId does not belong to the order")
        shipped[item["orderItemId"]] = shipped.get(item["orderItemId"], 0) + item["quantity"]
    if any(quantity > ordered[item_id] for item_id, quantity in shipped.items()):
        raise Refused("the quantity shipped is more than the quantity ordered")
