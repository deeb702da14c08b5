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
            "transport": transport,
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
