"""How an order's JSON changes when its status moves: prices appear when it leaves
PENDING, packages and shipped quantities when it ships, cancellation details and zero
quantities when it is canceled (Amazon reports 0 on canceled lines, C12)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from saleschannel.spapi.models import FULFILLMENT_STATUSES
from saleschannel.spapi.params import format_time
from saleschannel.spapi.sandbox.generator import Plan, carrier
from saleschannel.spapi.sandbox.money import subtract_line
from saleschannel.spapi.sandbox.store import clone

Order = dict[str, Any]


def status_of(order: Order) -> str | None:
    return (order.get("fulfillment") or {}).get("fulfillmentStatus")


def apply_status(order: Order, status: str, now: dt.datetime, plan: Plan | None, rng: random.Random) -> None:
    """Move ``order`` to ``status`` in place, with what that status shows."""
    if status not in FULFILLMENT_STATUSES:
        raise ValueError(f"fulfillmentStatus: {status!r} is not one of {', '.join(FULFILLMENT_STATUSES)}")
    if status not in ("PENDING", "PENDING_AVAILABILITY", "CANCELLED") and plan is not None:
        _show_prices(order, plan)
    if status == "SHIPPED":
        _ship_everything(order, now, rng)
    if status == "CANCELLED":
        _cancel(order)
    order.setdefault("fulfillment", {})["fulfillmentStatus"] = status


def _show_prices(order: Order, plan: Plan) -> None:
    if "proceeds" in order:
        return
    priced = {line["orderItemId"]: line for line in plan.priced_items}
    for item in order["orderItems"]:
        source = priced.get(item["orderItemId"])
        if source is None:
            continue
        item["product"]["price"] = clone(source["product"]["price"])
        item["proceeds"] = clone(source["proceeds"])
        if "promotion" in source:
            item["promotion"] = clone(source["promotion"])
    order["proceeds"] = clone(plan.proceeds)


def _ship_everything(order: Order, now: dt.datetime, rng: random.Random) -> None:
    """Ship what is left in one package (FBA, or a shipment made in Seller Central)."""
    remaining = []
    for item in order["orderItems"]:
        done = (item.get("fulfillment") or {}).get("quantityFulfilled", 0)
        left = item["quantityOrdered"] - done
        if left > 0:
            remaining.append({"orderItemId": item["orderItemId"], "quantity": left})
        item["fulfillment"] = {"quantityFulfilled": item["quantityOrdered"], "quantityUnfulfilled": 0}
    if not remaining:
        return
    code, service = carrier(rng)
    packages = order.setdefault("packages", [])
    packages.append(
        {
            "packageReferenceId": str(len(packages) + 1),
            "createdTime": format_time(now, "createdTime"),
            "packageStatus": {"status": "SHIPPED"},
            "carrier": code,
            "shipTime": format_time(now, "shipTime"),
            "shippingService": service,
            "trackingNumber": f"1Z{rng.randrange(10**15, 10**16)}",
            "packageItems": remaining,
        }
    )


def _cancel(order: Order) -> None:
    for item in order["orderItems"]:
        shipped = (item.get("fulfillment") or {}).get("quantityFulfilled", 0)
        if shipped:
            continue
        item["quantityOrdered"] = 0
        item["fulfillment"] = {"quantityFulfilled": 0, "quantityUnfulfilled": 0}
        item["cancellation"] = {
            "cancellationExecution": {"cancelledBy": "BUYER", "cancelReason": "BUYER_CANCELED"}
        }


def cancel_last_line(order: Order) -> bool:
    """The buyer cancels the last unshipped line of an unshipped order; False if none can be."""
    if status_of(order) != "UNSHIPPED" or len(order["orderItems"]) < 2:
        return False
    for item in reversed(order["orderItems"]):
        if item["quantityOrdered"] and not (item.get("fulfillment") or {}).get("quantityFulfilled"):
            subtract_line(order, item)
            item["quantityOrdered"] = 0
            item["fulfillment"] = {"quantityFulfilled": 0, "quantityUnfulfilled": 0}
            item["cancellation"] = {
                "cancellationRequest": {"requester": "BUYER", "cancelReason": "BUYER_CANCELED"},
                "cancellationExecution": {"cancelledBy": "SELLER", "cancelReason": "BUYER_CANCELED"},
            }
            return True
    return False


def record_package(order: Order, detail: dict[str, Any], now: dt.datetime) -> str:
    """Add a confirmed package (v0 ``PackageDetail``) in the 2026 shape; return the new status.

    The same ``packageReferenceId`` sent again replaces its package: Amazon sees one.
    """
    items = {i["orderItemId"]: i for i in order["orderItems"]}
    packages = [
        p for p in order.get("packages", []) if p["packageReferenceId"] != detail["packageReferenceId"]
    ]
    package = {
        "packageReferenceId": detail["packageReferenceId"],
        "createdTime": format_time(now, "createdTime"),
        "packageStatus": {"status": "SHIPPED"},
        "carrier": detail.get("carrierName") or detail["carrierCode"],
        "shipTime": detail["shipDate"],
        "trackingNumber": detail["trackingNumber"],
        "packageItems": [
            {"orderItemId": i["orderItemId"], "quantity": i["quantity"]} for i in detail["orderItems"]
        ],
    }
    if detail.get("shippingMethod"):
        package["shippingService"] = detail["shippingMethod"]
    packages.append(package)
    order["packages"] = packages
    shipped = shipped_quantities(order)
    for item_id, item in items.items():
        done = min(shipped.get(item_id, 0), item["quantityOrdered"])
        item["fulfillment"] = {
            "quantityFulfilled": done,
            "quantityUnfulfilled": item["quantityOrdered"] - done,
        }
    complete = all(i["fulfillment"]["quantityUnfulfilled"] == 0 for i in order["orderItems"])
    return "SHIPPED" if complete else "PARTIALLY_SHIPPED"


def shipped_quantities(order: Order) -> dict[str, int]:
    shipped: dict[str, int] = {}
    for package in order.get("packages", []):
        for item in package.get("packageItems", []):
            shipped[item["orderItemId"]] = shipped.get(item["orderItemId"], 0) + item["quantity"]
    return shipped
