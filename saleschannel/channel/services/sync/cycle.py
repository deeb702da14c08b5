"""One sync cycle of one account: read Amazon's orders, keep them, import them by the rules.

- ``account_sync_cycle(*, account, client=None, clock=None, now=None, policy=None,
  checkpoint=None, stop=None) -> SyncRun``: one cycle (S1, S2, S3; then R9 and R16),
  logged as a ``SyncRun``; the caller holds the account's lease.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterator

from saleschannel.channel.models import Account, AmazonOrder, OrderFetchRequest, SyncCursor, SyncRun
from saleschannel.channel.services.accounts import account_credentials_state_set
from saleschannel.channel.services.imports.importer import (
    errored_orders_retry,
    waiting_orders_evaluate,
)
from saleschannel.channel.services.notifications import fetch_requests_serve
from saleschannel.channel.services.sync.base import (
    Checkpoint,
    Cycle,
    StopRequested,
    never,
    no_checkpoint,
)
from saleschannel.channel.services.sync.client import account_client
from saleschannel.channel.services.sync.incremental import cursor_for, incremental_read
from saleschannel.channel.services.sync.ratelimit import ratelimit_patience
from saleschannel.channel.services.sync.rechecks import recheck_read
from saleschannel.channel.services.sync.scheduler import SyncPolicy
from saleschannel.channel.services.sync.sweeps import sweep_read
from saleschannel.spapi.client import SpApiClient
from saleschannel.spapi.clock import Clock, SystemClock
from saleschannel.spapi.errors import (
    AuthFailed,
    RateLimitDeadline,
    SpApiError,
)

log = logging.getLogger("saleschannel.sync")


def after_reading(cycle: Cycle) -> None:
    """R9: the account's waiting orders again; R16: errored orders whose retry is due."""
    waiting_orders_evaluate(account=cycle.account, now=cycle.clock.now())
    errored_orders_retry(account=cycle.account, now=cycle.clock.now())


def imported_count(account: Account) -> int:
    return AmazonOrder.objects.filter(account=account, store_order__isnull=False).count()


def finish(cycle: Cycle, *, imported_before: int, outcome: str, error: str = "") -> SyncRun:
    run = cycle.run
    waiting, errors = cycle.left.counts()
    run.waiting += waiting
    run.errors += errors
    run.created = max(0, imported_count(cycle.account) - imported_before)
    stats = cycle.client.stats.snapshot()
    run.api_calls_by_operation = dict(sorted(stats.calls.items()))
    notified = _notification_fetches(cycle)
    run.api_calls_by_purpose = dict(sorted({**cycle.purposes, **({"notification": notified} if notified else {})}.items()))
    run.api_calls = stats.total_calls
    run.throttled = stats.throttled
    run.waited_seconds = round(stats.limiter_wait_seconds, 3)
    run.watermark = SyncCursor.objects.filter(pk=cycle.cursor.pk).values_list("watermark", flat=True).first()
    run.outcome, run.error, run.finished_at = outcome, error[:2000], cycle.clock.now()
    run.save()
    return run


def refused(account: Account, run: SyncRun, clock: Clock) -> SyncRun:
    run.outcome = SyncRun.Outcome.FAILED
    run.error = "Amazon refused the account's credentials: reconnect the account"
    run.finished_at = clock.now()
    run.save()
    return run


def _read_everything(cycle: Cycle, patience: float) -> None:
    """Notifications first (S3), then S1, then what they left: rechecks (S2(a)) and sweeps (S2(b))."""
    with ratelimit_patience(patience):
        fetch_requests_serve(account=cycle.account, client=cycle.client, clock=cycle.clock,
                             limit=cycle.policy.fetch_batch, stop=cycle.stop)
        with _counted(cycle, "incremental"):
            incremental_read(cycle)
        with _counted(cycle, "recheck"):
            recheck_read(cycle)
        with _counted(cycle, "sweep"):
            sweep_read(cycle)


