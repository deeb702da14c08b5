"""Many at once by feed (T9) against the sandbox on a fake clock: one feed in flight per account,
zeros still patched at once, offers whose version rose pushed again when it ends, FATAL and
CANCELLED give their offers back, a stuck feed is shown and loses nothing, a feed never created
gives its offers back, and a report naming messages the feed never had changes nothing."""

from __future__ import annotations

import pytest

from saleschannel.channel.stock.models import Offer, StockFeed, StockPush
from saleschannel.channel.stock.services import feeds as feeds_service
from saleschannel.commerce.inventory.services import source_item_set
from saleschannel.spapi.errors import Transient
from saleschannel.spapi.sandbox import DEFAULT_SKUS
from tests.stock import test_push as helpers

pytestmark = pytest.mark.django_db
clock, sandbox, sync_account, account, wire = (helpers.clock, helpers.sandbox, helpers.sync_account,
                                               helpers.account, helpers.wire)
on_amazon, list_on_amazon = helpers.on_amazon, helpers.list_on_amazon
MUG, CAP = helpers.MUG, helpers.CAP
FEED_DELAY = 60  # the sandbox's default


def cycle(account, wire, clock, feed_above=3):
    """A push cycle where three due offers stand for T9's 1,500: more go by feed."""
    return helpers.cycle(account, wire, clock, feed_above=feed_above)


@pytest.fixture
def listed(sandbox):
    list_on_amazon(sandbox, dict.fromkeys(DEFAULT_SKUS, 50))
    source_item_set(source=None, sku=CAP, quantity=0)


def test_t9_a_backlog_goes_by_feed_and_zeros_still_by_patch(account, sandbox, wire, clock, listed):
    done = cycle(account, wire, clock)
    assert done.feeds == 1 and wire.patches == [(CAP, 0)]  # T6, T9: the zero at once
    feed = StockFeed.objects.get()
    assert feed.in_flight and len(feed.skus) == len(DEFAULT_SKUS) - 1 and feed.reason == "backlog"
    assert {p.outcome for p in StockPush.objects.filter(method="feed")} == {"pending"}
    assert on_amazon(sandbox, MUG) == 50
    clock.advance(FEED_DELAY + 1)
    done = cycle(account, wire, clock)
    assert done.feeds == 0 and not StockFeed.objects.get().in_flight
    assert StockFeed.objects.get().accepted == len(DEFAULT_SKUS) - 1
    assert {sku: on_amazon(sandbox, sku) for sku in DEFAULT_SKUS} == {
        sku: 0 if sku == CAP else 1000 for sku in DEFAULT_SKUS}
    assert {p.outcome for p in StockPush.objects.all()} == {"accepted"}


def test_t9_one_feed_in_flight_and_a_version_that_rose_meanwhile_goes_when_it_ends(account, sandbox, wire, clock,
                                                                                    listed):
    cycle(account, wire, clock)
    source_item_set(source=None, sku=MUG, quantity=7)  # after the feed was built
    for sku in DEFAULT_SKUS[:2]:
        if sku != MUG:
            source_item_set(source=None, sku=sku, quantity=500)
    wire.patches.clear()
    cycle(account, wire, clock)
    assert StockFeed.objects.count() == 1 and wire.patches == []  # its offers wait for it
    clock.advance(FEED_DELAY + 1)
    cycle(account, wire, clock)
    assert on_amazon(sandbox, MUG) == 7  # never the feed's older 1000 after it
    offer = Offer.objects.get(sku=MUG)
    assert offer.last_accepted_quantity == 7 and offer.state == "in_sync"
    assert StockPush.objects.filter(offer=offer, quantity=1000, outcome="accepted").count() == 1


@pytest.mark.parametrize("status", ["FATAL", "CANCELLED"])
def test_t9_a_fatal_or_cancelled_feed_makes_its_offers_due_again(account, sandbox, wire, clock, listed, status):
    cycle(account, wire, clock)
    wire.feed_status = status
    clock.advance(FEED_DELAY + 1)
    cycle(account, wire, clock)
    feed = StockFeed.objects.order_by("pk").first()
    assert feed.status == status and not feed.in_flight
    assert {p.outcome for p in StockPush.objects.filter(feed_id=feed.feed_id)} == {"retry"}
    wire.feed_status = None
    cycle(account, wire, clock, feed_above=1500)  # due again: sent (by patch, below the threshold now)
    assert {sku: on_amazon(sandbox, sku) for sku in DEFAULT_SKUS} == {
        sku: 0 if sku == CAP else 1000 for sku in DEFAULT_SKUS}


