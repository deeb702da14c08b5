"""What every read of a sync shares: the cycle's state, and taking one order or one page.

- ``order_take(*, account, order, seen_at, checkpoint=...) -> AmazonOrder``: record one
  snapshot and evaluate it, in one transaction (also used for notification fetches).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction

from saleschannel.channel import rules
from saleschannel.channel.errors import StopRequested
from saleschannel.channel.models import Account, AmazonOrder, SyncCursor, SyncRun
from saleschannel.channel.services.imports.importer import (
    amazon_order_evaluate,
)
from saleschannel.channel.services.imports.recording import amazon_order_recorded
from saleschannel.channel.services.sync.scheduler import SyncPolicy
from saleschannel.commerce.memo import reads_remembered, settings_remembered
from saleschannel.spapi.client import SpApiClient
from saleschannel.spapi.clock import Clock
from saleschannel.spapi.models import Order, SearchPage, UnreadableOrder

#: Statuses after which Amazon changes nothing the channel acts on (the rules' set, as a query takes it).
FINAL_STATUSES = tuple(sorted(rules.FINAL_STATUSES))
#: The import states a sync log counts (``SyncRun.waiting``, ``SyncRun.errors``).
PROBLEM_STATES = (AmazonOrder.ImportState.WAITING, AmazonOrder.ImportState.ERROR)
Checkpoint = Callable[[str], None]


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
    for batch in chunks(pks):
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
    #: Calls made by purpose ("incremental", "recheck", "sweep"), for the run's log.
    purposes: dict[str, int] = field(default_factory=dict)
    #: S1 finished, in this cycle, a query whose first page was read in an earlier cycle.
    s1_finished_old_query: bool = False

    def step(self, name: str) -> None:
        self.checkpoint(name)

    def between_orders(self) -> None:
        if self.stop():
            raise StopRequested()


def no_checkpoint(name: str) -> None:
    return None


def never() -> bool:
    return False


def chunks(ids: Iterable[int], size: int = 500) -> Iterator[list[int]]:
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _lock_account(account: Account) -> None:
    """Serialise the writes of one account's orders (cycle, sweep, notification fetch).

    On SQLite every write transaction is ``BEGIN IMMEDIATE`` (settings): writers are serialised already."""
    if connection.features.has_select_for_update:
        SyncCursor.objects.select_for_update().filter(account=account).values_list("pk", flat=True).first()


def order_take(*, account: Account, order: Order | UnreadableOrder, seen_at: dt.datetime,
               checkpoint: Checkpoint = no_checkpoint) -> AmazonOrder:
    """Record one snapshot and, when it changed anything, evaluate it by the rules: one transaction.

    The rows both steps read (the snapshot, products, stock, statuses) are read once (``reads_remembered``)."""
    with reads_remembered(), transaction.atomic():
        _lock_account(account)
        recorded = amazon_order_recorded(account=account, order=order, seen_at=seen_at)
        checkpoint("upsert")
        if recorded.changed:
            amazon_order_evaluate(amazon_order=recorded.amazon_order, now=seen_at, recorded=recorded.order)
    checkpoint("import")
    return recorded.amazon_order


def take_page(cycle: Cycle, page: SearchPage) -> None:
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
