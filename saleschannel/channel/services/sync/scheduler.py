"""When each account syncs next: the usage plan shared out (S1, S2). Pure arithmetic.

Amazon's ``searchOrders`` earns about 20 tokens an hour per seller, with a burst of 20.
S1 (the incremental sync) takes about three quarters of the steady rate; the rest
accrues in the bucket for S2's reconciliation sweeps. While the bucket holds more than
the reserve kept for sweeps, S1 runs sooner (every ``min_interval``). A cycle starts
only when a token is there, so the steady state never earns a 429.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from saleschannel.home import number_setting


@dataclass(frozen=True)
class SyncPolicy:
    """The knobs of the sync engine, with the defaults the spec asks for."""

    overlap: dt.timedelta = dt.timedelta(minutes=10)
    s1_share: float = 0.75
    reserve_fraction: float = 0.25
    min_interval: float = 10.0
    idle_poll: float = 1.0
    lease_ttl: float = 60.0
    lease_wait: float = 60.0
    token_wait: float = 30.0
    sweep_hourly_every: dt.timedelta = dt.timedelta(hours=1)
    sweep_hourly_window: dt.timedelta = dt.timedelta(hours=24)
    sweep_daily_every: dt.timedelta = dt.timedelta(days=1)
    sweep_daily_window: dt.timedelta = dt.timedelta(days=7)
    sweep_page_cap: int = 3
    page_size: int = 100
    recheck_limit: int = 20
    recheck_every: dt.timedelta = dt.timedelta(minutes=15)
    fetch_batch: int = 20
    fetch_patience: float = 2.0
    fetch_max_attempts: int = 5
    failure_backoff: float = 60.0

    @classmethod
    def from_settings(cls) -> SyncPolicy:
        """Defaults, with the settings (Django's, else the environment's) ``SALESCHANNEL_SYNC_OVERLAP_MINUTES``, ``SALESCHANNEL_LEASE_SECONDS`` (how
        long a lease lasts without a heartbeat) and ``SALESCHANNEL_LEASE_WAIT_SECONDS`` (how long
        ``sync --once`` waits for a busy lease) applied."""
        return cls(
            overlap=dt.timedelta(minutes=number_setting("SALESCHANNEL_SYNC_OVERLAP_MINUTES", 10.0)),
            lease_ttl=number_setting("SALESCHANNEL_LEASE_SECONDS", 60.0) or 60.0,
            lease_wait=number_setting("SALESCHANNEL_LEASE_WAIT_SECONDS", 60.0),
        )


def s1_steady_interval(*, rate: float, policy: SyncPolicy) -> float:
    """Seconds between S1 cycles when the burst is spent: S1's share of the rate."""
    return 1.0 / (rate * policy.s1_share)


def next_sync_delay(*, tokens: float, rate: float, burst: float, policy: SyncPolicy, paused: bool) -> float:
    """Seconds until the account's next cycle, given its ``searchOrders`` bucket now.

    ``paused``: the last cycle stopped for want of a token with pages still to read;
    it resumes as soon as one token is there.
    """
    until_token = max(0.0, (1.0 - tokens) / rate)
    if paused:
        return max(policy.idle_poll, until_token)
    if tokens - 1.0 >= burst * policy.reserve_fraction:
        return policy.min_interval
    return max(policy.min_interval, until_token, s1_steady_interval(rate=rate, policy=policy))


def sweep_window(
    *,
    now: dt.datetime,
    hourly_done_at: dt.datetime | None,
    daily_done_at: dt.datetime | None,
    policy: SyncPolicy,
) -> tuple[str, dt.timedelta] | None:
    """Which S2(b) sweep is due now, if any: ("daily", 7 days) before ("hourly", 24 hours)."""
    if daily_done_at is None or now - daily_done_at >= policy.sweep_daily_every:
        return "daily", policy.sweep_daily_window
    if hourly_done_at is None or now - hourly_done_at >= policy.sweep_hourly_every:
        return "hourly", policy.sweep_hourly_window
    return None
