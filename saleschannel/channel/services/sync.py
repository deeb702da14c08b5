"""One sync cycle of one account: read Amazon's orders, keep them, import them by the rules.

- ``account_sync(*, account, client=None, clock=None, now=None, policy=None, checkpoint=None,
  stop=None, lease_holder=None) -> SyncRun``: one cycle under the account's lease (S1, S2,
  S3; then R9 and R16), logged as a ``SyncRun``.
- ``account_backfill(*, account, since, client=None, clock=None, progress=None, stop=None,
  policy=None) -> SyncRun``: every order updated since a date, waiting for tokens as needed.
- ``order_take(*, account, order, seen_at, checkpoint=...) -> AmazonOrder``: record one
  snapshot and evaluate it, in one transaction (also used for notification fetches).
- ``open_orders_to_recheck(*, account, now, policy) -> list[AmazonOrder]`` (S2 a).
- ``account_client(*, account, clock, limiter=None, transport=None) -> SpApiClient``: the
  seller's client on the rate-limit buckets shared through the database (S5).

Why nothing is lost or repeated (S1): each order is recorded and evaluated in one
transaction of its own; the page token and the least ``lastUpdatedBefore`` of the
pages read are saved after each page; the watermark moves to that instant only after
the last page, and never from this machine's clock. A cycle stopped anywhere (a crash,
the rate limit, a stop signal) starts again from what was saved: pages read twice
change nothing, because an upsert of the same snapshot is a no-op.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, Q

from saleschannel.channel.models import Account, AmazonOrder, OrderRecheck, SyncCursor, SyncRun
from saleschannel.channel.services.accounts import account_credentials_state_set, application_credentials
from saleschannel.channel.services.importer import (
    amazon_order_evaluate,
    errored_orders_retry,
    waiting_orders_evaluate,
)
from saleschannel.channel.services.recording import amazon_order_record
from saleschannel.commerce.memo import reads_remembered, settings_remembered
from saleschannel.spapi.auth import LWA_TOKEN_URL, Credentials
from saleschannel.spapi.client import SpApiClient
from saleschannel.spapi.clock import Clock, SystemClock
from saleschannel.spapi.errors import (
    AuthFailed,
    InvalidRequest,
    NotFound,
    RateLimitDeadline,
    SpApiError,
    UnreadableOrderError,
)
from saleschannel.spapi.models import Order, SearchPage, UnreadableOrder
from saleschannel.spapi.ratelimit import RateLimiter
from saleschannel.workers.scheduler import SyncPolicy, sweep_window

log = logging.getLogger("saleschannel.sync")

#: Statuses after which Amazon changes nothing the channel acts on.
FINAL_STATUSES = ("Shipped", "Canceled", "Unfulfillable")
#: The import states a sync log counts (``SyncRun.waiting``, ``SyncRun.errors``).
PROBLEM_STATES = (AmazonOrder.ImportState.WAITING, AmazonOrder.ImportState.ERROR)
Checkpoint = Callable[[str], None]


class StopRequested(Exception):
    """The worker was asked to stop; raised between orders only."""


@dataclass
class LeftWaiting:
    """The orders a run has read and left waiting or in error: what its log counts at the end.

    Only those can still be waiting or in error when the run ends (nothing in a run turns an
    order it left imported or not importable back into either, short of reading it again),
    so the run follows their keys, not those of every order it read: a backfill of 100,000
    orders that all import keeps none. It follows at most ``limit`` of them (about 1 MB);
    any further one is counted in the state the run left it in, and not followed.
    """

    limit: int = 10_000
    pks: set[int] = field(default_factory=set)
    beyond_limit: Counter[str] = field(default_factory=Counter)

    def note(self, pks: Iterable[int]) -> None:
        """The run has just taken these orders: follow those it left waiting or in error."""
        for pk, state in _import_states(pks):
            if state not in PROBLEM_STATES:
                self.pks.discard(pk)
            elif pk in self.pks or len(self.pks) < self.limit:
                self.pks.add(pk)
            else:
                self.beyond_limit[state] += 1

    def counts(self) -> tuple[int, int]:
        """(waiting, errors) among them now."""
        states = Counter(self.beyond_limit)
        states.update(state for _pk, state in _import_states(sorted(self.pks)))
        return states[AmazonOrder.ImportState.WAITING], states[AmazonOrder.ImportState.ERROR]


def _import_states(pks: Iterable[int]) -> Iterator[tuple[int, str]]:
    """(pk, import state) of these Amazon orders, read in batches."""
    for batch in _chunks(pks):
        yield from AmazonOrder.objects.filter(pk__in=batch).values_list("pk", "import_state")


@dataclass
class Cycle:
    """What one cycle carries from step to step."""

    account: Account
    client: SpApiClient
    clock: Clock
    policy: SyncPolicy
    run: SyncRun
    cursor: SyncCursor
    checkpoint: Checkpoint
    stop: Callable[[], bool]
    left: LeftWaiting = field(default_factory=LeftWaiting)
    #: S1 finished, in this cycle, a query whose first page was read in an earlier cycle.
    s1_finished_old_query: bool = False

    def step(self, name: str) -> None:
        self.checkpoint(name)

    def between_orders(self) -> None:
        if self.stop():
            raise StopRequested()


def _no_checkpoint(name: str) -> None:
    return None


def _never() -> bool:
    return False


# --- the client ----------------------------------------------------------------------------


def account_client(
    *,
    account: Account,
    clock: Clock,
    limiter: RateLimiter | None = None,
    transport: object | None = None,
) -> SpApiClient:
    """A client for the account's seller, taking its tokens from the shared database buckets (S5)."""
    from saleschannel.workers.ratelimit import DatabaseRateLimiter

    app_id, app_secret = application_credentials()
    credentials = Credentials(
        client_id=account.client_id or app_id,
        client_secret=account.client_secret or app_secret,
        refresh_token=account.refresh_token,
    )
    return SpApiClient(
        seller_id=account.seller_id,
        credentials=credentials,
        region=account.region,
        endpoint=account.endpoint or None,
        token_url=account.token_url or LWA_TOKEN_URL,
        limiter=limiter or DatabaseRateLimiter(clock=clock),
        clock=clock,
        transport=transport,  # type: ignore[arg-type]
    )


