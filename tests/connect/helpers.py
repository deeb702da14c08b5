"""Playing the merchant at Seller Central (the sandbox's consent page), without a browser."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx

from saleschannel.spapi.sandbox.app import SandboxApp


def seller_central_answer(url: str, *, sandbox: SandboxApp | None = None, decision: str = "approve") -> dict[str, str]:
    """Open the consent page at ``url``, press Approve (or Deny): the callback's query parameters."""
    transport = sandbox.transport() if sandbox is not None else None
    with httpx.Client(transport=transport, timeout=10.0) as http:
        page = http.get(url)
        assert page.status_code == 200, page.text
        assert "Approve" in page.text
        form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
        form.pop("decision", None)
        form["decision"] = decision
        answer = http.post(f"{url.split('/apps/')[0]}/apps/authorize/consent", data=_unescape(form))
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _unescape(form: dict[str, str]) -> dict[str, str]:
    import html

    return {k: html.unescape(v) for k, v in form.items()}


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
