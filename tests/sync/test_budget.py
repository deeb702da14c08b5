"""S2(a), S3: getOrder's budget shared out; a pure function per decision, a test per case."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.channel.services.sync.budget import (
    NOTIFICATION_RESERVE,
    Item,
    Notified,
    Stored,
    Why,
    notified_fetch_needed,
    recheck_allowance,
    recheck_interval,
)

LINES = (Item("SKU-1", 2, 0),)
SHIPPED_LINES = (Item("SKU-1", 2, 2),)


def told(status: str, fulfillment: str = "MFN", items=LINES) -> Notified:
    return Notified(status=status, fulfillment=fulfillment, items=items)


def stored(status: str, *, imported: bool = False, reserved: bool = False, items=LINES) -> Stored:
    return Stored(status=status, imported=imported, holds_reservation=reserved, items=items)


@pytest.mark.parametrize(
    ("change", "known", "reserve", "fetch", "why"),
    [
        # An order whose stored snapshot already shows what the notification tells.
        (told("Unshipped"), stored("Unshipped", imported=True), False, False, Why.SKIP_KNOWN),
        # An FBA order not yet shipped: imported once Amazon ships it.
        (told("Unshipped", "AFN"), None, False, False, Why.SKIP_FBA_OPEN),
        (told("Pending", "AFN"), None, True, False, Why.SKIP_FBA_OPEN),
        (told("Shipped", "AFN", SHIPPED_LINES), stored("Unshipped"), False, True, Why.FETCH_NEW),
        # Pending under Do Not Reserve: nothing to do until it is unshipped; under Reserve, a reservation.
        (told("Pending"), None, False, False, Why.SKIP_PENDING),
        (told("Pending"), None, True, True, Why.FETCH_PENDING),
        # An order to import.
        (told("Unshipped"), None, False, True, Why.FETCH_NEW),
        (told("Unshipped"), stored("Pending"), False, True, Why.FETCH_NEW),
        # A cancellation: carried out on a store order or a reservation; of no interest otherwise.
        (told("Canceled"), stored("Unshipped", imported=True), False, True, Why.FETCH_ENDED),
        (told("Canceled"), stored("Pending", reserved=True), True, True, Why.FETCH_ENDED),
        (told("Canceled"), stored("Pending"), False, False, Why.SKIP_NO_INTEREST),
        (told("Canceled"), None, False, False, Why.SKIP_NO_INTEREST),
        # An imported order shipped: the rules act on nothing; S1 records the status.
        (told("Shipped", items=SHIPPED_LINES), stored("Unshipped", imported=True), False, False,
         Why.SKIP_NO_INTEREST),
        # The lines of an imported order changed (a buyer's partial cancellation) with its status.
        (told("PartiallyShipped", items=(Item("SKU-1", 1, 1),)), stored("Unshipped", imported=True), False, True,
         Why.FETCH_CHANGED),
        (told("Unshipped", items=(Item("SKU-1", 1, 0),)), stored("Unshipped", imported=True), False, True,
         Why.FETCH_CHANGED),
        # A status the rules do not know: read it.
        (told("InvoiceUnconfirmed"), None, False, True, Why.FETCH_UNKNOWN),
        # Lines not told: the status alone decides whether the snapshot shows it.
        (told("Unshipped", items=None), stored("Unshipped", imported=True), False, False, Why.SKIP_KNOWN),
    ],
)
def test_s3_a_notification_needs_a_get_order_only_when_the_rules_act_on_it_now(change, known, reserve, fetch,
                                                                                why):
    decision = notified_fetch_needed(change, known, reserve_pending=reserve)
    assert (decision.fetch, decision.why) == (fetch, why)


def test_s2a_the_recheck_cadence_grows_with_age_and_shrinks_without_notifications():
    hour = dt.timedelta(hours=1)
    assert recheck_interval(age=dt.timedelta(0), notified=False) == dt.timedelta(minutes=15)  # today's safety
    assert recheck_interval(age=dt.timedelta(0), notified=True) == hour
    assert recheck_interval(age=8 * hour, notified=True) == 8 * hour
    assert recheck_interval(age=8 * hour, notified=False) == 2 * hour
    assert recheck_interval(age=30 * 24 * hour, notified=True) == 24 * hour
    assert recheck_interval(age=30 * 24 * hour, notified=False) == 6 * hour
    for age in (0, 1, 3, 12, 48):
        assert recheck_interval(age=age * hour, notified=False) <= recheck_interval(age=age * hour, notified=True)


def test_s2a_rechecks_spend_only_what_notifications_leave():
    common = {"burst": 30.0, "done_last_hour": 0, "orders_last_hour": 600, "notified": True}
    assert recheck_allowance(tokens=30.0, pending_fetches=0, **common) == 30 - NOTIFICATION_RESERVE
    assert recheck_allowance(tokens=NOTIFICATION_RESERVE, pending_fetches=0, **common) == 0
    assert recheck_allowance(tokens=-3.0, pending_fetches=0, **common) == 0  # promised ahead
    # The fetches already asked for come first, and the reserve stays for the next ones.
    assert recheck_allowance(tokens=30.0, pending_fetches=5, **common) == 30 - NOTIFICATION_RESERVE - 5
    assert recheck_allowance(tokens=30.0, pending_fetches=25, **common) == 0


def test_s2a_rechecks_stay_within_their_hourly_share():
    common = {"tokens": 30.0, "burst": 30.0, "pending_fetches": 0}
    # 0.3 an order taken in the last hour, with notifications: 180 at 600 an hour.
    assert recheck_allowance(done_last_hour=175, orders_last_hour=600, notified=True, **common) == 5
    assert recheck_allowance(done_last_hour=180, orders_last_hour=600, notified=True, **common) == 0
    # A quiet account still gets its floor; one without notifications a larger one.
    assert recheck_allowance(done_last_hour=9, orders_last_hour=0, notified=True, **common) == 1
    assert recheck_allowance(done_last_hour=100, orders_last_hour=0, notified=False, **common) == 20
