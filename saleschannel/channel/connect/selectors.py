"""Reads of the connection state, for the dashboard.

- ``connection_status(account) -> str``: ``connected``, ``needs_reconnecting`` or ``disconnected``.
- ``accounts_needing_reconnection() -> list[Account]``: the accounts to name in the banner.
"""

from __future__ import annotations

from saleschannel.channel.models import Account

CONNECTED = "connected"
NEEDS_RECONNECTING = "needs_reconnecting"
DISCONNECTED = "disconnected"


def connection_status(account: Account) -> str:
    """Disconnected (no credentials kept), needs reconnecting (Amazon refused them), or connected."""
    if not account.refresh_token_encrypted:
        return DISCONNECTED
    if account.credentials_state == Account.CredentialsState.NEEDS_RECONNECTING:
        return NEEDS_RECONNECTING
    return CONNECTED


def accounts_needing_reconnection() -> list[Account]:
    """Accounts whose syncs are stopped until a manager reconnects them (one query)."""
    return list(
        Account.objects.filter(credentials_state=Account.CredentialsState.NEEDS_RECONNECTING)
        .only("pk", "name", "marketplace_id", "credentials_state", "refresh_token_encrypted")
        .order_by("name")
    )