# --- one order -----------------------------------------------------------------------------


def _lock_account(account: Account) -> None:
    """Serialise the writes of one account's orders (cycle, sweep, notification fetch).

    On SQLite every write transaction is ``BEGIN IMMEDIATE`` (settings): writers are serialised already."""
    if connection.features.has_select_for_update:
        SyncCursor.objects.select_for_update().filter(account=account).values_list("pk", flat=True).first()


def order_take(*, account: Account, order: Order | UnreadableOrder, seen_at: dt.datetime,
               checkpoint: Checkpoint = _no_checkpoint) -> AmazonOrder:
    """Record one snapshot and, when it changed anything, evaluate it by the rules: one transaction.

    The rows both steps read (the snapshot, products, stock, statuses) are read once (``reads_remembered``)."""
    with reads_remembered(), transaction.atomic():
        _lock_account(account)
        amazon_order, changed = amazon_order_record(account=account, order=order, seen_at=seen_at)
        checkpoint("upsert")
        if changed:
            amazon_order_evaluate(amazon_order=amazon_order, now=seen_at)
    checkpoint("import")
    return amazon_order


def _take_page(cycle: Cycle, page: SearchPage) -> None:
    cycle.run.pages += 1
    taken: list[int] = []
    try:
        with settings_remembered():  # the store's configuration, read once per page
            for order in page.orders:
                cycle.between_orders()
                taken.append(order_take(account=cycle.account, order=order, seen_at=cycle.clock.now(),
                                        checkpoint=cycle.checkpoint).pk)
                cycle.run.fetched += 1
    except BaseException:
        with contextlib.suppress(Exception):  # for the log only: the error in flight matters more
            cycle.left.note(taken)
        raise
    cycle.left.note(taken)
    cycle.step("page")


