"""Fixtures for the SP-API client and the sandbox: one fake clock shared by both,
the sandbox in-process, and a transport that records every exchange."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from saleschannel.spapi import Credentials, FakeClock, NoLimiter, RetryPolicy, SpApiClient
from saleschannel.spapi.sandbox import SandboxApp
from saleschannel.spapi.sandbox import app as sandbox_app
from saleschannel.spapi.sandbox.faults import Fault
from saleschannel.spapi.sandbox.wire import Request, Response
from tests.spapi import contract

BASE = "https://sandbox.test"
TOKEN_URL = f"{BASE}/auth/o2/token"
CLIENT_SECRET = "s3cr3t-client-secret-value"
REFRESH_TOKEN = "Atzr|refresh-token-that-must-never-leak"


@dataclass
class Recorder(httpx.BaseTransport):
    """Wraps a transport and keeps every (request, response) pair it carried."""

    inner: httpx.BaseTransport
    exchanges: list[tuple[httpx.Request, httpx.Response]] = field(default_factory=list)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        self.exchanges.append((request, response))
        return response

    def json_bodies(self, path_part: str) -> list[object]:
        return [json.loads(r.content) for q, r in self.exchanges if path_part in q.url.path and r.content]


@dataclass
class ModelChecked(httpx.BaseTransport):
    """Asserts that every Orders API request the client sends follows Amazon's model."""

    inner: httpx.BaseTransport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/auth/o2/token":
            contract.check_request(
                request.method, request.url.path, request.url.query.decode(), request.read()
            )
        return self.inner.handle_request(request)


@pytest.fixture(autouse=True)
def sandbox_answers_follow_the_models() -> Iterator[list[str]]:
    """Every answer the sandbox gives on an Orders API route in this suite is checked
    against Amazon's models (a body cut off on purpose excepted)."""
    broken: list[str] = []

    def observe(operation: str, request: Request, answer: Response, fault: Fault | None) -> None:
        if operation == "token" or fault is Fault.TRUNCATED:
            return
        try:
            contract.check_answer(request.method, request.path, answer.status, answer.body)
        except AssertionError as exc:
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
    sandbox = SandboxApp(clock=clock, seed=7, rate_limits=False)
    yield sandbox
    sandbox.close()


@pytest.fixture
def make_client(clock: FakeClock) -> Iterator[Callable[..., SpApiClient]]:
    made: list[SpApiClient] = []

    def make(transport: httpx.BaseTransport, **kwargs: object) -> SpApiClient:
        options: dict[str, object] = {
            "seller_id": "A1SANDBOXSELLER",
            "credentials": Credentials("amzn1.application-oa2-client.test", CLIENT_SECRET, REFRESH_TOKEN),
            "endpoint": BASE,
            "token_url": TOKEN_URL,
            "clock": clock,
            "transport": ModelChecked(transport),
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
