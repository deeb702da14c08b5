"""The Selling Partner API client: ``searchOrders`` and ``getOrder`` of 2026-01-01, v0
``confirmShipment``; the Listings Items (``listings.operations``) and Feeds
(``feeds.operations``) operations are mixed in and share the same call loop.

Every call takes a token from the rate limiter first (waiting rather than earning a
429), carries a cached LWA access token, and is retried when it may succeed (see
``retry``). Answers are parsed into ``models``; the errors are those of ``errors``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from saleschannel.spapi.auth import LWA_TOKEN_URL, Credentials, LwaClient, TokenCache
from saleschannel.spapi.clock import Clock, SystemClock
from saleschannel.spapi.errors import (
    ApiErrorDetail,
    AuthFailed,
    BadResponse,
    InvalidRequest,
    NotFound,
    SpApiError,
    Throttled,
    Transient,
    UnreadableOrderError,
)
from saleschannel.spapi.feeds.operations import FeedsOperations
from saleschannel.spapi.listings.operations import ListingsOperations
from saleschannel.spapi.models import (
    DEFAULT_INCLUDED_DATA,
    ConfirmShipmentPackage,
    ModelError,
    Order,
    SearchPage,
    UnreadableOrder,
    read_get_order_response,
)
from saleschannel.spapi.params import included_data, search_params
from saleschannel.spapi.ratelimit import RateLimiter, TokenBucketLimiter
from saleschannel.spapi.retry import RETRY_STATUSES, RetryPolicy, parse_retry_after, run_with_retries
from saleschannel.spapi.stats import CallStats

REGION_ENDPOINTS = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
#: Explicit timeouts: a stalled Amazon must not hold a worker for ever.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
SEARCH_ORDERS_PATH = "/orders/2026-01-01/orders"
GET_ORDER_PATH = "/orders/2026-01-01/orders/{orderId}"
CONFIRM_SHIPMENT_PATH = "/orders/v0/orders/{orderId}/shipmentConfirmation"
USER_AGENT = "saleschannel/0.1 (Language=Python)"
T = TypeVar("T")
log = logging.getLogger("saleschannel.spapi")
#: How many of a search's latest order ids it remembers to drop repeats (C7): ten pages of 100.
REPEAT_WINDOW = 1_000


class RecentIds:
    """The last ``size`` distinct ids added, the oldest forgotten first: a "seen" set of
    bounded memory, however many orders a search returns."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self._order: deque[Hashable] = deque()
        self._ids: set[Hashable] = set()

    def __contains__(self, value: Hashable) -> bool:
        return value in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, value: Hashable) -> None:
        if value in self._ids:
            return
        self._order.append(value)
        self._ids.add(value)
        if len(self._order) > self.size:
            self._ids.discard(self._order.popleft())