# --- S1: the incremental sync ----------------------------------------------------------------


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


def _s1(cycle: Cycle) -> None:
    old_query = bool(cycle.cursor.query_next_token)  # its first page was read in an earlier cycle
    try:
        for page in _s1_pages(cycle):
            _take_page(cycle, page)
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
            _take_page(cycle, page)
            _s1_page_done(cycle, page)


# --- S2(b): the reconciliation sweeps ---------------------------------------------------------


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


def _sweep(cycle: Cycle) -> None:
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
            _take_page(cycle, page)
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


# --- S2(a): re-reading known open orders -------------------------------------------------------


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


def _recheck(cycle: Cycle) -> None:
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


# --- the cycle ---------------------------------------------------------------------------------


def _after_reading(cycle: Cycle) -> None:
    """R9: the account's waiting orders again; R16: errored orders whose retry is due."""
    waiting_orders_evaluate(account=cycle.account, now=cycle.clock.now())
    errored_orders_retry(account=cycle.account, now=cycle.clock.now())


def _imported_count(account: Account) -> int:
    return AmazonOrder.objects.filter(account=account, store_order__isnull=False).count()


def _chunks(ids: Iterable[int], size: int = 500) -> Iterator[list[int]]:
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _finish(cycle: Cycle, *, imported_before: int, outcome: str, error: str = "") -> SyncRun:
    run = cycle.run
    waiting, errors = cycle.left.counts()
    run.waiting += waiting
    run.errors += errors
    run.created = max(0, _imported_count(cycle.account) - imported_before)
    stats = cycle.client.stats.snapshot()
    run.api_calls_by_operation = dict(sorted(stats.calls.items()))
    run.api_calls = stats.total_calls
    run.throttled = stats.throttled
    run.waited_seconds = round(stats.limiter_wait_seconds, 3)
    run.watermark = SyncCursor.objects.filter(pk=cycle.cursor.pk).values_list("watermark", flat=True).first()
    run.outcome, run.error, run.finished_at = outcome, error[:2000], cycle.clock.now()
    run.save()
    return run


def _refused(account: Account, run: SyncRun, clock: Clock) -> SyncRun:
    run.outcome = SyncRun.Outcome.FAILED
    run.error = "Amazon refused the account's credentials: reconnect the account"
    run.finished_at = clock.now()
    run.save()
    return run


def _read_everything(cycle: Cycle, patience: float) -> None:
    from saleschannel.channel.services.notifications import fetch_requests_serve
    from saleschannel.workers.ratelimit import ratelimit_patience

    with ratelimit_patience(patience):
        fetch_requests_serve(account=cycle.account, client=cycle.client, clock=cycle.clock,
                             limit=cycle.policy.fetch_batch, stop=cycle.stop)
        _s1(cycle)
        _recheck(cycle)
        _sweep(cycle)


def account_sync(
    *,
    account: Account,
    client: SpApiClient | None = None,
    clock: Clock | None = None,
    now: dt.datetime | None = None,
    policy: SyncPolicy | None = None,
    checkpoint: Checkpoint | None = None,
    stop: Callable[[], bool] | None = None,
    lease_holder: str | None = None,
) -> SyncRun:
    """One sync cycle of one account, logged as a ``SyncRun``.

    Takes the account's lease like a worker (S5): waits up to a minute for it, takes over
    one whose holder stopped renewing it, renews it by heartbeat and gives it back with
    the time the account is next due; raises ``LeaseBusy`` when it cannot be had. A
    worker that holds the lease already passes ``lease_holder``.

    Amazon's failures end the cycle with the run marked ``failed`` (``partial`` when it
    paused for the rate limit or a stop); a refused refresh token marks the account as
    needing reconnecting, and then no call is made until it is reconnected. Any other
    exception is logged in the run and raised.
    """
    clock = clock or SystemClock()
    policy = policy or SyncPolicy.from_env()
    if lease_holder is not None:
        return _account_cycle(account=account, client=client, clock=clock, now=now, policy=policy,
                              checkpoint=checkpoint, stop=stop)
    from saleschannel.workers.loop import under_lease

    return under_lease(
        account=account, clock=clock, policy=policy, stop=stop,
        work=lambda stopping: _account_cycle(account=account, client=client, clock=clock, now=now,
                                             policy=policy, checkpoint=checkpoint, stop=stopping),
    )


