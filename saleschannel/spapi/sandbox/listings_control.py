"""The sandbox's control routes for listings: store one, list them, type a quantity as
in Seller Central, and let a buyer order now (``spec/cli.md``). No fault, no throttling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from saleschannel.spapi.sandbox.control import refused
from saleschannel.spapi.sandbox.wire import Request, Response, json_response

if TYPE_CHECKING:
    from saleschannel.spapi.sandbox.app import SandboxApp

STATUSES = ("BUYABLE", "DISCOVERABLE")


def routes(app: SandboxApp) -> list[tuple[str, str, Any]]:
    listing = r"/_sandbox/listings/(?P<sku>[^/]+)"
    return [
        ("PUT", listing, lambda r, m: put_listing(app, r, unquote(m["sku"]))),
        ("POST", listing + r"/quantity", lambda r, m: type_quantity(app, r, unquote(m["sku"]))),
        ("GET", r"/_sandbox/listings", lambda r, m: list_listings(app)),
        ("POST", r"/_sandbox/sell", lambda r, m: sell(app, r)),
    ]


def _object(request: Request) -> dict[str, Any] | None:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def put_listing(app: SandboxApp, request: Request, sku: str) -> Response:
    body = _object(request)
    if body is None:
        return refused("body: expected {productType, channels, status, marketplaceId}")
    product_type = body.get("productType", "PRODUCT")
    channels = body.get("channels", {"DEFAULT": 0})
    status = body.get("status", list(STATUSES))
    market = body.get("marketplaceId", app.generator.marketplaces[0].marketplace_id)
    if not isinstance(product_type, str) or not product_type:
        return refused("productType: expected a product type")
    if not isinstance(channels, dict) or not all(
        isinstance(k, str) and _whole(v) for k, v in channels.items()
    ):
        return refused("channels: expected {channel: quantity of at least 0}")
    if not isinstance(status, list) or not set(status) <= set(STATUSES):
        return refused(f"status: expected a list among {', '.join(STATUSES)}")
    if not isinstance(market, str) or not market:
        return refused("marketplaceId: expected a marketplace id")
    app.tick()
    listing = app.put_listing(
        sku=sku, marketplace_id=market, product_type=product_type, channels=channels, status=status
    )
    return json_response(200, listing)


def list_listings(app: SandboxApp) -> Response:
    app.tick()
    return json_response(200, {"listings": app.listings_view()})


def type_quantity(app: SandboxApp, request: Request, sku: str) -> Response:
    body = _object(request) or {}
    channel, quantity = body.get("channel", "DEFAULT"), body.get("quantity")
    market = body.get("marketplaceId", app.generator.marketplaces[0].marketplace_id)
    if not isinstance(channel, str) or not _whole(quantity):
        return refused("body: expected {channel, quantity of at least 0}")
    app.tick()
    listing = app.type_quantity(market, sku, channel, quantity)  # type: ignore[arg-type]
    if listing is None:
        return refused(f"sku: {sku} is not a listing in {market}", 404)
    return json_response(200, listing)


def sell(app: SandboxApp, request: Request) -> Response:
    body = _object(request) or {}
    sku, quantity = body.get("sku"), body.get("quantity", 1)
    fulfilled_by = body.get("fulfilledBy", "MERCHANT")
    market = body.get("marketplaceId", app.generator.marketplaces[0].marketplace_id)
    if not isinstance(sku, str) or not sku or not _whole(quantity) or quantity == 0:
        return refused("body: expected {sku, quantity of at least 1, fulfilledBy}")
    if fulfilled_by not in ("MERCHANT", "AMAZON"):
        return refused("fulfilledBy: expected MERCHANT or AMAZON")
    app.tick()
    order = app.sell(market, sku, quantity, fba=fulfilled_by == "AMAZON")  # type: ignore[arg-type]
    if order is None:
        return refused(f"sku: the listing {sku} does not show {quantity} in {market}", 409)
    return json_response(200, order)
