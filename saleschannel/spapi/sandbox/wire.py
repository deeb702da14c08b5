"""Requests and answers as the sandbox's routes see them, whatever carried them
(an in-process ``httpx.MockTransport`` or the HTTP server)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""

    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query_string, keep_blank_values=True)

    def json(self) -> Any:
        """The body as JSON; raises ValueError when it is not."""
        return json.loads(self.body.decode("utf-8") or "null")


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to hold the answer back: a stall past the client's read timeout.
    stall: float = 0.0

    def json(self) -> Any:
        return json.loads(self.body)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, body, {"content-type": "application/json", **(headers or {})})


def amazon_headers(rate: str | None = None) -> dict[str, str]:
    """What every Amazon answer carries: a request id and, for the API, the rate limit."""
    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    if rate is not None:
        headers["x-amzn-RateLimit-Limit"] = rate
    return headers


def error_list(code: str, message: str, details: str | None = None) -> dict[str, Any]:
    """Amazon's ``ErrorList`` body."""
    entry = {"code": code, "message": message}
    if details is not None:
        entry["details"] = details
    return {"errors": [entry]}
