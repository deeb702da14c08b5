"""Why an authorization was refused, in the merchant's words and never with a secret.

``AuthorizationRefused(code, message)``: ``code`` is short and stable (``state_missing``,
``state_unknown``, ``state_expired``, ``state_used``, ``state_foreign``, ``denied``,
``bad_request``, ``seller_mismatch``, ``exchange_refused``, ``exchange_failed``,
``not_configured``, ``account_invalid``); ``message`` is shown on the refusal page.
"""

from __future__ import annotations


class ConnectError(Exception):
    """Base of this app's errors."""


class NotConfigured(ConnectError):
    """The installation's SP-API application is not configured (which fields are missing)."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__("The Amazon application is not configured: " + ", ".join(missing) + " missing.")


class AuthorizationRefused(ConnectError):
    """A callback that connects nothing."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")
