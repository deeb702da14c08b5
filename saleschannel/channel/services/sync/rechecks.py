"""S2(a): re-reading known open orders with getOrder, on what the notifications leave.

An open order is re-read only when neither S1 nor a notification has brought news of it
for longer than its cadence, which grows with its age (``budget.recheck_interval``); and
only as many as the getOrder bucket holds beyond the notifications' reserve, within an
hourly share (``budget.recheck_allowance``). Each run logs how many due rechecks it left
(``SyncRun.rechecks_deferred``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db.models import Q

from saleschannel.channel import rules
from saleschannel.channel.models import (
    Account,
    AmazonOrder,
    OrderFetchRequest,
    OrderRecheck,
    SyncCursor,
    SyncRun,
)
from saleschannel.channel.services.sync.base import (
    FINAL_STATUSES,
    Cycle,
    order_take,
)
from saleschannel.channel.services.sync.budget import recheck_allowance, recheck_interval
from saleschannel.channel.services.sync.ratelimit import DatabaseRateLimiter
from saleschannel.channel.services.sync.scheduler import SyncPolicy
from saleschannel.spapi.clock import Clock
from saleschannel.spapi.errors import (
    AuthFailed,
    NotFound,
    RateLimitDeadline,
    SpApiError,
    UnreadableOrderError,
)
from saleschannel.spapi.models import Order, UnreadableOrder

log = logging.getLogger("saleschannel.sync")
#: R9: an order waiting for stock becomes importable when stock comes, not when Amazon speaks.
OUT_OF_STOCK = rules.Reason.OUT_OF_STOCK.value
#: An account whose last notification is older than this gets the rechecks of one without.
NOTIFIED_WITHIN = dt.timedelta(hours=1)


@dataclass(frozen=True)
class RecheckPlan:
    """The open orders due a recheck now, most overdue first, and how many of them the budget allows."""

    due: list[AmazonOrder]
    allowed: int

    @property
    def deferred(self) -> int:
        return max(0, len(self.due) - self.allowed)


def account_notified(*, account: Account, now: dt.datetime) -> bool:
    """Notifications are coming for the account: one was taken within the last hour."""
    heard = SyncCursor.objects.filter(account=account).values_list("notified_at", flat=True).first()
    return heard is not None and now - heard <= NOTIFIED_WITHIN


def open_orders_to_recheck(*, account: Account, now: dt.datetime, policy: SyncPolicy,
                           notified: bool | None = None) -> list[AmazonOrder]:
    """Known open orders with no news for longer than their cadence (``budget.recheck_interval``),
    most overdue first. Orders waiting for stock are left out: R9 wakes them, not Amazon."""
    if notified is None:
        notified = account_notified(account=account, now=now)
    shortest = recheck_interval(age=dt.timedelta(0), notified=notified)
    stale = now - shortest
    rows = (
        AmazonOrder.objects.filter(account=account, last_seen_at__lt=stale)
        .filter(Q(import_state=AmazonOrder.ImportState.WAITING) | Q(import_state=AmazonOrder.ImportState.IMPORTED))
        .exclude(status__in=FINAL_STATUSES)
        .exclude(import_state=AmazonOrder.ImportState.WAITING, reason_code=OUT_OF_STOCK)
        .filter(Q(recheck__isnull=True) | Q(recheck__checked_at__lt=stale))
        .values_list("pk", "amazon_order_id", "first_seen_at", "purchase_date", "last_seen_at", "recheck__checked_at")
    )
    due: list[tuple[dt.datetime, int, str]] = []
    for pk, order_id, first_seen, purchased, seen, checked in rows.iterator():
        news = max(seen, checked) if checked is not None else seen
        at = news + recheck_interval(age=now - (purchased or first_seen), notified=notified)
        if at <= now:
            due.append((at, pk, order_id))
    due.sort()
    return [AmazonOrder(pk=pk, amazon_order_id=order_id) for _, pk, order_id in due]


def recheck_plan(*, account: Account, now: dt.datetime, policy: SyncPolicy, clock: Clock) -> RecheckPlan:
    """What S2(a) may spend this cycle: what the getOrder bucket holds beyond the notifications'
    reserve, within the hourly share (``budget.recheck_allowance``)."""
    notified = account_notified(account=account, now=now)
    due = open_orders_to_recheck(account=account, now=now, policy=policy, notified=notified)
    if not due:
        return RecheckPlan([], 0)
    tokens, plan = DatabaseRateLimiter(clock=clock).available(account.seller_id, "getOrder")
    hour_ago = now - dt.timedelta(hours=1)
    done = sum(int((purposes or {}).get("recheck", 0)) for purposes in SyncRun.objects.filter(
        account=account, started_at__gte=hour_ago).values_list("api_calls_by_purpose", flat=True))
    allowed = recheck_allowance(
        tokens=tokens, burst=float(plan.burst),
        pending_fetches=OrderFetchRequest.objects.filter(account=account, done_at__isnull=True).count(),
        done_last_hour=done,
        orders_last_hour=AmazonOrder.objects.filter(account=account, first_seen_at__gte=hour_ago).count(),
        notified=notified,
    )
    return RecheckPlan(due, min(allowed, policy.recheck_limit))


def _recheck_mark(amazon_order: AmazonOrder, now: dt.datetime) -> None:
    OrderRecheck.objects.update_or_create(amazon_order=amazon_order, defaults={"checked_at": now})


def recheck_read(cycle: Cycle) -> None:
    """S2(a): ``getOrder`` of the known open orders oldest checked first, after a fresh S1 only.

    When S1 has just finished a query begun in an earlier cycle (a backlog read over many
    cycles, one page per token), what it read is as old as that query's first page, and
    the next cycle's query reads every change Amazon's index has shown since, at one call
    per 100 orders; a ``getOrder`` of each open order now would read the same changes at
    one call per order. The rechecks wait for that query, then re-read only the orders it
    did not bring anew. (A cycle short of ``searchOrders`` tokens ends before this step.)
    """
    if cycle.s1_finished_old_query:
        return
    now = cycle.clock.now()
    plan = recheck_plan(account=cycle.account, now=now, policy=cycle.policy, clock=cycle.clock)
    cycle.run.rechecks_deferred = plan.deferred
    for position, stale in enumerate(plan.due[: plan.allowed]):
        cycle.between_orders()
        try:
            order: Order | UnreadableOrder = cycle.client.get_order(
                stale.amazon_order_id, deadline=cycle.clock.monotonic()
            )
        except RateLimitDeadline:
            cycle.run.rechecks_deferred = len(plan.due) - position
            return  # getOrder's budget is spent for now; the rest wait for the next cycle
        except UnreadableOrderError as exc:
            order = exc.unreadable
        except NotFound:
            _recheck_mark(stale, now)
            continue
        except AuthFailed:
            raise
        except SpApiError as exc:
            # One order Amazon fails on must not block the others' rechecks nor the sweep.
            log.warning("account %s: recheck failed: %s", cycle.account.pk, exc)
            _recheck_mark(stale, now)
            return
        taken = order_take(account=cycle.account, order=order, seen_at=cycle.clock.now(),
                           checkpoint=cycle.checkpoint)
        cycle.left.note([taken.pk])
        _recheck_mark(stale, now)
