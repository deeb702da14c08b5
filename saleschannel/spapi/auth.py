"""Login with Amazon (LWA): access tokens from a refresh token, and the one-time
exchange of an OAuth authorization code for a refresh token.

The access token is cached until a minute before it expires and shared by every
thread of a client; one thread refreshes while the others wait for its answer.
Nothing here ever puts a secret (client secret, refresh token, access token) into a
log line or an exception message.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx

from saleschannel.spapi.clock import Clock, SystemClock
from saleschannel.spapi.errors import ApiErrorDetail, AuthFailed, BadResponse, SpApiError, Transient
from saleschannel.spapi.retry import RETRY_STATUSES, RetryPolicy, parse_retry_after, run_with_retries
from saleschannel.spapi.stats import CallStats

LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"  # nosec B105  # Amazon's public token endpoint
#: Refresh this long before Amazon's expiry, so no call leaves with a dying token.
REFRESH_MARGIN_SECONDS = 60.0


@dataclass(frozen=True)
class Credentials:
    """An application's LWA client and the seller's refresh token."""

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)

    def __post_init__(self) -> None:
        for name in ("client_id", "client_secret", "refresh_token"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name).strip():
                raise ValueError(f"credentials: {name} is empty")


@dataclass(frozen=True)
class TokenGrant:
    """What LWA answered to a grant; ``refresh_token`` only for an authorization code."""

    access_token: str = field(repr=False)
    expires_in: float
    refresh_token: str | None = field(default=None, repr=False)


class LwaClient:
    """Posts grants to the LWA token URL with retries; knows nothing about caching."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        token_url: str,
        clock: Clock,
        policy: RetryPolicy,
        rng: random.Random,
        stats: CallStats,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._clock = clock
        self._policy = policy
        self._rng = rng
        self._stats = stats

    def grant(self, form: dict[str, str], *, secrets: tuple[str, ...]) -> TokenGrant:
        """Post one grant; ``secrets`` are scrubbed from anything Amazon says back."""
        return run_with_retries(
            lambda _n: self._post(form, secrets),
            policy=self._policy,
            clock=self._clock,
            rng=self._rng,
            on_retry=lambda _e, _w: self._stats.count_retry(),
        )

    def _post(self, form: dict[str, str], secrets: tuple[str, ...]) -> TokenGrant:
        self._stats.count_call("token")
        try:
            response = self._http.post(self._token_url, data=form, headers={"accept": "application/json"})
        except httpx.TimeoutException:
            raise Transient("Login with Amazon timed out") from None
        except httpx.TransportError as exc:
            raise Transient(f"Login with Amazon unreachable: {type(exc).__name__}") from None
        if response.status_code in RETRY_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after"), self._clock.now())
            raise Transient(
                "Login with Amazon is unavailable", status=response.status_code, retry_after=retry_after
            )
        body = _json_object(response)
        if response.status_code >= 400 or body is None:
            raise _refusal(response, body, secrets)
        return _grant_from(body, response.status_code)


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def _refusal(response: httpx.Response, body: dict[str, Any] | None, secrets: tuple[str, ...]) -> SpApiError:
    if body is None:
        if response.status_code < 400:
            # Most likely cut off on the way: worth asking again.
            return BadResponse(
                "Login with Amazon answered a body that is not JSON",
                status=response.status_code,
                retryable=True,
            )
        return AuthFailed("Login with Amazon refused the grant", status=response.status_code)
    code = _scrub(str(body.get("error") or "unknown_error"), secrets)
    message = _scrub(str(body.get("error_description") or ""), secrets)
    return AuthFailed(
        "Login with Amazon refused the grant",
        status=response.status_code,
        errors=(ApiErrorDetail(code=code, message=message),),
    )


def _grant_from(body: dict[str, Any], status: int) -> TokenGrant:
    access = body.get("access_token")
    expires = body.get("expires_in")
    refresh = body.get("refresh_token")
    if not isinstance(access, str) or not access:
        raise BadResponse("Login with Amazon answered without access_token", status=status)
    if isinstance(expires, bool) or not isinstance(expires, int | float) or expires <= 0:
        raise BadResponse("Login with Amazon answered without a valid expires_in", status=status)
    if refresh is not None and not isinstance(refresh, str):
        raise BadResponse("Login with Amazon answered a refresh_token that is not a string", status=status)
    return TokenGrant(access_token=access, expires_in=float(expires), refresh_token=refresh)


class TokenCache:
    """The seller's current access token, refreshed a minute before it expires.

    Thread-safe: the lock is held across the refresh so that a crowd of threads
    finding the token stale sends one refresh, not one each.
    """

    def __init__(self, lwa: LwaClient, credentials: Credentials, clock: Clock) -> None:
        self._lwa = lwa
        self._credentials = credentials
        self._clock = clock
        self._token: str | None = None
        self._fresh_until = 0.0
        self._lock = threading.Lock()

    def access_token(self) -> str:
        with self._lock:
            if self._token is None or self._clock.monotonic() >= self._fresh_until:
                self._refresh()
            assert self._token is not None
            return self._token

    def invalidate(self) -> None:
        """Forget the token (Amazon refused it), so the next call refreshes."""
        with self._lock:
            self._token = None

    def _refresh(self) -> None:
        creds = self._credentials
        started = self._clock.monotonic()
        try:
            grant = self._lwa.grant(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": creds.refresh_token,
                    "client_id": creds.client_id,
                    "client_secret": creds.client_secret,
                },
                secrets=(creds.refresh_token, creds.client_secret),
            )
        except SpApiError as exc:
            exc.retryable = False  # LWA's own retries are spent; the API call must not repeat them
            raise
        self._token = grant.access_token
        self._fresh_until = started + max(0.0, grant.expires_in - REFRESH_MARGIN_SECONDS)


def exchange_authorization_code(
    *,
    code: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str | None = None,
    token_url: str = LWA_TOKEN_URL,
    transport: httpx.BaseTransport | None = None,
    timeout: httpx.Timeout | float = 30.0,
    clock: Clock | None = None,
) -> TokenGrant:
    """Exchange the ``spapi_oauth_code`` of a website authorization for a refresh token.

    Raises AuthFailed with Amazon's words when LWA refuses the code.
    """
    if not code or not client_id or not client_secret:
        raise ValueError("exchange_authorization_code: code, client_id and client_secret are required")
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": client_id,
        "client_secret": client_secret,
    }
    if redirect_uri:
        form["redirect_uri"] = redirect_uri
    with httpx.Client(transport=transport, timeout=timeout) as http:
        lwa = LwaClient(
            http,
            token_url=token_url,
            clock=clock or SystemClock(),
            policy=RetryPolicy(max_attempts=3),
            rng=random.Random(),
            stats=CallStats(),
        )
        grant = lwa.grant(form, secrets=(code, client_secret))
    if grant.refresh_token is None:
        raise BadResponse("Login with Amazon answered the authorization code without a refresh_token")
    return grant
