"""The sandbox's control routes (``/_sandbox/...``) for tests and demos, and the
Seller Central consent page. Faults, throttling and the visibility lag never touch
these."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from saleschannel.spapi.models import FULFILLMENT_STATUSES, ModelError, parse_datetime
from saleschannel.spapi.sandbox import auth_api
from saleschannel.spapi.sandbox.wire import Request, Response, json_response

if TYPE_CHECKING:
    from saleschannel.spapi.sandbox.app import SandboxApp

Handler = Callable[[Request, re.Match[str]], Response]
MAX_GENERATE = 100_000


def refused(message: str, status: int = 400) -> Response:
    return json_response(status, {"error": message})


def _body(request: Request) -> Any:
    try:
        return request.json()
    except (ValueError, UnicodeDecodeError):
        return None


def routes(app: SandboxApp) -> list[tuple[str, str, Handler]]:
    order = r"/_sandbox/orders/(?P<order_id>[^/]+)"
    return [
        ("PUT", order, lambda r, m: put_order(app, r, m["order_id"])),
        ("POST", order + r"/status", lambda r, m: post_status(app, r, m["order_id"])),
        ("GET", r"/_sandbox/orders", lambda r, m: list_orders(app)),
        ("GET", r"/_sandbox/calls", lambda r, m: json_response(200, app.calls())),
        ("POST", r"/_sandbox/generate", lambda r, m: generate(app, r)),
        ("POST", r"/_sandbox/reset", lambda r, m: reset(app)),
        ("POST", r"/_sandbox/revoke", lambda r, m: revoke(app, r)),
        ("GET", r"/apps/authorize/consent", lambda r, m: auth_api.consent_page(r, app.seller_id)),
        (
            "POST",
            r"/apps/authorize/consent",
            lambda r, m: auth_api.consent_decision(r, app.lwa, app.seller_id),
        ),
    ]


def put_order(app: SandboxApp, request: Request, order_id: str) -> Response:
    """Store or replace an order. Only what the sandbox needs to file it is checked
    (``orderId``, ``createdTime``), so a test can store an order that breaks the model
    elsewhere and see the client hand it on as unreadable."""
    body = _body(request)
    if not isinstance(body, dict):
        return refused("body: expected one Order object")
    body.setdefault("orderId", order_id)
    if body["orderId"] != order_id:
        return refused("orderId: the body's orderId differs from the path's")
    for key in ("createdTime", "lastUpdatedTime"):
        if key in body or key == "createdTime":
            try:
                parse_datetime(body.get(key), key)
            except ModelError as exc:
                return refused(str(exc))
    app.tick()
    return json_response(200, app.put_order(body))


def post_status(app: SandboxApp, request: Request, order_id: str) -> Response:
    body = _body(request)
    status = body.get("fulfillmentStatus") if isinstance(body, dict) else None
    if status not in FULFILLMENT_STATUSES:
        return refused(f"fulfillmentStatus: expected one of {', '.join(FULFILLMENT_STATUSES)}")
    if order_id not in app.store:
        return refused(f"orderId: {order_id} is not a sandbox order", 404)
    app.tick()
    return json_response(200, app.change_status(order_id, status))


def list_orders(app: SandboxApp) -> Response:
    app.tick()
    return json_response(200, {"orders": app.store.all()})


def generate(app: SandboxApp, request: Request) -> Response:
    body = _body(request)
    count = body.get("count") if isinstance(body, dict) else None
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_GENERATE:
        return refused(f"count: expected an integer from 0 to {MAX_GENERATE}")
    app.tick()
    ids = app.generate(count)
    return json_response(200, {"generated": len(ids), "orderIds": ids})


def reset(app: SandboxApp) -> Response:
    app.reset()
    return json_response(200, {"reset": True})


def revoke(app: SandboxApp, request: Request) -> Response:
    body = _body(request)
    token = body.get("refresh_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        return refused("refresh_token: expected the refresh token to revoke")
    app.lwa.revoke(token)
    return json_response(200, {"revoked": True})
