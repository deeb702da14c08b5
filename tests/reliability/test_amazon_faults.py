"""Amazon's bad days, played by the sandbox and a transport in front of it: storms of 429, 500 and
503, stalls, cut-off and invalid JSON, JSON of the wrong shape, orders with wrong types or missing
required fields, the same order on two pages, our clock ahead of or behind Amazon's.

For each: after the weather clears, every order Amazon holds is in the channel once with
Amazon's status, each imported order has one store order, stock reservations balance; while it
lasted, the error was in the sync log and on the dashboard's sync log and communication errors
pages. (A lagging index is proved in tests/sync/test_reconcile.py.)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html

import pytest
from django.test import Client

from saleschannel.channel.models import AmazonOrder, SyncRun
from saleschannel.workers.leases import account_sync_leased
from tests.reliability.conftest import SkewedClock, sandbox_app
from tests.sync.helpers import (
    assert_exactly_once,
    channel_statuses,
    expected_reservations,
    reservations_balance,
    sandbox_statuses,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_page(db, settings):
    from tests.dashboard.factories import user_make

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client()
    client.force_login(user_make("sam"))
    return lambda path: client.get(path).content.decode()


def cycles(account, client, clock, policy, *, minutes: float, step: float = 60.0):
    runs = []
    for _ in range(int(minutes * 60 / step)):
        runs.append(account_sync_leased(account=account, client=client, clock=clock, policy=policy))
        clock.advance(step)
    return runs


def settle(account, app, client, clock, policy) -> None:
    """Amazon stops taking orders; the engine runs until the statuses stop moving and a cycle is clean."""
    app.generate_per_minute = 0
    cycles(account, client, clock, policy, minutes=90, step=600)
    for _ in range(20):
        if account_sync_leased(account=account, client=client, clock=clock, policy=policy).outcome == "ok":
            break
        clock.advance(60)
    else:
        raise AssertionError("the engine never got a clean cycle after the weather cleared")


def assert_whole(account, app) -> None:
    """Nothing lost, nothing twice, stock balanced."""
    assert channel_statuses(account) == sandbox_statuses(app)
    assert_exactly_once(account)
    assert reservations_balance() == expected_reservations()
    stuck = AmazonOrder.objects.filter(account=account, import_state="error")
    assert not stuck.exists(), [(o.amazon_order_id, o.reason) for o in stuck]


STORMS = ["429", "500", "503", "stall", "truncated", "invalid_json", "bad_envelope"]
STORM_CALLS = 14  # more than the client's five tries: cycles fail


def weather_passes(kind, account, client, weather, clock, policy, staff_page, *, minutes: float) -> None:
    """A storm of ``kind`` over the next calls: the cycles it meets fail, and say so on the dashboard."""
    weather.storm(kind, STORM_CALLS)
    stormy = cycles(account, client, clock, policy, minutes=minutes)
    assert weather.met > 0
    failed = [r for r in stormy if r.outcome in ("failed", "partial")]
    assert failed and all(r.error for r in failed), (kind, [(r.outcome, r.error) for r in stormy])
    shown = html.escape(failed[-1].error[:40])
    assert shown in staff_page("/logs/sync/"), f"{kind}: the sync log page shows the error"
    assert shown in staff_page("/logs/errors/"), f"{kind}: the communication errors page shows it"
    weather.storm("", 0)
    weather.met = 0


def test_every_kind_of_storm_in_turn_loses_nothing_duplicates_nothing_and_is_shown(
    account, clock, policy, weather_client, staff_page
):
    """The short form: each storm in turn over one account while Amazon keeps taking orders."""
    app = sandbox_app(clock, generate_per_minute=1.5, seed=31)
    policy = dataclasses.replace(policy, page_size=5)
    client, weather = weather_client(account, app)
    cycles(account, client, clock, policy, minutes=2)
    for kind in STORMS:
        weather_passes(kind, account, client, weather, clock, policy, staff_page, minutes=2)
        cycles(account, client, clock, policy, minutes=1)
    settle(account, app, client, clock, policy)
    assert len(sandbox_statuses(app)) >= 20
    assert_whole(account, app)
    app.close()


@pytest.mark.slow
@pytest.mark.parametrize("kind", STORMS)
def test_a_long_storm_loses_nothing_duplicates_nothing_and_is_shown(kind, account, clock, policy, weather_client,
                                                                   staff_page):
    """The long form: one kind at a time, lasting, over more orders."""
    app = sandbox_app(clock, generate_per_minute=3, seed=31)
    policy = dataclasses.replace(policy, page_size=5)
    client, weather = weather_client(account, app)
    cycles(account, client, clock, policy, minutes=10)
    for _ in range(3):
        weather_passes(kind, account, client, weather, clock, policy, staff_page, minutes=10)
    settle(account, app, client, clock, policy)
    assert len(sandbox_statuses(app)) >= 20
    assert_whole(account, app)
    app.close()


@pytest.mark.parametrize("kind", ["wrong_types", "missing_fields"])
def test_orders_that_break_the_model_are_kept_shown_and_imported_once_amazon_sends_them_right(
    kind, account, clock, policy, weather_client, staff_page
):
    app = sandbox_app(clock, generate_per_minute=1.5, seed=32)
    policy = dataclasses.replace(policy, page_size=5)
    client, weather = weather_client(account, app)
    cycles(account, client, clock, policy, minutes=3)
    weather.storm(kind, 4)
    while weather.left:
        cycles(account, client, clock, policy, minutes=1)
    broken = AmazonOrder.objects.filter(account=account, import_state="error", reason_code="unreadable")
    assert broken.exists(), "the broken orders are kept, marked unreadable"
    assert all(o.raw and o.reason.startswith("Amazon's data cannot be read") for o in broken)
    assert "cannot be imported" in staff_page(f"/accounts/{account.pk}/")  # the dashboard's banner
    assert SyncRun.objects.filter(account=account, errors__gt=0).exists(), "the sync log counts them"
    one = broken.first()
    assert html.escape(one.reason[:30]) in staff_page(f"/amazon-orders/{one.pk}/")
    settle(account, app, client, clock, policy)
    assert_whole(account, app)
    app.close()


def test_the_same_order_on_two_pages_is_taken_once(account, clock, policy, weather_client):
    app = sandbox_app(clock, seed=33)
    app.generate(25)
    policy = dataclasses.replace(policy, page_size=5)
    client, weather = weather_client(account, app)
    weather.storm("duplicate", 1000)
    run = account_sync_leased(account=account, client=client, clock=clock, policy=policy)
    assert run.outcome == "ok" and weather.met >= 5
    assert run.fetched == len(sandbox_statuses(app)), "each order counted once"
    weather.storm("", 0)
    settle(account, app, client, clock, policy)
    assert_whole(account, app)
    app.close()


@pytest.mark.parametrize("offset", [-300.0, 300.0], ids=["ours-ahead", "ours-behind"])
def test_our_clock_ahead_of_or_behind_amazons_misses_nothing(offset, account, clock, policy, client_for):
    """Amazon's clock 5 minutes behind ours (ours ahead), or 5 minutes ahead (ours behind)."""
    app = sandbox_app(SkewedClock(clock, offset), generate_per_minute=1.5, seed=34, visibility_lag=10)
    client = client_for(account, app)
    runs = cycles(account, client, clock, policy, minutes=8)
    assert all(r.outcome == "ok" for r in runs), [r.error for r in runs if r.outcome != "ok"]
    settle(account, app, client, clock, policy)
    assert len(sandbox_statuses(app)) >= 10
    assert_whole(account, app)
    app.close()