def test_t9_a_feed_stuck_in_progress_is_shown_and_loses_nothing(account, sandbox, wire, clock, listed):
    cycle(account, wire, clock)
    wire.feed_status = "IN_PROGRESS"
    clock.advance(3 * 3600)
    source_item_set(source=None, sku=MUG, quantity=0)
    wire.patches.clear()
    done = cycle(account, wire, clock)
    feed = StockFeed.objects.get()
    assert feed.in_flight and feeds_service.stuck(feed, clock.now()) and done.feeds == 0
    assert wire.patches == [(MUG, 0)]  # zeros still go at once
    assert StockPush.objects.filter(method="feed", outcome="pending").count() == len(DEFAULT_SKUS) - 1
    wire.feed_status = None
    clock.advance(10)  # getFeed is asked at most every 10 seconds
    cycle(account, wire, clock)
    assert not StockFeed.objects.get().in_flight
    assert on_amazon(sandbox, MUG) == 0 and on_amazon(sandbox, DEFAULT_SKUS[-1]) == 1000
    assert Offer.objects.get(sku=MUG).last_accepted_quantity == 0  # the feed's older 1000 is not taken


def test_t9_a_feed_whose_sending_failed_gives_its_offers_back(account, sandbox, wire, clock, listed):
    wire.fail_paths["feeds"] = 100  # createFeed fails past the client's retries
    with pytest.raises(Transient):
        cycle(account, wire, clock)
    assert StockFeed.objects.get().feed_id == ""
    wire.fail_paths.clear()
    cycle(account, wire, clock, feed_above=1500)
    feed = StockFeed.objects.get()
    assert feed.status == "CANCELLED" and not feed.in_flight
    assert {sku: on_amazon(sandbox, sku) for sku in DEFAULT_SKUS} == {
        sku: 0 if sku == CAP else 1000 for sku in DEFAULT_SKUS}


def test_t9_a_report_naming_unknown_messages_changes_nothing_else(account, sandbox, wire, clock, listed):
    cycle(account, wire, clock)
    feed = StockFeed.objects.get()
    first = feed.skus[0]
    report = {
        "header": {"sellerId": account.seller_id, "version": "2.0", "feedId": feed.feed_id},
        "issues": [
            {"messageId": 1, "code": "90220", "severity": "ERROR", "message": "quantity refused",
             "attributeName": "fulfillment_availability"},
            {"messageId": 999, "code": "4000", "severity": "ERROR", "message": "no such message"},
        ],
        "summary": {"errors": 2, "warnings": 0, "messagesProcessed": len(feed.skus), "messagesAccepted":
                    len(feed.skus) - 1, "messagesInvalid": 1},
    }
    wire.report = report
    clock.advance(FEED_DELAY + 1)
    cycle(account, wire, clock)
    feed.refresh_from_db()
    assert (feed.accepted, feed.refused) == (len(feed.skus) - 1, 1)
    offer = Offer.objects.get(sku=first)
    assert (offer.state, offer.error_code, offer.error_attributes) == ("error", "90220", ["fulfillment_availability"])
    assert StockPush.objects.filter(outcome="accepted", method="feed").count() == len(feed.skus) - 1


def test_t9_t12_the_daily_reconciliation_reads_amazon_and_sends_what_drifted_by_feed(account, sandbox, wire, clock):
    list_on_amazon(sandbox, dict.fromkeys(DEFAULT_SKUS, 50))
    cycle(account, wire, clock, feed_above=1500)  # the first read: by patch, in sync within the cycle
    assert StockFeed.objects.count() == 0 and on_amazon(sandbox, MUG) == 1000
    sandbox.type_quantity(helpers.US, MUG, "DEFAULT", 3)  # typed into Seller Central
    clock.advance(24 * 3600 + 1)
    done = cycle(account, wire, clock, feed_above=1500)
    feed = StockFeed.objects.get()
    assert done.feeds == 1 and feed.reason == "daily reconciliation" and feed.skus == [MUG]
    clock.advance(FEED_DELAY + 1)
    cycle(account, wire, clock, feed_above=1500)
    assert on_amazon(sandbox, MUG) == 1000 and Offer.objects.get(sku=MUG).last_push_reason in (
        "drift", "daily reconciliation")
