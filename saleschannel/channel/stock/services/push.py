"""The pusher: one push cycle of one account (T5, T6, T7, T11).

- ``offers_push(*, account, client=None, clock=None, stop=None) -> PushCycle``: the Amazon orders
  seen mark their offers due, drift is marked, the plan is made (T4, T5), the unchanged are
  settled, and each due offer is sent by ``patchListingsItem`` in T6's order and recorded
  with Amazon's answer (``offer_push_record``).

The caller holds the account's lease (the worker, ``push --once``, ``sync --once``), so one
account's pushes go one at a time and in order: a newer version is only ever planned after
an older one was sent. A push is recorded only once Amazon answered it: a crash between the
two sends it again (at least once), never loses it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from saleschannel.channel.models import Account, RateBucket
from saleschannel.channel.services.accounts import account_credentials_state_set
from saleschannel.channel.services.sync.client import account_client
from saleschannel.channel.stock.models import Offer, StockPush
from saleschannel.channel.stock.payloads import FEED_MESSAGES_MAX, availability_patches
from saleschannel.channel.stock.rules import Direction
from saleschannel.channel.stock.selectors import (
    PlannedPush,
    PushPlan,
    offers_unsearched,
    push_plan,
    push_state,
)
from saleschannel.channel.stock.services.discovery import offers_discover, offers_discovery_due
from saleschannel.channel.stock.services.feeds import (
    BACKLOG,
    RECONCILIATION,
    feed_threshold,
    stock_feed_check,
    stock_feed_send,
)
from saleschannel.channel.stock.services.offers import (
    offers_drift_mark,
    offers_due_from_amazon_orders,
    offers_mark_due,
)
from saleschannel.channel.stock.services.pushes import offer_push_record, offers_settle
from saleschannel.spapi.client import SpApiClient
from saleschannel.spapi.clock import Clock, SystemClock
from saleschannel.spapi.errors import (
    AuthFailed,
    BadResponse,
    InvalidRequest,
    NotFound,
    SpApiError,
    Throttled,
    Transient,
)
from saleschannel.spapi.ratelimit import DEFAULT_PLANS

log = logging.getLogger("saleschannel.push")
ISSUES_ON_PATCH = ("issues",)  # T7: includedData=issues
PATCH = "patchListingsItem"


@dataclass
class PushCycle:
    """What one push cycle did, as ``push --once --json`` prints it (C48)."""

    pushed: int = 0
    skipped: int = 0
    errors: int = 0
    feeds: int = 0
    api_calls: int = 0
    retried: int = 0
    paused: str = ""

    def as_dict(self) -> dict[str, int]:
        return {"pushed": self.pushed, "skipped": self.skipped, "errors": self.errors, "feeds": self.feeds,
                "api_calls": self.api_calls}


def _never() -> bool:
    return False


def offers_push_after_sync(
    *, account: Account, client: SpApiClient | None, clock: Clock, stop: Callable[[], bool] | None = None
) -> PushCycle | None:
    """T10, C48: the push step of a sync cycle run by hand (``sync --once``), under the lease its
    caller holds: what the cycle's own imports changed goes at once. Amazon's failures are logged
    (the orders read stay read); None then."""
    account.refresh_from_db(fields=["credentials_state"])
    try:
        return offers_push(account=account, client=client, clock=clock, stop=stop)
    except SpApiError as exc:
        log.warning("account %s: push after the sync cycle failed: %s", account.pk, exc)
        return None


def offers_push(
    *,
    account: Account,
    client: SpApiClient | None = None,
    clock: Clock | None = None,
    stop: Callable[[], bool] | None = None,
    feed_above: int | None = None,
) -> PushCycle:
    """One push cycle of the account (see the module); the caller holds its lease. Without a
    ``client``, the account's own is made (and closed) for the cycle. ``feed_above``: more due
    offers than this go by feed (T9; by default five minutes of the seller's patch plan).

    In order: the feed in flight is looked at (T9); the offers are read from Amazon when push was
    just enabled, daily, or for store SKUs never searched (T3); the Amazon orders seen and drift
    mark offers due (T5, T12); the plan is made; what goes by feed goes (more than five minutes of
    the patch budget, or the daily reconciliation), the rest by patch in T6's order.
    """
    clock = clock or SystemClock()
    cycle = PushCycle()
    state = push_state(account=account)
    if not state.active:
        cycle.paused = state.reason  # T1, T11, T16: due offers stay due
        return cycle
    limit = feed_above if feed_above is not None else feed_threshold(_patch_rate(account))
    if client is None:
        with account_client(account=account, clock=clock) as own:
            return _cycle(account, own, clock, cycle, stop or _never, limit)
    return _cycle(account, client, clock, cycle, stop or _never, limit)


def _cycle(account: Account, client: SpApiClient, clock: Clock, cycle: PushCycle, stop: Callable[[], bool],
           feed_above: int) -> PushCycle:
    calls_before = client.stats.snapshot().total_calls
    try:
        _push(account, client, clock, cycle, stop, feed_above)
    except AuthFailed as exc:
        # T11: as for orders; nothing more is pushed until the account is reconnected.
        account_credentials_state_set(account=account, ok=False, error=str(exc), now=clock.now())
        log.warning("account %s: Amazon refused the credentials; pushes wait for a reconnect", account.pk)
    finally:
        cycle.api_calls = client.stats.snapshot().total_calls - calls_before
    return cycle


def _push(account: Account, client: SpApiClient, clock: Clock, cycle: PushCycle, stop: Callable[[], bool],
          feed_above: int) -> None:
    feed = stock_feed_check(account=account, client=client, clock=clock)
    in_flight = feed if feed is not None and feed.in_flight else None
    now = clock.now()
    first_read = not Offer.objects.filter(account=account, mfn=True).exists()
    reconcile = False
    if offers_discovery_due(account=account, now=now):
        offers_discover(account=account, client=client, clock=clock)
        if not first_read:  # [D] the first read pushes by patch: a new account is in sync within a cycle
            offers_mark_due(account=account, reason=RECONCILIATION, skus=None, now=now)
            reconcile = True
    else:
        unsearched = offers_unsearched(account=account)
        if unsearched:
            offers_discover(account=account, client=client, skus=unsearched, clock=clock)
    offers_due_from_amazon_orders(account=account, now=now)
    offers_drift_mark(account=account, now=now)
    plan = push_plan(account=account, now=now)
    if not plan.state.active:
        cycle.paused = plan.state.reason
        return
    cycle.skipped = offers_settle(account=account, settled=plan.settled)
    zeros = [p for p in plan.pushes if p.direction == Direction.TO_ZERO]
    others = [p for p in plan.pushes if p.direction != Direction.TO_ZERO]
    if in_flight is not None:
        # T9: while a feed is in flight, zeros still go at once; its own offers wait for it to end.
        held = set(in_flight.skus)
        patches = zeros + [p for p in others if p.sku not in held]
    elif others and (reconcile or len(plan.pushes) > feed_above):
        stock_feed_send(account=account, client=client, pushes=others[:FEED_MESSAGES_MAX],
                        reason=RECONCILIATION if reconcile else BACKLOG, clock=clock)
        cycle.feeds += 1
        patches = zeros + others[FEED_MESSAGES_MAX:]
    else:
        patches = plan.pushes
    _send_all(account, client, clock, plan, patches, cycle, stop)


def _patch_rate(account: Account) -> float:
    """The seller's patch rate as the shared bucket holds it (Amazon's advertised one once seen)."""
    rate = RateBucket.objects.filter(seller_id=account.seller_id, operation=PATCH).values_list("rate", flat=True)
    return float(rate.first() or DEFAULT_PLANS[PATCH].rate)


def _send_all(account: Account, client: SpApiClient, clock: Clock, plan: PushPlan, pushes: list[PlannedPush],
              cycle: PushCycle, stop: Callable[[], bool]) -> None:
    for push in pushes:
        if stop():
            return
        try:
            answer = client.patch_listings_item(
                push.sku, marketplace_ids=[plan.marketplace_id], product_type=push.product_type,
                patches=availability_patches(push), included_data=ISSUES_ON_PATCH,
            )
        except AuthFailed:
            raise  # offers_push parks the account (T11)
        except (Throttled, Transient, BadResponse) as exc:
            # T11: retried with back-off: the client's retries ran out, so the cycle ends here and the
            # next one sends the newest version (the offer stays due).
            _record(account, push, StockPush.Outcome.RETRY, clock, issues=[_error_issue(exc)])
            cycle.retried += 1
            log.info("account %s: push of %s to be sent again: %s", account.pk, push.sku, exc)
            return
        except (InvalidRequest, NotFound) as exc:
            _record(account, push, StockPush.Outcome.INVALID, clock, issues=[_error_issue(exc)])
            cycle.errors += 1
            continue
        except SpApiError as exc:  # anything else Amazon said: kept due, tried next cycle
            _record(account, push, StockPush.Outcome.RETRY, clock, issues=[_error_issue(exc)])
            cycle.retried += 1
            return
        issues = [{"code": i.code, "message": i.message, "severity": i.severity,
                   "attributeNames": list(i.attribute_names)} for i in answer.issues]
        outcome = StockPush.Outcome.ACCEPTED if answer.accepted else StockPush.Outcome.INVALID
        errors = [i for i in issues if i["severity"] == "ERROR"] or issues
        _record(account, push, outcome, clock, issues=errors if outcome == StockPush.Outcome.INVALID else issues,
                submission_id=answer.submission_id)
        if outcome == StockPush.Outcome.ACCEPTED:
            cycle.pushed += 1
        else:
            cycle.errors += 1


def _record(account: Account, push: PlannedPush, outcome: str, clock: Clock, *,
            issues: Sequence[Mapping[str, Any]], submission_id: str = "") -> None:
    offer_push_record(account=account, push=push, method=StockPush.Method.PATCH, outcome=outcome,
                      submission_id=submission_id, issues=issues, now=clock.now())


def _error_issue(exc: SpApiError) -> dict[str, object]:
    """Amazon's error as an issue of the push's record (T11, T13)."""
    first = exc.errors[0] if exc.errors else None
    return {"code": first.code if first else type(exc).__name__,
            "message": first.message if first else str(exc)[:500], "severity": "ERROR", "attributeNames": []}