@contextlib.contextmanager
def _counted(cycle: Cycle, purpose: str) -> Iterator[None]:
    """The calls made within the block count for ``purpose`` in the run's log."""
    before = cycle.client.stats.snapshot().total_calls
    try:
        yield
    finally:
        made = cycle.client.stats.snapshot().total_calls - before
        if made:
            cycle.purposes[purpose] = cycle.purposes.get(purpose, 0) + made


def _notification_fetches(cycle: Cycle) -> int:
    """The notifications' getOrders served since the account's previous run ended (by this cycle
    or by a worker between cycles)."""
    since = (SyncRun.objects.filter(account=cycle.account, finished_at__isnull=False)
             .exclude(pk=cycle.run.pk).order_by("-finished_at").values_list("finished_at", flat=True).first())
    done = OrderFetchRequest.objects.filter(account=cycle.account, done_at__isnull=False,
                                            done_at__lte=cycle.clock.now())
    if since is not None:
        done = done.filter(done_at__gt=since)
    return done.count()


def account_sync_cycle(
    *,
    account: Account,
    client: SpApiClient | None = None,
    clock: Clock | None = None,
    now: dt.datetime | None = None,
    policy: SyncPolicy | None = None,
    checkpoint: Checkpoint | None = None,
    stop: Callable[[], bool] | None = None,
) -> SyncRun:
    """One sync cycle of one account, logged as a ``SyncRun``. Takes no lease: the caller holds
    the account's (``saleschannel.workers.leases.account_sync_leased`` takes it, S5).

    Amazon's failures end the cycle with the run marked ``failed`` (``partial`` when it
    paused for the rate limit or a stop); a refused refresh token marks the account as
    needing reconnecting, and then no call is made until it is reconnected. Any other
    exception is logged in the run and raised.
    """
    clock = clock or SystemClock()
    policy = policy or SyncPolicy.from_settings()
    run = SyncRun.objects.create(account=account, started_at=now or clock.now())
    if account.credentials_state == Account.CredentialsState.NEEDS_RECONNECTING:
        return refused(account, run, clock)
    own_client = client is None
    client = client or account_client(account=account, clock=clock)
    client.stats.reset()
    cycle = Cycle(account=account, client=client, clock=clock, policy=policy, run=run,
                  cursor=cursor_for(account, clock.now()), checkpoint=checkpoint or no_checkpoint,
                  stop=stop or never)
    imported_before = imported_count(account)
    try:
        return _run_cycle(cycle, imported_before)
    finally:
        if own_client:
            client.close()


def _run_cycle(cycle: Cycle, imported_before: int) -> SyncRun:
    outcome, error = SyncRun.Outcome.OK, ""
    try:
        try:
            _read_everything(cycle, cycle.policy.token_wait)
        except RateLimitDeadline as exc:
            outcome, error = SyncRun.Outcome.PARTIAL, f"paused for the rate limit: {exc}"
        except StopRequested:
            outcome, error = SyncRun.Outcome.PARTIAL, "stopped on request"
        if not cycle.stop():
            after_reading(cycle)
    except AuthFailed as exc:
        account_credentials_state_set(account=cycle.account, ok=False, error=str(exc), now=cycle.clock.now())
        log.warning("account %s: Amazon refused the credentials; syncing stops until reconnected",
                    cycle.account.pk)
        return finish(cycle, imported_before=imported_before, outcome=SyncRun.Outcome.FAILED,
                       error=f"Amazon refused the account's credentials: reconnect the account ({exc})")
    except SpApiError as exc:
        log.warning("account %s: sync failed: %s", cycle.account.pk, exc)
        return finish(cycle, imported_before=imported_before, outcome=SyncRun.Outcome.FAILED, error=str(exc))
    except BaseException as exc:
        _finish_quietly(cycle, imported_before, f"{type(exc).__name__}: {exc}")
        raise
    return finish(cycle, imported_before=imported_before, outcome=outcome, error=error)


def _finish_quietly(cycle: Cycle, imported_before: int, error: str) -> None:
    try:
        finish(cycle, imported_before=imported_before, outcome=SyncRun.Outcome.FAILED, error=error)
    except Exception:  # the database may be what failed; the original error matters more
        log.warning("account %s: the sync log could not be written", cycle.account.pk, exc_info=True)