class SpApiClient(ListingsOperations, FeedsOperations):
    """One seller's Selling Partner API client (orders, listings, feeds). Thread-safe; close it (or use ``with``) when done."""

    #: See ``search_orders``: the ids a search remembers to drop an order a later page repeats.
    repeat_window = REPEAT_WINDOW

    def __init__(
        self,
        *,
        seller_id: str,
        credentials: Credentials,
        region: str | None = "na",
        endpoint: str | None = None,
        token_url: str = LWA_TOKEN_URL,
        limiter: RateLimiter | None = None,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if not seller_id:
            raise ValueError("seller_id is empty")
        self.seller_id = seller_id
        self.endpoint = _endpoint(region, endpoint)
        self.clock: Clock = clock or SystemClock()
        self.stats = CallStats()
        self._limiter: RateLimiter = limiter or TokenBucketLimiter(self.clock)
        self._retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        self._http = httpx.Client(transport=transport, timeout=timeout, headers={"user-agent": USER_AGENT})
        lwa = LwaClient(
            self._http,
            token_url=token_url,
            clock=self.clock,
            policy=self._retry,
            rng=self._rng,
            stats=self.stats,
        )
        self._tokens = TokenCache(lwa, credentials, self.clock)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SpApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- operations ---------------------------------------------------------------------

    def search_orders(
        self,
        *,
        marketplace_ids: Sequence[str] | None,
        created_after: dt.datetime | None = None,
        created_before: dt.datetime | None = None,
        last_updated_after: dt.datetime | None = None,
        last_updated_before: dt.datetime | None = None,
        fulfillment_statuses: Sequence[str] | None = None,
        fulfilled_by: Sequence[str] | None = None,
        max_results_per_page: int = 100,
        included_data: Sequence[str] | None = DEFAULT_INCLUDED_DATA,
        deadline: float | None = None,
        pagination_token: str | None = None,
    ) -> Iterator[SearchPage]:
        """Yield the pages of one ``searchOrders`` run, fetching each only when asked.

        The filters are checked now (S4) and re-sent unchanged with each
        ``paginationToken``. ``deadline`` is a ``clock.monotonic()`` value no rate-limit
        or retry wait may pass. Times are aware datetimes. ``pagination_token`` resumes a
        run at the page a former run's ``next_token`` named (give the same filters).

        Each order is returned once (C7): a page retried after a fault is fetched again
        but returned once, and an order a later page repeats is dropped when it comes
        again within ``repeat_window`` orders (1,000: ten pages of 100) of its last
        return. Only that many ids are remembered, so a search's memory does not grow
        with its length; Amazon's repeats come from the neighbouring pages (an order
        updated while the run pages on). A repeat further away is returned again, which
        costs nothing downstream: recording the same ``lastUpdatedTime`` twice changes
        nothing (S1), and a newer one is a real update.
        """
        params = search_params(
            now=self.clock.now(),
            marketplace_ids=marketplace_ids,
            created_after=created_after,
            created_before=created_before,
            last_updated_after=last_updated_after,
            last_updated_before=last_updated_before,
            fulfillment_statuses=fulfillment_statuses,
            fulfilled_by=fulfilled_by,
            max_results_per_page=max_results_per_page,
            included=included_data,
        )
        return self._pages(params, deadline, pagination_token)

    def _pages(
        self, params: dict[str, str], deadline: float | None, token: str | None
    ) -> Iterator[SearchPage]:
        seen = RecentIds(self.repeat_window)  # a window of ids: memory stays flat however long the run
        while True:
            query = params if token is None else {**params, "paginationToken": token}
            body = self._call("searchOrders", "GET", SEARCH_ORDERS_PATH, params=query, deadline=deadline)
            page = _parse(SearchPage.parse, body, "searchOrders")
            yield self._without_repeats(page, seen)
            if not page.next_token:
                return
            if page.next_token == token:
                raise BadResponse("searchOrders answered the same nextToken again")
            token = page.next_token

    def _without_repeats(self, page: SearchPage, seen: RecentIds) -> SearchPage:
        kept: list[Order | UnreadableOrder] = []
        for order in page.orders:
            if order.order_id is not None and order.order_id in seen:
                continue
            if order.order_id is not None:
                seen.add(order.order_id)
            kept.append(order)
        if len(kept) != len(page.orders):
            self.stats.count_duplicates(len(page.orders) - len(kept))
            page = SearchPage(kept, page.last_updated_before, page.created_before, page.next_token)
        return page

    def get_order(
        self,
        order_id: str,
        *,
        included_data: Sequence[str] | None = DEFAULT_INCLUDED_DATA,
        deadline: float | None = None,
    ) -> Order:
        """One order by id. Raises NotFound, or UnreadableOrderError (keeping it raw)."""
        params = {} if included_data is None else {"includedData": _included(included_data)}
        path = GET_ORDER_PATH.format(orderId=_path_id(order_id))
        body = self._call("getOrder", "GET", path, params=params, deadline=deadline)
        order = _parse(read_get_order_response, body, "getOrder")
        if isinstance(order, UnreadableOrder):
            raise UnreadableOrderError(order)
        return order

    def confirm_shipment(
        self,
        order_id: str,
        *,
        marketplace_id: str,
        package: ConfirmShipmentPackage,
        cod_collection_method: str | None = None,
        deadline: float | None = None,
    ) -> None:
        """Tell Amazon one package has shipped (v0 ``confirmShipment``).

        Retried on transient failures with the same ``packageReferenceId``, so Amazon
        sees one package however often it is sent.
        """
        if not marketplace_id:
            raise ValueError("marketplaceId is empty")
        body: dict[str, Any] = {"marketplaceId": marketplace_id, "packageDetail": package.to_json()}
        if cod_collection_method is not None:
            if cod_collection_method != "DirectPayment":
                raise ValueError("codCollectionMethod: only 'DirectPayment' is defined")
            body["codCollectionMethod"] = cod_collection_method
        path = CONFIRM_SHIPMENT_PATH.format(orderId=_path_id(order_id))
        self._call("confirmShipment", "POST", path, json_body=body, deadline=deadline)

    # --- the call loop ------------------------------------------------------------------

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
        """Send one operation with retries; return its JSON body (None when empty)."""
        return run_with_retries(
            lambda n: self._attempt(operation, method, path, params, json_body, deadline, first=n == 0),
            policy=self._retry,
            clock=self.clock,
            rng=self._rng,
            deadline=deadline,
            on_retry=lambda error, wait: self._note_retry(operation, error, wait),
        )

    def _note_retry(self, operation: str, error: SpApiError, wait: float) -> None:
        self.stats.count_retry()
        # The error's text holds Amazon's codes and the request id, never a secret.
        log.info("%s: retrying in %.2fs after: %s", operation, wait, error)

    def _attempt(
        self,
        operation: str,
        method: str,
        path: str,
        params: dict[str, str] | None,
        json_body: dict[str, Any] | None,
        deadline: float | None,
        *,
        first: bool,
    ) -> Any:
        waited = self._limiter.acquire(self.seller_id, operation, deadline=deadline)
        if waited:
            self.stats.count_wait(waited)
        headers = {"x-amz-access-token": self._tokens.access_token(), "accept": "application/json"}
        self.stats.count_call(operation)
        response = self._send(operation, method, path, params, json_body, headers)
        self._learn_rate(operation, response)
        if response.status_code >= 300:
            raise self._error(operation, response, first=first)
        return _json_body(operation, response)

    def _send(
        self,
        operation: str,
        method: str,
        path: str,
        params: dict[str, str] | None,
        json_body: dict[str, Any] | None,
        headers: dict[str, str],
    ) -> httpx.Response:
        try:
            return self._http.request(
                method, self.endpoint + path, params=params, json=json_body, headers=headers
            )
        except httpx.TimeoutException:
            raise Transient(f"{operation} timed out") from None
        except httpx.TransportError as exc:
            raise Transient(f"{operation} failed in transport: {type(exc).__name__}") from None

    def _learn_rate(self, operation: str, response: httpx.Response) -> None:
        header = response.headers.get("x-amzn-ratelimit-limit")
        if header is None:
            return
        try:
            rate = float(header)
        except ValueError:
            return
        self._limiter.update_rate(self.seller_id, operation, rate)

    def _error(self, operation: str, response: httpx.Response, *, first: bool) -> SpApiError:
        error = error_for_response(operation, response, retry_after_now=self.clock.now())
        if isinstance(error, Throttled):
            self.stats.count_throttled()
        if isinstance(error, AuthFailed) and first:
            # An access token can be revoked or expire early: refresh once and resend.
            self._tokens.invalidate()
            error.retryable = True
        return error


def error_for_response(
    operation: str, response: httpx.Response, *, retry_after_now: dt.datetime
) -> SpApiError:
    """The error an unsuccessful answer means, with Amazon's ``errors[]`` and request id."""
    status = response.status_code
    details = _error_details(response)
    request_id = response.headers.get("x-amzn-requestid")
    retry_after = parse_retry_after(response.headers.get("retry-after"), retry_after_now)
    kwargs: dict[str, Any] = {
        "status": status,
        "errors": details,
        "request_id": request_id,
        "retry_after": retry_after,
    }
    if status == 429:
        return Throttled(f"{operation} throttled", **kwargs)
    if status in RETRY_STATUSES or status >= 500:
        return Transient(f"{operation} failed on Amazon's side", retryable=status in RETRY_STATUSES, **kwargs)
    if status in (401, 403):
        return AuthFailed(f"{operation} refused the access token", **kwargs)
    if status == 404:
        return NotFound(f"{operation}: not found", **kwargs)
    return InvalidRequest(f"{operation} refused the request", **kwargs)


def _error_details(response: httpx.Response) -> tuple[ApiErrorDetail, ...]:
    try:
        body = json.loads(response.content)
    except ValueError:
        return ()
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return ()
    details = []
    for entry in errors:
        if isinstance(entry, dict):
            details.append(
                ApiErrorDetail(
                    code=str(entry.get("code", "")),
                    message=str(entry.get("message", "")),
                    details=None if entry.get("details") is None else str(entry.get("details")),
                )
            )
    return tuple(details)


def _json_body(operation: str, response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        # Usually a body cut off on the way: worth asking again.
        raise BadResponse(
            f"{operation} answered a body that is not JSON",
            status=response.status_code,
            request_id=response.headers.get("x-amzn-requestid"),
            retryable=True,
        ) from None


def _parse(parse: Callable[[Any], T], body: Any, operation: str) -> T:
    try:
        return parse(body)
    except ModelError as exc:
        raise BadResponse(f"{operation} answered JSON that breaks the model: {exc}") from None


def _included(values: Sequence[str]) -> str:
    return included_data(values)


def _path_id(order_id: str) -> str:
    if not isinstance(order_id, str) or not order_id.strip():
        raise ValueError("orderId is empty")
    return quote(order_id, safe="")


def _endpoint(region: str | None, endpoint: str | None) -> str:
    if endpoint:
        if not endpoint.startswith(("http://", "https://")):
            raise ValueError("endpoint: give an http(s) URL")
        return endpoint.rstrip("/")
    if region not in REGION_ENDPOINTS:
        raise ValueError(f"region: {region!r} is not one of {', '.join(REGION_ENDPOINTS)}")
    return REGION_ENDPOINTS[region]
