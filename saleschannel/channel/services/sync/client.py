"""The seller's SP-API client on the rate-limit buckets shared through the database (S5)."""

from __future__ import annotations

from saleschannel.channel.models import Account
from saleschannel.channel.services.accounts import application_credentials
from saleschannel.channel.stock.ratelimit import InstallationRateLimiter
from saleschannel.spapi.auth import LWA_TOKEN_URL, Credentials
from saleschannel.spapi.client import SpApiClient
from saleschannel.spapi.clock import Clock
from saleschannel.spapi.ratelimit import RateLimiter


def account_client(
    *,
    account: Account,
    clock: Clock,
    limiter: RateLimiter | None = None,
    transport: object | None = None,
) -> SpApiClient:
    """A client for the account's seller, taking its tokens from the shared database buckets (S5, C50)."""
    app_id, app_secret = application_credentials()
    credentials = Credentials(
        client_id=account.client_id or app_id,
        client_secret=account.client_secret or app_secret,
        refresh_token=account.refresh_token,
    )
    return SpApiClient(
        seller_id=account.seller_id,
        credentials=credentials,
        region=account.region,
        endpoint=account.endpoint or None,
        token_url=account.token_url or LWA_TOKEN_URL,
        limiter=limiter or InstallationRateLimiter(clock=clock),  # the seller's buckets, and C50's
        clock=clock,
        transport=transport,  # type: ignore[arg-type]
    )
