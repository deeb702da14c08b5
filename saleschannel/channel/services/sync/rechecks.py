"""S2(a): re-reading known open orders with getOrder, oldest check first.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import F, Q

from saleschannel.channel.models import Account, AmazonOrder, OrderRecheck
from saleschannel.channel.services.sync.base import (
    FINAL_STATUSES,
    Cycle,
    order_take,
)
from saleschannel.channel.services.sync.scheduler import SyncPolicy
from saleschannel.spapi.errors import (
    AuthFailed,
    NotFound,
    RateLimitDeadline,
    SpApiError,
    UnreadableOrderError,
)
from saleschannel.spapi.models import Order, UnreadableOrder

log = logging.getLogger("saleschannel.sync")


def open_orders_to_recheck(*, account: Account, now: dt.datetime, policy: SyncPolicy) -> list[AmazonOrder]:
    """Known open orders (waiting, or imported and not final), oldest check first."""
    stale = now - policy.recheck_every
    return list(
        AmazonOrder.objects.filter(account=account, last_seen_at__lt=stale)
        .filter(Q(import_state=AmazonOrder.ImportState.WAITING) | Q(import_state=AmazonOrder.ImportState.IMPORTED))
        .exclude(status__in=FINAL_STATUSES)
        .filter(Q(recheck__isnull=True) | Q(recheck__checked_at__lt=stale))
        .order_by(F("recheck__checked_at").asc(nulls_first=True), "last_seen_at", "pk")
        .only("pk", "amazon_order_id")[: policy.recheck_limit]
    )


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
    for stale in open_orders_to_recheck(account=cycle.account, now=now, policy=cycle.policy):
        cycle.between_orders()
        try:
            order: Order | UnreadableOrder = cycle.client.get_order(
                stale.amazon_order_id, deadline=cycle.clock.monotonic()
            )
        except RateLimitDeadline:
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
