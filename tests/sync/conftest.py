"""Fixtures of the sync engine's tests."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.spapi.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC))


@pytest.fixture
def account(db, clock):
    from saleschannel.channel.models import Account

    acct = Account(
        name="us-main",
        seller_id="A3TH9S8BH6GOGM",
        marketplace_id="ATVPDKIKX0DER",
        region="na",
        integrated_at=clock.now() - dt.timedelta(days=1),
    )
    acct.refresh_token = "Atzr|test-refresh-token"
    acct.save()
    return acct
