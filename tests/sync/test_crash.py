"""Crash recovery: a cycle killed at any step boundary, then run again, leaves every order exactly once.

The kill is an exception raised from the cycle's checkpoint hook: after a snapshot is
upserted (inside its transaction), after an order is imported (committed), after a page
(before its place is saved), and just before the watermark is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from saleschannel.channel.models import AmazonOrder, SyncCursor
from saleschannel.channel.services.imports.importer import amazon_order_evaluate
from saleschannel.workers.leases import account_sync_leased
from tests.sync.conftest import connect, stock_catalog
from tests.sync.helpers import (
    assert_exactly_once,
    channel_statuses,
    expected_reservations,
    reservations_balance,
    sandbox_statuses,
)

pytestmark = pytest.mark.django_db


class Killed(Exception):
    """Stands for the process dying at that point."""


def kill_at(step: str, nth: int):
    seen = {"n": 0}

    def checkpoint(name: str) -> None:
        if name == step:
            seen["n"] += 1
            if seen["n"] == nth:
                raise Killed(f"{step} #{nth}")

    return checkpoint


@pytest.fixture
def scarce_account(store_defaults, clock):
    """Little stock, so that some FBM orders wait (R9) and compete for it."""
    stock_catalog(qty=4)
    return connect(now=clock.now() - dt.timedelta(hours=1))


def assert_fixed_point(account) -> None:
    """Nothing forgotten: evaluating every order again changes no state and creates nothing."""
    before = dict(AmazonOrder.objects.filter(account=account).values_list("amazon_order_id", "import_state"))
    for amazon_order in AmazonOrder.objects.filter(account=account):
        assert not amazon_order_evaluate(amazon_order=amazon_order).created, amazon_order.amazon_order_id
    after = dict(AmazonOrder.objects.filter(account=account).values_list("amazon_order_id", "import_state"))
    assert after == before


@pytest.mark.parametrize(
    ("step", "nth"),
    [
        ("upsert", 1),
        ("upsert", 17),
        ("import", 1),
        ("import", 23),
        ("page", 1),
        ("page", 3),
        ("watermark", 1),
    ],
)
def test_crash_at_each_step_boundary_then_rerun(scarce_account, sandbox, client_for, clock, policy, step, nth):
    account = scarce_account
    policy = dataclasses.replace(policy, page_size=10)
    sandbox.generate(35)  # four pages
    client = client_for(account, sandbox)
    with pytest.raises(Killed):
        account_sync_leased(account=account, client=client, clock=clock, policy=policy, checkpoint=kill_at(step, nth))
    crashed_mark = SyncCursor.objects.get(account=account).watermark
    assert crashed_mark is None  # the first query never finished: the watermark did not move
    run = account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    assert run.outcome == "ok", run.error
    assert SyncCursor.objects.get(account=account).watermark == clock.now()
    assert channel_statuses(account) == sandbox_statuses(sandbox)
    assert_exactly_once(account)
    assert reservations_balance() == expected_reservations()
    assert_fixed_point(account)


def test_crash_after_a_page_resumes_at_the_next_page(scarce_account, sandbox, client_for, clock, policy):
    account = scarce_account
    policy = dataclasses.replace(policy, page_size=10)
    sandbox.generate(35)
    client = client_for(account, sandbox)
    account_sync_pages = []
    with pytest.raises(Killed):
        account_sync_leased(account=account, client=client, clock=clock, policy=policy, checkpoint=kill_at("import", 25))
    account_sync_pages.append(sandbox.calls()["operations"]["searchOrders"])
    account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    # Pages 1 and 2 were saved; page 3 was cut short: the rerun reads pages 3 and 4 only.
    assert sandbox.calls()["operations"]["searchOrders"] - account_sync_pages[0] == 2
    assert_exactly_once(account)


def test_repeated_crashes_through_status_changes(scarce_account, sandbox, client_for, clock, policy):
    account = scarce_account
    policy = dataclasses.replace(policy, page_size=10)
    sandbox.generate(30)
    client = client_for(account, sandbox)
    for round_ in range(8):
        # Every round dies, and where it says: a page and the watermark come once per cycle, orders more often.
        step = ("upsert", "import", "page", "watermark")[round_ % 4]
        nth = 1 + round_ if step in ("upsert", "import") else 1
        with pytest.raises(Killed, match=f"^{step} #{nth}$"):
            account_sync_leased(account=account, client=client, clock=clock, policy=policy, checkpoint=kill_at(step, nth))
        clock.advance(150)
    account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    assert channel_statuses(account) == sandbox_statuses(sandbox)
    assert_exactly_once(account)
    assert reservations_balance() == expected_reservations()
    assert_fixed_point(account)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_long_form_random_crashes_over_hours_of_amazon_time(store_defaults, clock, client_for, policy, seed):
    """Long form (make reliability): orders keep coming and moving; cycles die at random points."""
    import random

    from tests.sync.conftest import sandbox_app

    rng = random.Random(seed)
    stock_catalog(qty=30)
    account = connect(now=clock.now() - dt.timedelta(hours=1))
    app = sandbox_app(clock, seed=seed, generate_per_minute=2, visibility_lag=20, fault_rate=0.05)
    policy = dataclasses.replace(policy, page_size=15)
    client = client_for(account, app)
    crashes = 0
    for _ in range(60):
        step = rng.choice(("upsert", "import", "page", "watermark", "none"))
        nth = 1 if step in ("page", "watermark") else rng.randint(1, 40)
        try:
            account_sync_leased(account=account, client=client, clock=clock, policy=policy, checkpoint=kill_at(step, nth))
        except Killed:
            crashes += 1
        clock.advance(rng.uniform(30, 300))
    assert crashes >= 20  # the crashes did land: about four rounds in five aim at a boundary every cycle passes
    app.generate_per_minute = 0
    for _ in range(12):
        account_sync_leased(account=account, client=client, clock=clock, policy=policy)
        clock.advance(600)
    while account_sync_leased(account=account, client=client, clock=clock, policy=policy).outcome != "ok":
        clock.advance(60)
    assert channel_statuses(account) == sandbox_statuses(app)
    assert_exactly_once(account)
    assert reservations_balance() == expected_reservations()
    assert_fixed_point(account)
    app.close()
