"""The patch budget: each seller's plan (T8) and the application's (C50), both in the database.

``InstallationRateLimiter`` is the SP-API ``RateLimiter`` the channel's clients use: every
operation takes its token from the seller's bucket (``DatabaseRateLimiter``, S5, where
``patchListingsItem`` is 5 a second, burst 5, until Amazon's ``x-amzn-RateLimit-Limit``
replaces it); ``patchListingsItem`` also takes one from the application's bucket, shared by
every seller the installation serves (500 a second, C50). Both are rows, so every worker,
``push --once``, ``sync --once`` and the web server draw from the same tokens.
"""

from __future__ import annotations

from collections.abc import Mapping

from saleschannel.channel.services.sync.ratelimit import DatabaseRateLimiter
from saleschannel.spapi.clock import Clock
from saleschannel.spapi.ratelimit import UsagePlan

#: The bucket row of the application (not a seller id Amazon can give: it holds a space).
APPLICATION_BUCKET = "application *"
#: C50: 500 a second across every seller. [D] A burst of 100: Amazon publishes none for the
#: application, and a fifth of a second's worth cannot meet its 429 whatever its burst is.
APPLICATION_PLANS: Mapping[str, UsagePlan] = {"patchListingsItem": UsagePlan(rate=500.0, burst=100)}


class InstallationRateLimiter:
    """The seller's bucket for every call; the application's too for those it meters (C50)."""

    def __init__(self, *, clock: Clock, plans: Mapping[str, UsagePlan] | None = None,
                 application_plans: Mapping[str, UsagePlan] = APPLICATION_PLANS):
        self.clock = clock
        self.seller = DatabaseRateLimiter(clock=clock, plans=plans)
        self.application = DatabaseRateLimiter(clock=clock, plans=application_plans)
        self.application_operations = frozenset(application_plans)

    def acquire(self, seller_id: str, operation: str, *, deadline: float | None = None) -> float:
        """The seller's token first (the longer wait), then the application's; the seconds waited."""
        waited = self.seller.acquire(seller_id, operation, deadline=deadline)
        if operation in self.application_operations:
            waited += self.application.acquire(APPLICATION_BUCKET, operation, deadline=deadline)
        return waited

    def update_rate(self, seller_id: str, operation: str, rate: float) -> None:
        """Amazon's ``x-amzn-RateLimit-Limit`` is the seller's rate (T8); the application's stays."""
        self.seller.update_rate(seller_id, operation, rate)

    def available(self, seller_id: str, operation: str) -> tuple[float, UsagePlan]:
        return self.seller.available(seller_id, operation)
