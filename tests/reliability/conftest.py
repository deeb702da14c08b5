"""Fixtures of the reliability tests: the sync engine's (a fake clock, the sandbox in-process, a
connected account with every SKU in stock), and a transport that plays Amazon's bad days."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest

from tests.sync import conftest as sync_fixtures

clock = sync_fixtures.clock
policy = sync_fixtures.policy
account = sync_fixtures.account
client_for = sync_fixtures.client_for
sandbox_app = sync_fixtures.sandbox_app
connect = sync_fixtures.connect
T0 = sync_fixtures.T0

ORDER_ROUTES = "/orders/2026-01-01/orders"


def _errors(code: str, message: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message}]}


class AmazonWeather(httpx.BaseTransport):
    """Passes calls to the sandbox, except that the next ``calls`` order-API calls meet ``kind``.

    Kinds: ``429``, ``500``, ``503`` (Amazon's error answers), ``stall`` (no answer before the
    timeout), ``truncated`` (the answer cut in half), ``invalid_json`` (a proxy's HTML page),
    ``bad_envelope`` (JSON of the wrong shape), ``wrong_types`` and ``missing_fields`` (each order
    in the answer broken against Amazon's model), ``duplicate`` (the first order of each page is
    repeated on the next page).
    """

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.kind = ""
        self.left = 0
        self.met = 0
        self._carry: dict[str, Any] | None = None

    def storm(self, kind: str, calls: int) -> None:
        self.kind, self.left = kind, calls

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.left <= 0 or not request.url.path.startswith(ORDER_ROUTES):
            return self.inner.handle_request(request)
        self.left -= 1
        self.met += 1
        kind = self.kind
        headers = {"x-amzn-RequestId": f"weather-{self.met}", "x-amzn-RateLimit-Limit": "0.0167"}
        if kind in ("429", "500", "503"):
            code = {"429": "QuotaExceeded", "500": "InternalFailure", "503": "ServiceUnavailable"}[kind]
            return httpx.Response(int(kind), json=_errors(code, f"Amazon says {kind}"), headers=headers)
        if kind == "stall":
            raise httpx.ReadTimeout("no answer before the timeout", request=request)
        if kind == "invalid_json":
            return httpx.Response(200, content=b"<html><body>502 Bad Gateway</body></html>",
                                  headers={**headers, "content-type": "application/json"})
        if kind == "bad_envelope":
            return httpx.Response(200, json={"orders": "none", "pagination": 7}, headers=headers)
        answer = self.inner.handle_request(request)
        body = answer.read()
        if kind == "truncated":
            return httpx.Response(answer.status_code, content=body[: len(body) // 2], headers=headers)
        return httpx.Response(answer.status_code, json=self._reshape(kind, json.loads(body)), headers=headers)

    def _reshape(self, kind: str, doc: dict[str, Any]) -> dict[str, Any]:
        orders = doc.get("orders") if isinstance(doc.get("orders"), list) else [doc.get("order")]
        if kind == "duplicate":
            if self._carry is not None and isinstance(doc.get("orders"), list):
                doc["orders"].append(self._carry)
            self._carry = orders[0] if orders else None
            return doc
        for order in orders:
            if not isinstance(order, dict):
                continue
            if kind == "wrong_types":
                order["createdTime"] = 1767225600
                for item in order.get("orderItems", []):
                    item["quantityOrdered"] = str(item.get("quantityOrdered"))
            elif kind == "missing_fields":
                order.pop("createdTime", None)
                for item in order.get("orderItems", []):
                    item.pop("orderItemId", None)
        return doc


class SkewedClock:
    """Amazon's clock: ours moved by ``offset`` seconds (its clock ahead when positive)."""

    def __init__(self, base: Any, offset: float) -> None:
        self.base, self.offset = base, dt.timedelta(seconds=offset)

    def now(self) -> dt.datetime:
        return self.base.now() + self.offset

    def monotonic(self) -> float:
        return self.base.monotonic()

    def sleep(self, seconds: float) -> None:
        self.base.sleep(seconds)


@pytest.fixture
def weather_client(clock):
    """``make(account, app) -> (client, weather)``: the account's real client over a weather transport."""
    from saleschannel.channel.services.sync.client import account_client

    made = []

    def make(account, app):
        weather = AmazonWeather(app.transport())
        client = account_client(account=account, clock=clock, transport=weather)
        made.append(client)
        return client, weather

    yield make
    for client in made:
        client.close()
