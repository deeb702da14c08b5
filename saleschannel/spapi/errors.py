"""What can go wrong when talking to Amazon's Selling Partner API.

Every error the client raises is an ``SpApiError``::

    SpApiError                  any failure; carries .status, .errors, .request_id
    ├── Throttled               429 (QuotaExceeded) still answered after the last retry
    │   └── RateLimitDeadline   the rate limiter would have to wait past the caller's
    │                           deadline; no request was sent
    ├── Transient               500/502/503/504, a connection error or a timeout,
    │                           still failing after the last retry
    ├── AuthFailed              Login with Amazon refused the grant (invalid_grant,
    │                           invalid_client, ...) or the API answered 401/403
    ├── NotFound                404: no such order, listing, feed or document for this seller
    ├── InvalidRequest          any other 4xx: the request breaks the model; never retried
    └── BadResponse             a 2xx whose body is not JSON (retried: a cut-off body)
                                or breaks the model (not retried); a feed document
                                that is not the gzip it says (retried)
        └── UnreadableOrderError  getOrder answered an order that breaks the model;
                                  ``.unreadable`` keeps it raw so nothing is lost

Messages carry Amazon's error codes and messages and the ``x-amzn-RequestId``, never a
secret (client secret, refresh or access token) and never buyer data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from saleschannel.spapi.models import UnreadableOrder


@dataclass(frozen=True)
class ApiErrorDetail:
    """One entry of Amazon's ``errors[]`` array (code and message are required by the model)."""

    code: str
    message: str
    details: str | None = None

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class SpApiError(Exception):
    """Base of every error the Selling Partner API client raises.

    ``retryable`` says whether sending the same request again may succeed;
    ``retry_after`` is the wait Amazon asked for (``Retry-After``), if any.
    """

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: tuple[ApiErrorDetail, ...] = (),
        request_id: str | None = None,
        retry_after: float | None = None,
        retryable: bool | None = None,
    ) -> None:
        self.status = status
        self.errors = errors
        self.request_id = request_id
        self.retry_after = retry_after
        if retryable is not None:
            self.retryable = retryable
        super().__init__(self._describe(message))

    def _describe(self, message: str) -> str:
        parts = [message]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        parts.extend(str(e) for e in self.errors)
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        return "; ".join(parts)

    @property
    def code(self) -> str | None:
        """The first error code Amazon gave, if any."""
        return self.errors[0].code if self.errors else None


class Throttled(SpApiError):
    """Amazon answered 429 and the retries ran out."""

    retryable = True


class RateLimitDeadline(Throttled):
    """Waiting for a rate-limit token would pass the caller's deadline; nothing was sent."""

    retryable = False


class Transient(SpApiError):
    """A server error, connection error or timeout that outlived the retries."""

    retryable = True


class AuthFailed(SpApiError):
    """Login with Amazon refused the credentials, or the API refused the access token."""


class NotFound(SpApiError):
    """The resource (an order, a listing, a feed) does not exist for this seller."""


class InvalidRequest(SpApiError):
    """Amazon refused the request as malformed (400 and other 4xx); retrying cannot help."""


class BadResponse(SpApiError):
    """A successful status whose body is not JSON or does not follow the model."""


class UnreadableOrderError(BadResponse):
    """``getOrder`` answered an order that breaks the model; ``unreadable`` keeps it raw."""

    def __init__(self, unreadable: UnreadableOrder, *, request_id: str | None = None) -> None:
        self.unreadable = unreadable
        super().__init__(
            f"order {unreadable.order_id} is unreadable: {unreadable.error}", request_id=request_id
        )
