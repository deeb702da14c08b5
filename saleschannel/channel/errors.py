"""The channel's exception tree.

ChannelError
├── AccountInvalid(field, message)    account connect input refused; nothing written
├── AccountNotFound(value)            no account with that name or id
├── SettingsInvalid(field, message)   order settings refused (R1, R2, C2); nothing written
└── ImportRefused(message)            a hand import refused (R5, C2) or an unknown Amazon order

Connecting an account (``channel.connect``): ConnectError, with NotConfigured(missing) (the
installation's SP-API application lacks fields) and AuthorizationRefused(code, message): a
callback that connects nothing; ``code`` is short and stable (``state_missing``,
``state_unknown``, ``state_expired``, ``state_used``, ``state_foreign``, ``denied``,
``bad_request``, ``seller_mismatch``, ``exchange_refused``, ``exchange_failed``,
``not_configured``, ``account_invalid``), ``message`` is shown on the refusal page.

Outside the tree (not refusals of an input; each caught where it is meant to be):
ImportFailed (R16, why a store order could not be made), StopRequested (a worker asked to
stop, between orders), NotificationRefused(status, message) and UnknownAccount (S3, an
ORDER_CHANGE notification), SecretUnreadable (a stored credential another key encrypted).

Messages name the field and say what is wrong; they never hold a secret.
"""

from __future__ import annotations


class ChannelError(Exception):
    """Any refusal of the Amazon channel."""


class AccountInvalid(ChannelError, ValueError):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class AccountNotFound(ChannelError, LookupError):
    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(f"account: {value!s}: no such account")


class SettingsInvalid(ChannelError, ValueError):
    """Order settings refused; ``field`` is the setting's name (``import_orders``, ``store``...)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class ImportRefused(ChannelError):
    """A hand import that the rules or the settings refuse."""


class ImportFailed(Exception):
    """A plain message of why the store order could not be created (R16)."""


class StopRequested(Exception):
    """The worker was asked to stop; raised between orders only."""


class NotificationRefused(Exception):
    """The notification is refused: ``status`` 401 (not authenticated) or 400 (malformed)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class UnknownAccount(Exception):
    """No connected account has the notification's seller and marketplace."""


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with this installation's key."""


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
