"""Backfill: every order updated since a date, waiting for tokens as needed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from saleschannel.channel.models import Account, SyncRun
from saleschannel.channel.services.accounts import account_credentials_state_set
from saleschannel.channel.services.sync.base import (
    Cycle,
    StopRequested,
    never,
    no_checkpoint,
    take_page,
)
from saleschannel.channel.services.sync.client import account_client
from saleschannel.channel.services.sync.cycle import after_reading, finish, imported_count, refused
from saleschannel.channel.services.sync.incremental import cursor_for
from saleschannel.channel.services.sync.scheduler import SyncPolicy
from saleschannel.spapi.client import SpApiClient
from saleschannel.spapi.clock import Clock, SystemClock
from saleschannel.spapi.errors import (
    AuthFailed,
    SpApiError,
)
from saleschannel.spapi.models import SearchPage


def account_backfill(
    *,
    account: Account,
    since: dt.datetime,
    client: SpApiClient | None = None,
    clock: Clock | None = None,
    progress: Callable[[SyncRun, SearchPage], None] | None = None,
    stop: Callable[[], bool] | None = None,
    policy: SyncPolicy | None = None,
) -> SyncRun:
    """Read every order updated since ``since``, waiting for tokens as long as it takes.

    The watermark is not moved: the backfill reads an older window than S1 does.
    """
    clock = clock or SystemClock()
    run = SyncRun.objects.create(account=account, kind=SyncRun.Kind.BACKFILL, started_at=clock.now())
    if account.credentials_state == Account.CredentialsState.NEEDS_RECONNECTING:
        return refused(account, run, clock)
    own_client = client is None
    client = client or account_client(account=account, clock=clock)
    client.stats.reset()
    cycle = Cycle(account=account, client=client, clock=clock, policy=policy or SyncPolicy.from_settings(), run=run,
                  cursor=cursor_for(account, clock.now()), checkpoint=no_checkpoint, stop=stop or never)
    imported_before = imported_count(account)
    try:
        return _run_backfill(cycle, since, imported_before, progress)
    finally:
        if own_client:
            client.close()


def _run_backfill(cycle: Cycle, since: dt.datetime, imported_before: int,
                  progress: Callable[[SyncRun, SearchPage], None] | None) -> SyncRun:
    try:
        pages = cycle.client.search_orders(marketplace_ids=[cycle.account.marketplace_id],
                                           last_updated_after=since, max_results_per_page=cycle.policy.page_size)
        for page in pages:
            take_page(cycle, page)
            if progress is not None:
                progress(cycle.run, page)
        after_reading(cycle)
    except StopRequested:
        return finish(cycle, imported_before=imported_before, outcome=SyncRun.Outcome.PARTIAL,
                       error="stopped on request")
    except AuthFailed as exc:
        account_credentials_state_set(account=cycle.account, ok=False, error=str(exc), now=cycle.clock.now())
        return finish(cycle, imported_before=imported_before, outcome=SyncRun.Outcome.FAILED,
                       error=f"Amazon refused the account's credentials: reconnect the account ({exc})")
    except SpApiError as exc:
        return finish(cycle, imported_before=imported_before, outcome=SyncRun.Outcome.FAILED, error=str(exc))
    return finish(cycle, imported_before=imported_before, outcome=SyncRun.Outcome.OK)