def _account_cycle(
    *,
    account: Account,
    client: SpApiClient | None,
    clock: Clock,
    now: dt.datetime | None,
    policy: SyncPolicy,
    checkpoint: Checkpoint | None,
    stop: Callable[[], bool] | None,
) -> SyncRun:
    run = SyncRun.objects.create(account=account, started_at=now or clock.now())
    if account.credentials_state == Account.CredentialsState.NEEDS_RECONNECTING:
        return _refused(account, run, clock)
    own_client = client is None
    client = client or account_client(account=account, clock=clock)
    client.stats.reset()
    cycle = Cycle(account=account, client=client, clock=clock, policy=policy, run=run,
                  cursor=cursor_for(account, clock.now()), checkpoint=checkpoint or _no_checkpoint, stop=stop or _never)
    imported_before = _imported_count(account)
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
            _after_reading(cycle)
    except AuthFailed as exc:
        account_credentials_state_set(account=cycle.account, ok=False, error=str(exc), now=cycle.clock.now())
        log.warning("account %s: Amazon refused the credentials; syncing stops until reconnected",
                    cycle.account.pk)
        return _finish(cycle, imported_before=imported_before, outcome=SyncRun.Outcome.FAILED,
                       error=f"Amazon refused the account's credentials: reconnect the account ({exc})")
    except SpApiError as exc:
        log.warning("account %s: sync failed: %s", cycle.account.pk, exc)
        return _finish(cycle, imported_before=imported_before, outcome=SyncRun.Outcome.FAILED, error=str(exc))
    except BaseException as exc:
        _finish_quietly(cycle, imported_before, f"{type(exc).__name__}: {exc}")
        raise
    return _finish(cycle, imported_before=imported_before, outcome=outcome, error=error)


def _finish_quietly(cycle: Cycle, imported_before: int, error: str) -> None:
    try:
        _finish(cycle, imported_before=imported_before, outcome=SyncRun.Outcome.FAILED, error=error)
    except Exception:  # the database may be what failed; the original error matters more
        log.warning("account %s: the sync log could not be written", cycle.account.pk, exc_info=True)


# --- backfill ----------------------------------------------------------------------------------


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
        return _refused(account, run, clock)
    own_client = client is None
    client = client or account_client(account=account, clock=clock)
    client.stats.reset()
    cycle = Cycle(account=account, client=client, clock=clock, policy=policy or SyncPolicy.from_env(), run=run,
                  cursor=cursor_for(account, clock.now()), checkpoint=_no_checkpoint, stop=stop or _never)
    imported_before = _imported_count(account)
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
            _take_page(cycle, page)
            if progress is not None:
                progress(cycle.run, page)
        _after_reading(cycle)
    except StopRequested:
        return _finish(cycle, imported_before=imported_before, outcome=SyncRun.Outcome.PARTIAL,
                       error="stopped on request")
    except AuthFailed as exc:
        account_credentials_state_set(account=cycle.account, ok=False, error=str(exc), now=cycle.clock.now())
        return _finish(cycle, imported_before=imported_before, outcome=SyncRun.Outcome.FAILED,
                       error=f"Amazon refused the account's credentials: reconnect the account ({exc})")
    except SpApiError as exc:
        return _finish(cycle, imported_before=imported_before, outcome=SyncRun.Outcome.FAILED, error=str(exc))
    return _finish(cycle, imported_before=imported_before, outcome=SyncRun.Outcome.OK)