def test_a_nul_character_in_amazons_text_never_fails_the_page(account, clock, policy, client_for):
    """PostgreSQL keeps no NUL in text or JSON: a title, a buyer's name or a program with one is
    stored with U+FFFD instead, and the order and the rest of its page import."""
    from tests.channel.factories import order_dict

    app = sandbox_app(clock, seed=35)
    (sku,) = {o["orderItems"][0]["product"]["sellerSku"] for o in [app.store.get(app.generate(1)[0])]}
    app.reset()
    start = clock.now() - dt.timedelta(minutes=30)
    bodies = [order_dict(items=[(sku, 1)], created=start, updated=start + dt.timedelta(minutes=n))
              for n in range(4)]
    bodies[1]["orderItems"][0]["product"]["title"] = "Mug\x00Blue"
    bodies[2]["buyer"]["buyerName"] = "Jane\x00Doe"
    bodies[3]["programs"] = ["PRIME\x00"]
    for body in bodies:
        app.put_order(body)
    run = account_sync_leased(account=account, client=client_for(account, app), clock=clock, policy=policy)
    assert run.outcome == "ok", run.error
    stored = {o.amazon_order_id: o for o in AmazonOrder.objects.filter(account=account)}
    assert set(stored) == {b["orderId"] for b in bodies}
    assert all(o.import_state == "imported" for o in stored.values()), [o.reason for o in stored.values()]
    assert "\ufffd" in stored[bodies[1]["orderId"]].raw["orderItems"][0]["product"]["title"]
    assert_exactly_once(account)
    app.close()
