"""An Amazon whose ``searchOrders`` makes each page when it is asked for, and forgets it.

For backfills far larger than the in-memory sandbox is built for (it keeps every order and
searches them all for each page): orders come from ``bench.orders`` in sequence, shaped by
the sandbox's own ``includedData`` rules; the page token is the page's number. Everything
else (Login with Amazon, getOrder of nothing) is the sandbox's. Nothing is kept, so the
memory measured is the channel's, not Amazon's.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import httpx

SEARCH_PATH = "/orders/2026-01-01/orders"


class StreamingAmazon:
    def __init__(self, clock: Any, orders: Iterator[dict[str, Any]], count: int, *, cutoff: dt.datetime,
                 page_size: int = 100) -> None:
        from bench.orders import MARKETPLACE
        from saleschannel.spapi.sandbox import SandboxApp

        self.sandbox = SandboxApp(clock=clock, seed=9, marketplaces=[MARKETPLACE], rate_limits=False)
        self._fallback = self.sandbox.transport()
        self._orders = orders
        self._left = count
        self._cutoff = cutoff
        self._page_size = page_size
        self._page_number = -1
        self._page: bytes = b""
        self.pages = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == SEARCH_PATH:
            return self._search(request)
        return self._fallback.handle_request(request)

    def _search(self, request: httpx.Request) -> httpx.Response:
        from saleschannel.spapi.params import format_time
        from saleschannel.spapi.sandbox.shaping import shape

        token = request.url.params.get("paginationToken")
        number = int(token) if token else 0
        if number != self._page_number:  # a page asked again is answered again, unchanged
            included = [p for p in request.url.params.get("includedData", "").split(",") if p]
            take = min(self._page_size, self._left)
            self._left -= take
            orders = [shape(next(self._orders), included) for _ in range(take)]
            body: dict[str, Any] = {"orders": orders, "lastUpdatedBefore": format_time(self._cutoff, "before")}
            if self._left > 0:
                body["pagination"] = {"nextToken": str(number + 1)}
            self._page, self._page_number = json.dumps(body).encode(), number
            self.pages += 1
        return httpx.Response(200, content=self._page, headers={"content-type": "application/json"})

    def close(self) -> None:
        self.sandbox.close()
