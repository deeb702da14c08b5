"""S2(b): the reconciliation sweeps over the last day or week, capped and resumable.
"""

from __future__ import annotations

import datetime as dt
import logging

from saleschannel.channel.services.sync.base import (
    Cycle,
    take_page,
)
from saleschannel.channel.services.sync.scheduler import sweep_window
from saleschannel.spapi.errors import (
    InvalidRequest,
    RateLimitDeadline,
)
from saleschannel.spapi.models import SearchPage

log = logging.getLogger("saleschannel.sync")


def _sweep_start(cycle: Cycle, now: dt.datetime) -> bool:
    cursor = cycle.cursor
    if cursor.sweep_kind:
        return True
    due = sweep_window(now=now, hourly_done_at=cursor.hourly_sweep_done_at,
                       daily_done_at=cursor.daily_sweep_done_at, policy=cycle.policy)
    if due is None:
        return False
    kind, window = due
    cursor.sweep_kind, cursor.sweep_after, cursor.sweep_next_token = kind, max(now - window,
                                                                                 cycle.account.integrated_at), ""
    cursor.save(update_fields=["sweep_kind", "sweep_after", "sweep_next_token", "updated_at"])
    return True


def _sweep_page_done(cycle: Cycle, page: SearchPage, now: dt.datetime) -> None:
    cursor = cycle.cursor
    if page.next_token:
        cursor.sweep_next_token = page.next_token
        cursor.save(update_fields=["sweep_next_token", "updated_at"])
        return
    if cursor.sweep_kind == "daily":
        cursor.daily_sweep_done_at = now
    cursor.hourly_sweep_done_at = now  # a week's sweep covers the last day too
    cursor.sweep_kind, cursor.sweep_after, cursor.sweep_next_token = "", None, ""
    cursor.save(update_fields=["sweep_kind", "sweep_after", "sweep_next_token", "daily_sweep_done_at",
                               "hourly_sweep_done_at", "updated_at"])


def sweep_read(cycle: Cycle) -> None:
    """A capped, resumable sweep over the last day or week, on what S1 left of the budget."""
    now = cycle.clock.now()
    if not _sweep_start(cycle, now):
        return
    pages = cycle.client.search_orders(
        marketplace_ids=[cycle.account.marketplace_id],
        last_updated_after=cycle.cursor.sweep_after,
        pagination_token=cycle.cursor.sweep_next_token or None,
        max_results_per_page=cycle.policy.page_size,
        deadline=cycle.clock.monotonic(),  # only a token that is there now: S1 comes first
    )
    try:
        for count, page in enumerate(pages, start=1):
            take_page(cycle, page)
            _sweep_page_done(cycle, page, now)
            if count >= cycle.policy.sweep_page_cap:
                return
    except InvalidRequest:
        if not cycle.cursor.sweep_next_token:
            raise
        cycle.cursor.sweep_kind = ""  # a refused token: the sweep starts over next time
        cycle.cursor.save(update_fields=["sweep_kind", "updated_at"])
    except RateLimitDeadline:
        return  # the sweep goes on in a later cycle, from its saved page
