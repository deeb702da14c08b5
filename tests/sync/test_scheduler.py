"""The scheduler shares searchOrders' usage plan out (S1, S2)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saleschannel.channel.services.sync.scheduler import SyncPolicy, next_sync_delay, sweep_window

POLICY = SyncPolicy()
RATE, BURST = 0.0056, 20.0


def test_s2_steady_state_gives_s1_three_quarters_of_the_rate():
    delay = next_sync_delay(tokens=0.2, rate=RATE, burst=BURST, policy=POLICY, paused=False)
    assert delay == pytest.approx(1 / (RATE * 0.75))
    assert 230 < delay < 250  # about 240 s between polls once the burst is spent


def test_s1_runs_sooner_while_burst_tokens_remain():
    assert next_sync_delay(tokens=15, rate=RATE, burst=BURST, policy=POLICY, paused=False) == POLICY.min_interval


def test_the_sweep_reserve_is_not_spent_by_s1():
    # 5 tokens is the reserve for sweeps (a quarter of the burst): S1 goes back to its share.
    delay = next_sync_delay(tokens=5.5, rate=RATE, burst=BURST, policy=POLICY, paused=False)
    assert delay == pytest.approx(1 / (RATE * 0.75))


def test_a_paused_cycle_resumes_as_soon_as_a_token_is_there():
    assert next_sync_delay(tokens=0.5, rate=RATE, burst=BURST, policy=POLICY, paused=True) == pytest.approx(
        0.5 / RATE
    )
    assert next_sync_delay(tokens=3, rate=RATE, burst=BURST, policy=POLICY, paused=True) == POLICY.idle_poll


def test_never_starts_before_a_token_exists():
    # Steady-state polling at S1's share can never outrun the bucket.
    for tokens in (-3.0, -0.5, 0.0, 0.99):
        delay = next_sync_delay(tokens=tokens, rate=RATE, burst=BURST, policy=POLICY, paused=False)
        assert tokens + delay * RATE >= 1.0 - 1e-9


def test_s2_sweeps_daily_then_hourly():
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    assert sweep_window(now=now, hourly_done_at=now, daily_done_at=None, policy=POLICY) == (
        "daily",
        dt.timedelta(days=7),
    )
    hour_ago = now - dt.timedelta(hours=1)
    assert sweep_window(now=now, hourly_done_at=hour_ago, daily_done_at=now, policy=POLICY) == (
        "hourly",
        dt.timedelta(hours=24),
    )
    assert sweep_window(now=now, hourly_done_at=now - dt.timedelta(minutes=59), daily_done_at=now, policy=POLICY) is None


def test_overlap_is_configurable(monkeypatch):
    monkeypatch.setenv("SALESCHANNEL_SYNC_OVERLAP_MINUTES", "30")
    assert SyncPolicy.from_settings().overlap == dt.timedelta(minutes=30)
    monkeypatch.setenv("SALESCHANNEL_SYNC_OVERLAP_MINUTES", "soon")
    with pytest.raises(ValueError, match="SALESCHANNEL_SYNC_OVERLAP_MINUTES"):
        SyncPolicy.from_settings()


@given(
    tokens=st.floats(min_value=-30, max_value=30),
    rate=st.floats(min_value=0.001, max_value=1000),
    burst=st.integers(min_value=1, max_value=100),
    paused=st.booleans(),
)
def test_the_next_cycle_never_starts_before_its_token(tokens, rate, burst, paused):
    tokens = min(tokens, float(burst))
    delay = next_sync_delay(tokens=tokens, rate=rate, burst=burst, policy=POLICY, paused=paused)
    assert delay >= 0
    assert tokens + delay * rate >= 1.0 - 1e-6
    if not paused and tokens - 1 < burst * POLICY.reserve_fraction:
        assert delay >= 1 / (rate * POLICY.s1_share) - 1e-9  # S1 keeps to its share
