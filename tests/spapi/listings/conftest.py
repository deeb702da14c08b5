"""Fixtures for the Listings Items and Feeds tests: every request the client sends and
every answer the sandbox gives, on any route, is checked against Amazon's models."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import jsonschema
import pytest

from saleschannel.spapi import Credentials, FakeClock, NoLimiter, RetryPolicy, SpApiClient
from saleschannel.spapi.sandbox import SandboxApp
from saleschannel.spapi.sandbox import app as sandbox_app
from saleschannel.spapi.sandbox.faults import Fault
from saleschannel.spapi.sandbox.feeds_api import DOCUMENT_ROUTE
from saleschannel.spapi.sandbox.wire import Request, Response
from tests.spapi import contract
from tests.spapi.conftest import BASE, CLIENT_SECRET, REFRESH_TOKEN, TOKEN_URL
from tests.spapi.listings import amazon_listings

SELLER = "A1SANDBOXSELLER"
US = "ATVPDKIKX0DER"


def raw_path(request: httpx.Request) -> str:
    return request.url.raw_path.split(b"?")[0].decode("ascii")


def check_any_request(method: str, path: str, query: str, body: bytes) -> None:
    if path.startswith(DOCUMENT_ROUTE) or path == "/auth/o2/token":
        return
    if amazon_listings.operation_for(method, path) is not None:
        amazon_listings.check_request(method, path, query, body)
    else:
        contract.check_request(method, path, query, body)


@dataclass
class ModelChecked(httpx.BaseTransport):
    """Asserts that every request the client sends follows Amazon's models."""

    inner: httpx.BaseTransport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        check_any_request(request.method, raw_path(request), request.url.query.decode(), request.read())
        return self.inner.handle_request(request)


@pytest.fixture(autouse=True)
def sandbox_answers_follow_the_models() -> Iterator[list[str]]:
    """Every answer the sandbox gives in these tests is checked against Amazon's models:
    the orders' as in the parent suite, the listings' and feeds' here."""
    broken: list[str] = []

    def observe(operation: str, request: Request, answer: Response, fault: Fault | None) -> None:
        if operation == "token" or fault is Fault.TRUNCATED:
            return
        try:
            if amazon_listings.operation_for(request.method, request.path) is not None:
                amazon_listings.check_answer(request.method, request.path, answer.status, answer.body)
            else:
                contract.check_answer(request.method, request.path, answer.status, answer.body)
        except (AssertionError, jsonschema.ValidationError) as exc:
            broken.append(f"{request.method} {request.path}: {exc}")

    sandbox_app.OBSERVERS.append(observe)
    yield broken
    sandbox_app.OBSERVERS.remove(observe)
    assert not broken, broken[:3]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(clock: FakeClock) -> Iterator[SandboxApp]:
    sandbox = SandboxApp(clock=clock, seed=7, rate_limits=False, feed_delay=30.0)
    yield sandbox
    sandbox.close()


@pytest.fixture
def make_client(clock: FakeClock) -> Iterator[Callable[..., SpApiClient]]:
    made: list[SpApiClient] = []

    def make(transport: httpx.BaseTransport, *, checked: bool = True, **kwargs: object) -> SpApiClient:
        options: dict[str, object] = {
            "seller_id": SELLER,
            "credentials": Credentials("amzn1.application-oa2-client.test", CLIENT_SECRET, REFRESH_TOKEN),
            "endpoint": BASE,
            "token_url": TOKEN_URL,
            "clock": clock,
            "transport": ModelChecked(transport) if checked else transport,
            "limiter": NoLimiter(),
            "retry": RetryPolicy(max_attempts=6, base_delay=0.5, max_delay=5.0),
        }
        options.update(kwargs)
        client = SpApiClient(**options)  # type: ignore[arg-type]
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(app: SandboxApp, make_client: Callable[..., SpApiClient]) -> SpApiClient:
    return make_client(app.transport())


def put_listing(app: SandboxApp, sku: str, quantity: int = 10, product_type: str = "PRODUCT", **channels: int) -> None:
    app.put_listing(
        sku=sku, marketplace_id=US, product_type=product_type, channels={"DEFAULT": quantity, **channels}, status=["BUYABLE"]
    )
