"""S1: the incremental read from the watermark, resumable page by page.

Why nothing is lost or repeated: each order is recorded and evaluated in one
transaction of its own; the page token and the least ``lastUpdatedBefore`` of the
pages read are saved after each page; the watermark moves to that instant only after
the last page, and never from this machine's clock. A cycle stopped anywhere starts
again from what was saved: pages read twice change nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

from saleschannel.channel.models import Account, SyncCursor
from saleschannel.channel.services.sync.base import (
    Cycle,
    take_page,
)
from saleschannel.spapi.errors import (
    InvalidRequest,
)
from saleschannel.spapi.models import SearchPage

log = logging.getLogger("saleschannel.sync")


def cursor_for(account: Account, now: dt.datetime) -> SyncCursor:
    """The account's sync cursor. A new account's sweeps are first due an hour and a day after
    its first cycle: S1 reads from ``integrated_at`` anyway."""
    cursor, _ = SyncCursor.objects.get_or_create(
        account=account, defaults={"hourly_sweep_done_at": now, "daily_sweep_done_at": now}
    )
    return cursor


def _s1_pages(cycle: Cycle) -> Iterator[SearchPage]:
    cursor = cycle.cursor
    if cursor.query_after is None:
        start = cycle.account.integrated_at
        if cursor.watermark is not None:
            start = cursor.watermark - cycle.policy.overlap
        cursor.query_after, cursor.query_next_token, cursor.query_before = start, "", None
        cursor.save(update_fields=["query_after", "query_next_token", "query_before", "updated_at"])
    return cycle.client.search_orders(
        marketplace_ids=[cycle.account.marketplace_id],
        last_updated_after=cursor.query_after,
        pagination_token=cursor.query_next_token or None,
        max_results_per_page=cycle.policy.page_size,
    )


def _least(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _s1_page_done(cycle: Cycle, page: SearchPage) -> None:
    """Save where the query stands; after its last page, move the watermark."""
    cursor = cycle.cursor
    cursor.query_before = _least(cursor.query_before, page.last_updated_before)
    if page.next_token:
        cursor.query_next_token = page.next_token
        cursor.save(update_fields=["query_next_token", "query_before", "updated_at"])
        return
    cycle.step("watermark")
    if cursor.query_before is None:
        log.warning("account %s: searchOrders gave no lastUpdatedBefore; the watermark stays", cycle.account.pk)
    elif cursor.watermark is None or cursor.query_before > cursor.watermark:
        cursor.watermark = cursor.query_before
    cursor.query_after, cursor.query_next_token, cursor.query_before = None, "", None
    cursor.save(update_fields=["watermark", "query_after", "query_next_token", "query_before", "updated_at"])


def incremental_read(cycle: Cycle) -> None:
    old_query = bool(cycle.cursor.query_next_token)  # its first page was read in an earlier cycle
    try:
        for page in _s1_pages(cycle):
            take_page(cycle, page)
            _s1_page_done(cycle, page)
        cycle.s1_finished_old_query = old_query
    except InvalidRequest:
        if not cycle.cursor.query_next_token:
            raise
        # The page token was refused (it may have expired): read the window again from the start.
        log.warning("account %s: page token refused; the query starts again", cycle.account.pk)
        cycle.cursor.query_next_token = ""  # nosec B105  # clearing Amazon's page token, not a password
        cycle.cursor.save(update_fields=["query_next_token", "updated_at"])
        for page in _s1_pages(cycle):
            take_page(cycle, page)
            _s1_page_done(cycle, page)
