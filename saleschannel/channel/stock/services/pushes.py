"""The pusher's results (T11, T13): each push and Amazon's answer, the offers found unchanged.

- ``offer_push_record(*, account, push, method, outcome, ...) -> StockPush``: a push and Amazon's answer.
- ``offers_settle(*, account, settled) -> int``: due offers found unchanged (T5) or left alone (T4.2).
- ``stock_pushes_cleanup(*, now=None, days=90) -> int``: the push records past their 90 days (T13).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from saleschannel.channel.models import Account
from saleschannel.channel.stock.models import Offer, StockPush
from saleschannel.channel.stock.selectors import PlannedPush, Settled

PUSH_RETENTION_DAYS = 90  # T13: "kept 90 days like the sync log"
CLEANUP_BATCH = 1000


def offer_push_record(
    *,
    account: Account,
    push: PlannedPush,
    method: str,
    outcome: str,
    feed_id: str = "",
    submission_id: str = "",
    issues: Iterable[Mapping[str, Any]] = (),
    now: dt.datetime | None = None,
) -> StockPush:
    """Record a push of ``push`` and Amazon's answer (T11, T13); one row per (offer, version, mark).

    ``outcome``: ``pending`` (sent, e.g. inside a feed), ``accepted``, ``invalid`` (or an issue of
    severity ERROR), ``retry`` (429, 5xx, time-out: stays due). Sending the same version again
    adds an attempt to its row rather than a second push.
    """
    if outcome not in StockPush.Outcome.values or method not in StockPush.Method.values:
        raise ValueError(f"outcome {outcome!r} or method {method!r} unknown")
    now = now or timezone.now()
    issue_list = [dict(issue) for issue in issues]
    with transaction.atomic():
        offer = Offer.objects.select_for_update().get(pk=push.offer_id, account=account)
        record = _push_row(account=account, offer=offer, push=push, method=method, now=now)
        record.outcome, record.feed_id, record.submission_id = outcome, feed_id[:100], submission_id[:100]
        record.issues, record.answered_at = issue_list, None if outcome == StockPush.Outcome.PENDING else now
        record.save()
        record.refresh_from_db(fields=["attempts"])
        _offer_follow(offer, push, outcome, issue_list, now)
    return record


def _push_row(*, account: Account, offer: Offer, push: PlannedPush, method: str, now: dt.datetime) -> StockPush:
    """The push's row, created once: the unique (offer, version, mark) is the guard."""
    existing = StockPush.objects.filter(offer=offer, stock_version=push.stock_version,
                                        generation=push.generation).first()
    if existing is not None:
        existing.attempts = F("attempts") + 1
        existing.method, existing.sent_at = method, now
        return existing
    try:
        with transaction.atomic():
            return StockPush.objects.create(
                account=account, offer=offer, sku=offer.sku, reason=push.reason[:255], quantity=push.quantity,
                handling_time=push.handling_time, stock_version=push.stock_version, generation=push.generation,
                method=method, sent_at=now,
            )
    except IntegrityError:  # another sender recorded it meanwhile (the offer row lock makes this rare)
        return StockPush.objects.get(offer=offer, stock_version=push.stock_version, generation=push.generation)


def _offer_follow(offer: Offer, push: PlannedPush, outcome: str, issues: list[dict[str, Any]],
                  now: dt.datetime) -> None:
    """The offer after a push's answer: the version it settles, its state, its error (T11)."""
    if outcome == StockPush.Outcome.RETRY:
        return  # still due: the next cycle sends the newest version
    offer.seen_stock_version = max(offer.seen_stock_version, push.stock_version)
    offer.seen_generation = max(offer.seen_generation, push.generation)
    offer.desired_quantity, offer.last_push_reason = push.quantity, push.reason[:255]
    if offer.due_generation <= offer.seen_generation:
        offer.due_since, offer.due_reason = None, ""
    if outcome == StockPush.Outcome.INVALID:
        first = issues[0] if issues else {}
        offer.state = Offer.State.ERROR
        offer.error_code = str(first.get("code", ""))[:100]
        offer.error_message = str(first.get("message", ""))
        offer.error_attributes = sorted({str(a) for i in issues for a in i.get("attributeNames", []) or []})
    elif outcome == StockPush.Outcome.PENDING:
        offer.state = Offer.State.SENT
    else:
        if offer.last_accepted_version is None or push.stock_version >= offer.last_accepted_version:
            offer.last_accepted_quantity, offer.last_accepted_version = push.quantity, push.stock_version
            offer.last_accepted_at = now
        offer.state = Offer.State.IN_SYNC
        offer.error_code, offer.error_message, offer.error_attributes = "", "", []
    offer.save()


def offers_settle(*, account: Account, settled: Iterable[Settled]) -> int:
    """Record that due offers were looked at and need no push (T5: desired equals what Amazon last
    accepted; T4.2: left alone), so they are not looked at again until something moves."""
    count = 0
    for item in settled:
        with transaction.atomic():
            offer = Offer.objects.select_for_update().filter(pk=item.offer_id, account=account).first()
            if offer is None:
                continue
            offer.seen_stock_version = max(offer.seen_stock_version, item.stock_version)
            offer.seen_generation = max(offer.seen_generation, item.generation)
            offer.desired_quantity = item.desired
            if offer.due_generation <= offer.seen_generation:
                offer.due_since, offer.due_reason = None, ""
            if item.left_alone:
                offer.state = Offer.State.LEFT_ALONE
            elif offer.state != Offer.State.ERROR:
                offer.state = Offer.State.IN_SYNC
            offer.save()
            count += 1
    return count


def stock_pushes_cleanup(*, now: dt.datetime | None = None, days: int = PUSH_RETENTION_DAYS) -> int:
    """Delete the push records sent more than ``days`` ago, a batch per transaction; returns the count.
    The offers keep their last accepted quantity and the reason of their last push."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(StockPush.objects.filter(sent_at__lt=cutoff).order_by("pk")
                         .values_list("pk", flat=True)[:CLEANUP_BATCH])
            if not batch:
                return deleted
            deleted += StockPush.objects.filter(pk__in=batch).delete()[0]

