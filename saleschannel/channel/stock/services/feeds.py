"""Many quantities at once by ``JSON_LISTINGS_FEED`` (T9), at most one feed in flight per account.

- ``stock_feed_open(*, account) -> StockFeed | None``: the account's feed in flight.
- ``stock_feed_send(*, account, client, pushes, reason, marketplace_id, seller_id, clock) -> StockFeed``:
  the feed's row and each message's push (``pending``) recorded in one transaction, then
  ``createFeedDocument``, the upload and ``createFeed``.
- ``stock_feed_check(*, account, client, clock) -> StockFeed | None``: ``getFeed``; when it ended,
  its processing report answers each push (T11). ``FATAL``/``CANCELLED`` make all its offers due
  again; every offer whose version rose after the feed was built is due anyway (its newer version
  is past the one the feed carried) and goes by the next cycle.

A push is never lost: the pushes are recorded before the feed is sent, and a feed whose row has
no Amazon id by the next cycle (the process died between the two) gives its offers back as due.
A feed stuck ``IN_PROGRESS`` stays in flight (Amazon may still apply it; a newer push sent beside
it could be overwritten by its older quantity) and is shown as stuck (``stuck``).
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from django.db import transaction

from saleschannel.channel.models import Account
from saleschannel.channel.stock.models import StockFeed, StockPush
from saleschannel.channel.stock.rules import Direction
from saleschannel.channel.stock.selectors import PlannedPush
from saleschannel.channel.stock.services.offers import offers_mark_due
from saleschannel.channel.stock.services.pushes import offer_push_record
from saleschannel.spapi.client import SpApiClient
from saleschannel.spapi.clock import Clock
from saleschannel.spapi.feeds import QuantityUpdate, write_quantity_feed

log = logging.getLogger("saleschannel.push")
FEED_POLL = dt.timedelta(seconds=10)
STUCK_AFTER = dt.timedelta(hours=2)  # [D] "for hours": shown as stuck from two hours on
PATCH_MINUTES = 5  # T9: more than five minutes of the patch budget go by feed
DEFAULT_FEED_ABOVE = 1500  # T9: at the default plan (5 a second)
RECONCILIATION = "daily reconciliation"
BACKLOG = "backlog"


def feed_threshold(rate: float) -> int:
    """T9: how many due offers five minutes of the patch budget can send."""
    return max(1, int(rate * 60 * PATCH_MINUTES)) if rate > 0 else DEFAULT_FEED_ABOVE


def stock_feed_open(*, account: Account) -> StockFeed | None:
    return StockFeed.objects.filter(account=account, finished_at__isnull=True).first()


def stuck(feed: StockFeed, now: dt.datetime) -> bool:
    """A feed in flight for longer than Amazon takes: shown, never given up (see the module)."""
    return feed.in_flight and now - feed.built_at > STUCK_AFTER


def stock_feed_send(
    *,
    account: Account,
    client: SpApiClient,
    pushes: list[PlannedPush],
    reason: str,
    clock: Clock,
) -> StockFeed:
    """Record, then send, one feed of ``pushes`` (at most 25,000, T9)."""
    now = clock.now()
    with transaction.atomic():
        feed = StockFeed.objects.create(account=account, reason=reason, skus=[p.sku for p in pushes], built_at=now)
        for push in pushes:
            offer_push_record(account=account, push=push, method=StockPush.Method.FEED,
                              outcome=StockPush.Outcome.PENDING, feed_id=_row_ref(feed), now=now)
    document = io.BytesIO()
    write_quantity_feed(document, seller_id=account.seller_id, updates=[
        QuantityUpdate(p.sku, p.product_type, p.quantity, p.handling_time) for p in pushes])
    document.seek(0)
    feed_id = client.send_feed(document, marketplace_id=account.marketplace_id)
    with transaction.atomic():
        StockPush.objects.filter(account=account, feed_id=_row_ref(feed)).update(feed_id=feed_id[:100])
        feed.feed_id, feed.status = feed_id[:100], StockFeed.Status.IN_QUEUE
        feed.save(update_fields=["feed_id", "status"])
    log.info("account %s: feed %s of %s quantities sent (%s)", account.pk, feed_id, len(pushes), reason)
    return feed


def _row_ref(feed: StockFeed) -> str:
    """The pushes' ``feed_id`` before Amazon names the feed: this row's own number."""
    return f"row:{feed.pk}"


def _planned(row: StockPush) -> PlannedPush:
    return PlannedPush(offer_id=row.offer_id, sku=row.sku, product_type="", quantity=row.quantity,
                       handling_time=row.handling_time, stock_version=row.stock_version, generation=row.generation,
                       reason=row.reason, direction=Direction.INCREASE, due_since=row.sent_at)


def _given_back(account: Account, feed: StockFeed, status: str, now: dt.datetime) -> None:
    """The feed did nothing (FATAL, CANCELLED, never created): its pushes are to be sent again."""
    ref = feed.feed_id or _row_ref(feed)
    with transaction.atomic():
        rows = list(StockPush.objects.filter(account=account, feed_id=ref, outcome=StockPush.Outcome.PENDING))
        for row in rows:
            offer_push_record(account=account, push=_planned(row), method=StockPush.Method.FEED,
                              outcome=StockPush.Outcome.RETRY, feed_id=ref, now=now)
        offers_mark_due(account=account, reason=f"feed {feed.feed_id or feed.pk} ended {status}",
                        skus=[row.sku for row in rows], now=now)
        feed.status, feed.finished_at, feed.checked_at = status, now, now
        feed.save(update_fields=["status", "finished_at", "checked_at"])


def stock_feed_check(*, account: Account, client: SpApiClient, clock: Clock) -> StockFeed | None:
    """Look at the feed in flight (see the module); returns it, finished or not, or None."""
    feed = stock_feed_open(account=account)
    if feed is None:
        return None
    now = clock.now()
    if not feed.feed_id:
        _given_back(account, feed, StockFeed.Status.CANCELLED, now)  # never reached Amazon, or not known to
        return feed
    if feed.checked_at is not None and now - feed.checked_at < FEED_POLL:
        return feed  # [D] getFeed every 10 seconds at most: a feed takes minutes
    answer = client.get_feed(feed.feed_id)
    if not answer.finished:
        feed.status, feed.checked_at = answer.processing_status, now
        feed.save(update_fields=["status", "checked_at"])
        return feed
    if answer.processing_status != StockFeed.Status.DONE:
        _given_back(account, feed, answer.processing_status, now)
        return feed
    report = client.processing_report(answer)
    message_of = {sku: number for number, sku in enumerate(feed.skus, start=1)}
    with transaction.atomic():
        rows = list(StockPush.objects.filter(account=account, feed_id=feed.feed_id,
                                             outcome=StockPush.Outcome.PENDING))
        for row in rows:
            number = message_of.get(row.sku)
            if number is None:
                continue  # not in this feed's messages: cannot happen, left pending rather than guessed
            issues = [{"code": i.code or "", "message": i.message, "severity": i.severity,
                       "attributeNames": [i.attribute_name] if i.attribute_name else []}
                      for i in report.issues_of(number)]
            ok = report.accepted(number)
            offer_push_record(account=account, push=_planned(row), method=StockPush.Method.FEED,
                              outcome=StockPush.Outcome.ACCEPTED if ok else StockPush.Outcome.INVALID,
                              feed_id=feed.feed_id, issues=issues if not ok else [], now=now)
            feed.accepted += int(ok)
            feed.refused += int(not ok)
        feed.status, feed.finished_at, feed.checked_at = StockFeed.Status.DONE, now, now
        feed.save(update_fields=["status", "finished_at", "checked_at", "accepted", "refused"])
    return feed
