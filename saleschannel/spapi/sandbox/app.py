"""The sandbox: a local Amazon for tests and demos.

``SandboxApp`` answers Login with Amazon's token endpoint, the Orders API 2026-01-01
(``searchOrders``, ``getOrder``) and v0 ``confirmShipment`` as Amazon's models say,
with Amazon's throttling, faults on demand, a visibility lag, generated orders and
ORDER_CHANGE notifications; plus control routes under ``/_sandbox/`` for tests.

The same app runs in-process (``transport()``, an ``httpx.MockTransport``) for fast
tests with a fake clock, or over HTTP (``server.serve`` / ``server.run_in_thread``).
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from saleschannel.spapi.clock import Clock, SystemClock
from saleschannel.spapi.sandbox import (
    auth_api,
    control,
    feeds_api,
    listings_api,
    listings_control,
    orders_api,
    static,
)
from saleschannel.spapi.sandbox.faults import Fault, FaultInjector
from saleschannel.spapi.sandbox.feeds import FeedsBook
from saleschannel.spapi.sandbox.generator import (
    CANCEL_LINE,
    DEFAULT_SKUS,
    MARKETPLACES,
    Marketplace,
    OrderGenerator,
    Plan,
)
from saleschannel.spapi.sandbox.lifecycle import apply_status, cancel_last_line, record_package, status_of
from saleschannel.spapi.sandbox.listings import ListingsBook
from saleschannel.spapi.sandbox.notify import Notifier, eventbridge_event, order_change_notification
from saleschannel.spapi.sandbox.seller_central import SellerCentral
from saleschannel.spapi.sandbox.store import OrderStore
from saleschannel.spapi.sandbox.throttling import Throttle
from saleschannel.spapi.sandbox.wire import Request, Response, amazon_headers, error_list, json_response

#: Always in ``GET /_sandbox/calls``; the listings and feeds operations once called.
OPERATIONS = ("searchOrders", "getOrder", "confirmShipment", "token")
LISTINGS_OPERATIONS = listings_api.OPERATIONS + feeds_api.OPERATIONS
DEFAULT_SELLER_ID = "A1SANDBOXSELLER"
#: At most this many orders are generated in one tick, however far a clock jumped.
MAX_GENERATED_PER_TICK = 5000

Handler = Callable[[Request, re.Match[str]], Response]
#: Called with (operation, request, answer, fault) after every Amazon-route answer:
#: the contract tests check each against Amazon's models this way.
Observer = Callable[[str, Request, Response, "Fault | None"], None]
OBSERVERS: list[Observer] = []


class SandboxApp(SellerCentral):
    """Amazon's order, listings and feeds APIs with their state; thread-safe (one request
    at a time). The listings side (Seller Central, buyers) is in ``SellerCentral``."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        seed: int | None = None,
        generate_per_minute: float = 0.0,
        rate_limits: bool = True,
        rate_scale: float = 1.0,
        visibility_lag: float = 0.0,
        fault_rate: float = 0.0,
        stall_seconds: float = 35.0,
        notify_url: str | None = None,
        notify_secret: str | None = None,
        notify_transport: httpx.BaseTransport | None = None,
        skus: Sequence[str] = DEFAULT_SKUS,
        marketplaces: Sequence[Marketplace] = MARKETPLACES,
        seller_id: str = DEFAULT_SELLER_ID,
        token_ttl: float = 3600.0,
        pagination_ttl: float = 600.0,
        pace: float = 1.0,
        feed_delay: float = 60.0,
        listings: int = 0,
        listing_quantity: int = 50,
    ) -> None:
        if generate_per_minute < 0 or visibility_lag < 0:
            raise ValueError("generate rate and visibility lag cannot be negative")
        self.clock: Clock = clock or SystemClock()
        self.seller_id = seller_id
        self.visibility_lag = visibility_lag
        self.generate_per_minute = generate_per_minute
        self.store = OrderStore()
        self.generator = OrderGenerator(seed, skus=skus, marketplaces=marketplaces, pace=pace)
        self.throttle = Throttle(self.clock, enabled=rate_limits, scale=rate_scale)
        self.faults = FaultInjector(fault_rate, seed=seed, stall_seconds=stall_seconds)
        self.lwa = auth_api.LoginWithAmazon(token_ttl=token_ttl)
        self.cursors = orders_api.Cursors(pagination_ttl)
        self.notifier = (
            Notifier(notify_url, notify_secret, transport=notify_transport) if notify_url else None
        )
        self._rng = random.Random(self.generator.seed)
        self._plans: dict[str, Plan] = {}
        self._schedule: list[tuple[dt.datetime, int, str, str]] = []
        self._seq = 0
        self._calls: Counter[str] = Counter()
        self._throttled = 0
        self._faults = 0
        self._last_tick = self.clock.now()
        self._owed = 0.0
        self._lock = threading.RLock()
        self.listings = ListingsBook(on_quantity=self._notify_quantity)
        self.feeds = FeedsBook(self.listings, seller_id=seller_id, delay=feed_delay)
        self._routes = self._route_table()
        self.list_catalog(listings, listing_quantity)

    # --- transports ---------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """An in-process transport for ``httpx``: a stall becomes a read timeout at once."""

        def handle(request: httpx.Request) -> httpx.Response:
            answer = self.handle(
                Request(
                    method=request.method,
                    query_string=request.url.query.decode("ascii"),
                    # The raw path: a SKU's encoded "/" must stay inside its segment.
                    path=request.url.raw_path.split(b"?")[0].decode("ascii"),
                    headers={k.lower(): v for k, v in request.headers.items()},
                    body=request.read(),
                )
            )
            if answer.stall > 0:
                raise httpx.ReadTimeout("the sandbox stalled past the timeout", request=request)
            return httpx.Response(answer.status, headers=answer.headers, content=answer.body)

        return httpx.MockTransport(handle)

    def close(self) -> None:
        if self.notifier is not None:
            self.notifier.close()

    # --- dispatch -----------------------------------------------------------------------

    def _route_table(self) -> list[tuple[str, re.Pattern[str], Handler, str | None]]:
        """(method, path pattern, handler, Amazon operation or None for control routes)."""
        order = r"(?P<order_id>[^/]+)"
        amazon: list[tuple[str, str, Handler, str]] = [
            ("POST", r"/auth/o2/token", lambda r, m: self.lwa.token(r, self.clock.now()), "token"),
            (
                "GET",
                r"/orders/2026-01-01/orders",
                lambda r, m: orders_api.search_orders(self, r),
                "searchOrders",
            ),
            ("GET", rf"/orders/2026-01-01/orders/{order}", self._get_order, "getOrder"),
            ("POST", rf"/orders/v0/orders/{order}/shipmentConfirmation", self._confirm, "confirmShipment"),
            *listings_api.routes(self),
            *feeds_api.routes(self),
        ]
        table: list[tuple[str, re.Pattern[str], Handler, str | None]] = [
            (method, re.compile(pattern + r"\Z"), handler, op) for method, pattern, handler, op in amazon
        ]
        for method, pattern, handler in [
            *control.routes(self),
            *listings_control.routes(self),
            *feeds_api.document_routes(self),
        ]:
            table.append((method, re.compile(pattern + r"\Z"), handler, None))
        return table

    def handle(self, request: Request) -> Response:
        """Answer one request (any transport)."""
        self.process_feeds()
        for method, pattern, handler, operation in self._routes:
            match = pattern.match(request.path)
            if match is None:
                continue
            if request.method != method:
                continue
            with self._lock:
                if operation is None:
                    return handler(request, match)
                return self._amazon(operation, request, match, handler)
        return json_response(404, error_list("NotFound", f"no route for {request.method} {request.path}"))

    def _amazon(self, operation: str, request: Request, match: re.Match[str], handler: Handler) -> Response:
        self.tick()
        self._calls[operation] += 1
        fault = self.faults.draw()
        if fault in (Fault.SERVER_ERROR, Fault.UNAVAILABLE):
            answer = _fault_answer(fault, operation)
            if operation != "token":
                answer.headers["x-amzn-RateLimit-Limit"] = self.throttle.advertised_rate(operation)
        else:
            answer = self._answer(operation, request, match, handler)
        if fault is not None:
            self._faults += 1
            answer = _spoil(answer, fault, self.faults.stall_seconds)
        for observe in OBSERVERS:
            observe(operation, request, answer, fault)
        return answer

    def _answer(self, operation: str, request: Request, match: re.Match[str], handler: Handler) -> Response:
        if operation == "token":
            answer = handler(request, match)
            answer.headers.update(amazon_headers())
            return answer
        headers = amazon_headers(self.throttle.advertised_rate(operation))
        seller = self.lwa.seller_of(request.headers.get("x-amz-access-token"), self.clock.now())
        if seller is None:
            answer = json_response(
                403,
                error_list(
                    "Unauthorized",
                    "Access to requested resource is denied.",
                    "The access token you provided is revoked, malformed or invalid.",
                ),
            )
        elif not self.throttle.allow(seller, operation):
            self._throttled += 1
            answer = json_response(
                429, error_list("QuotaExceeded", "You exceeded your quota for the requested resource.")
            )
        else:
            answer = static.listings_answer(operation, request, match) or _checked(handler, request, match)
        answer.headers.update(headers)
        return answer

    def _get_order(self, request: Request, match: re.Match[str]) -> Response:
        return orders_api.get_order(self, request, match["order_id"])

    def _confirm(self, request: Request, match: re.Match[str]) -> Response:
        return orders_api.confirm_shipment(self, request, match["order_id"])

    # --- state changes ------------------------------------------------------------------

    def tick(self) -> None:
        """Let sandbox time pass: generate the orders due and move the statuses due."""
        with self._lock:
            now = self.clock.now()
            if self.generate_per_minute > 0:
                elapsed = max(0.0, (now - self._last_tick).total_seconds())
                self._owed += elapsed * self.generate_per_minute / 60.0
                due = min(int(self._owed), MAX_GENERATED_PER_TICK)
                self._owed -= int(self._owed)
                for _ in range(due):
                    self._add_generated(now, aged=False)
            self._last_tick = now
            while self._schedule and self._schedule[0][0] <= now:
                _, _, order_id, status = heapq.heappop(self._schedule)
                if order_id not in self.store:
                    continue
                if status == CANCEL_LINE:
                    self.cancel_line(order_id)
                else:
                    self.change_status(order_id, status)

    def generate(self, count: int) -> list[str]:
        """Add ``count`` orders at once (a backlog), their statuses spread along the way
        (fewer when the listings cannot fill them)."""
        with self._lock:
            now = self.clock.now()
            added = (self._add_generated(now, aged=True) for _ in range(count))
            return [order_id for order_id in added if order_id is not None]

    def generator_rng(self) -> random.Random:
        return self._rng

    def _add_generated(self, now: dt.datetime, *, aged: bool) -> str | None:
        fillable = self.next_fillable(now)
        if fillable is None:
            return None
        order, plan = fillable
        self._plans[plan.order_id] = plan
        events = list(plan.events)
        if aged:
            passed = self._rng.randrange(len(events) + 1)
            for _, status in events[:passed]:
                if status == CANCEL_LINE:
                    cancel_last_line(order)
                else:
                    apply_status(order, status, now, plan, self._rng)
            events = events[passed:]
        self.store.put(order, now)
        self.listings.order_changed(order, now)
        self._notify(order)
        for after, status in events:
            self._seq += 1
            heapq.heappush(
                self._schedule, (now + dt.timedelta(seconds=after), self._seq, plan.order_id, status)
            )
        return plan.order_id

    def change_status(self, order_id: str, status: str) -> dict[str, Any]:
        """Move an order to ``status`` now (KeyError if unknown, ValueError if no status)."""
        with self._lock:
            now = self.clock.now()
            plan = self._plans.get(order_id)
            order = self.store.update(order_id, lambda o: apply_status(o, status, now, plan, self._rng), now)
            self.listings.order_changed(order, now)
            self._notify(order)
            return order

    def cancel_line(self, order_id: str) -> None:
        """The buyer cancels a line of an unshipped order: an order change, not a status change."""
        with self._lock:
            now = self.clock.now()
            current = self.store.get(order_id)
            if current is None or not cancel_last_line(current):
                return
            order = self.store.update(order_id, cancel_last_line, now)
            self.listings.order_changed(order, now)
            self._notify(order, change="BuyerRequestedChange", reason="Buyer Requested Cancel")

    def confirm_package(self, order_id: str, detail: dict[str, Any]) -> dict[str, Any]:
        """Record a confirmed package and move the order to PARTIALLY_SHIPPED or SHIPPED."""
        with self._lock:
            now = self.clock.now()
            before = status_of(self.store.get(order_id) or {})

            def ship(order: dict[str, Any]) -> None:
                order["fulfillment"]["fulfillmentStatus"] = record_package(order, detail, now)

            order = self.store.update(order_id, ship, now)
            if status_of(order) != before:
                self._notify(order)
            return order

    def put_order(self, order: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            before = self.store.get(order["orderId"])
            stored = self.store.put(order, self.clock.now())
            self.listings.order_changed(stored, self.clock.now())
            if before is None or status_of(before) != status_of(stored):
                self._notify(stored)
            return stored

    def _notify(
        self,
        order: dict[str, Any],
        *,
        change: str = "OrderStatusChange",
        reason: str = "Order status changed",
    ) -> None:
        if self.notifier is None:
            return
        now = self.clock.now()
        notification = order_change_notification(order, self.seller_id, now, change=change, reason=reason)
        self.notifier.publish(eventbridge_event(notification, now))

    def calls(self) -> dict[str, Any]:
        with self._lock:
            return {
                "operations": {
                    **{op: self._calls[op] for op in OPERATIONS},
                    **{op: self._calls[op] for op in LISTINGS_OPERATIONS if self._calls[op]},
                },
                "throttled": self._throttled,
                "faults": self._faults,
            }

    def reset(self) -> None:
        """Forget every order, count, cursor and bucket (issued tokens stay valid)."""
        with self._lock:
            self.store.clear()
            self.listings.forget_orders()
            self.feeds.clear()
            self.cursors.clear()
            self.throttle.reset()
            self._plans.clear()
            self._schedule.clear()
            self._calls.clear()
            self._throttled = self._faults = 0
            self._last_tick = self.clock.now()
            self._owed = 0.0


def _checked(handler: Handler, request: Request, match: re.Match[str]) -> Response:
    try:
        return handler(request, match)
    except orders_api.Refused as exc:
        return orders_api.invalid(str(exc))


def _fault_answer(fault: Fault, operation: str) -> Response:
    if fault is Fault.SERVER_ERROR:
        body = error_list("InternalFailure", "We encountered an internal error. Please try again.")
        return json_response(500, body, amazon_headers())
    body = error_list("ServiceUnavailable", "Service temporarily unavailable. Please try again.")
    return json_response(503, body, amazon_headers())


def _spoil(answer: Response, fault: Fault, stall_seconds: float) -> Response:
    """A stall holds the (already processed) answer back; a truncation cuts its body."""
    if fault is Fault.STALL:
        answer.stall = stall_seconds
    elif fault is Fault.TRUNCATED and len(answer.body) > 1:
        answer.body = answer.body[: len(answer.body) // 2]
    return answer
