"""The sync engine's state as the dashboard shows it: last and next sync, API calls, the sync log.

Reads the sync engine's tables (``Lease`` for when an account is next due, ``SyncRun``
for each cycle). Everything here is a read; "Sync now" goes through
a ``SyncRequest`` the worker serves (``sync_request_progress`` follows it).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import OuterRef, Q, QuerySet, Subquery

from saleschannel.channel.models import Account, OrderFetchRequest, SyncRequest, SyncRun
from saleschannel.channel.outbox.models import OutboxAttempt, OutboxMessage
from saleschannel.channel.services.syncrequests import sync_request_latest
from saleschannel.workers.liveness import workers_alive
from saleschannel.workers.models import Lease

SEARCH_ORDERS_PER_HOUR = 20.0  # Amazon's searchOrders usage plan: 0.0056/s, about 20 an hour


def lease_key(account: Account) -> str:
    return f"account:{account.pk}"


@dataclass
class SyncState:
    last_run: Any = None
    next_at: dt.datetime | None = None
    running: bool = False


def sync_state(*, account: Account, now: dt.datetime) -> SyncState:
    """The account's last sync run and when it is next due."""
    state = SyncState()
    lease = Lease.objects.filter(key=lease_key(account)).first()
    if lease is not None:
        state.next_at = lease.due_at
        state.running = bool(lease.holder and lease.expires_at and lease.expires_at > now)
    runs = last_syncs(accounts=[account])
    state.last_run = runs.get(account.pk)
    return state


@dataclass
class SyncProgress:
    """The account's latest "Sync now": where it stands, and whether a worker will serve it."""

    request: SyncRequest | None
    worker_running: bool
    open: bool
    text: str


def sync_request_progress(*, account: Account, now: dt.datetime) -> SyncProgress:
    request = sync_request_latest(account=account)
    running = workers_alive(now=now)
    if request is None:
        return SyncProgress(None, running, False, "")
    if request.state == SyncRequest.State.REQUESTED:
        text = ("requested, waiting for a worker" if running
                else "requested, but no worker is running: it starts when one does")
    elif request.state == SyncRequest.State.RUNNING:
        text = "running now"
    elif request.run is not None:
        text = f"done: {request.run.get_outcome_display()}, {request.run.fetched} read, {request.run.created} imported"
    else:
        text = f"done without a cycle: {request.error or 'see the sync log'}"
    return SyncProgress(request, running, request.state != SyncRequest.State.DONE, text)


def last_syncs(*, accounts: list[Account]) -> dict[int, Any]:
    """The newest sync run of each account, in one query (each found along its account's index)."""
    if not accounts:
        return {}
    newest = SyncRun.objects.filter(account_id=OuterRef("pk")).order_by("-started_at", "-pk").values("pk")[:1]
    ids = Account.objects.filter(pk__in=[a.pk for a in accounts]).annotate(run=Subquery(newest)).values("run")
    return {run.account_id: run for run in SyncRun.objects.filter(pk__in=ids)}


def next_syncs(*, accounts: list[Account]) -> dict[int, dt.datetime | None]:
    """When each account is next due, from its lease (one query)."""
    keys = {lease_key(a): a.pk for a in accounts}
    rows = Lease.objects.filter(key__in=list(keys)).values_list("key", "due_at")
    return {keys[key]: due for key, due in rows}


#: What the calls were for (``SyncRun.api_calls_by_purpose``), in the order the chart tells them.
PURPOSES = (
    ("incremental", "incremental reads (S1)"),
    ("notification", "notification fetches (S3)"),
    ("recheck", "rechecks (S2a)"),
    ("sweep", "sweeps (S2b)"),
)


@dataclass
class Calls:
    points: list[tuple[str, int]] = field(default_factory=list)
    search_orders: list[int] = field(default_factory=list)
    limit: float | None = SEARCH_ORDERS_PER_HOUR
    known: bool = False
    #: Per hour, the calls by purpose ("12 incremental reads (S1) · 3 rechecks (S2a)").
    breakdowns: list[str] = field(default_factory=list)
    #: Over the whole chart, (label, calls) by purpose.
    by_purpose: list[tuple[str, int]] = field(default_factory=list)


def purposes_text(counts: dict[str, int]) -> str:
    """``{"recheck": 3, "incremental": 12}`` as "12 incremental reads (S1) · 3 rechecks (S2a)"."""
    return " · ".join(f"{counts[key]} {label}" for key, label in PURPOSES if counts.get(key))


def _purposes(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        return {}
    return {k: int(v) for k, v in value.items() if isinstance(k, str) and isinstance(v, int)}


def api_calls_per_hour(*, account: Account, now: dt.datetime, tz: dt.tzinfo, hours: int = 24) -> Calls:
    """Amazon API calls per hour over the last ``hours`` hours, from the sync runs' call counts."""
    start = now.astimezone(tz).replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=hours - 1)
    slots = [start + dt.timedelta(hours=i) for i in range(hours)]
    counts = dict.fromkeys(slots, 0)
    searches = dict.fromkeys(slots, 0)
    purposes: dict[dt.datetime, dict[str, int]] = {slot: {} for slot in slots}
    calls = Calls(points=[])
    rows = SyncRun.objects.filter(account=account, started_at__gte=start).values_list(
        "started_at", "api_calls", "api_calls_by_operation", "api_calls_by_purpose"
    )
    for started, n, by_operation, by_purpose in rows:
        calls.known = True
        slot = started.astimezone(tz).replace(minute=0, second=0, microsecond=0)
        if slot in counts:
            told = _purposes(by_purpose)
            # The notifications' getOrders a worker served between cycles count in the next run's purposes only.
            counts[slot] += max(int(n or 0), sum(told.values()))
            found = by_operation.get("searchOrders", 0) if isinstance(by_operation, dict) else 0
            searches[slot] += int(found) if isinstance(found, int) else 0
            for key, value in told.items():
                purposes[slot][key] = purposes[slot].get(key, 0) + value
    calls.points = [(slot.strftime("%H:%M"), counts[slot]) for slot in slots]
    calls.search_orders = [searches[slot] for slot in slots]
    calls.breakdowns = [purposes_text(purposes[slot]) for slot in slots]
    calls.by_purpose = [(label, sum(p.get(key, 0) for p in purposes.values())) for key, label in PURPOSES]
    return calls


def sync_runs(*, account: Account | None = None) -> QuerySet[SyncRun]:
    """The sync log, newest first (paged by the caller)."""
    qs = SyncRun.objects.select_related("account")
    return qs.filter(account=account) if account is not None else qs


_CODE = re.compile(r"^([A-Za-z][A-Za-z0-9_.]*): ")


def error_code(text: str) -> str:
    """Amazon's error code in a client error's message ("...; HTTP 403; Unauthorized: ..."), else the HTTP status."""
    parts = [p.strip() for p in text.split(";")]
    for part in parts[1:]:
        found = _CODE.match(part)
        if found:
            return found.group(1)
    for part in parts:
        if part.startswith("HTTP "):
            return part
    return ""


@dataclass(frozen=True)
class CommError:
    account: Account
    when: dt.datetime
    code: str
    message: str
    source: str


def communication_errors(*, account: Account | None = None, limit: int = 200) -> list[CommError]:
    """Errors Amazon gave: failed or partial sync cycles and failed order fetches, newest first (bounded)."""
    runs = SyncRun.objects.select_related("account").exclude(error="").order_by("-started_at", "-pk")
    fetches = (
        OrderFetchRequest.objects.select_related("account").exclude(last_error="").order_by("-requested_at", "-pk")
    )
    if account is not None:
        runs, fetches = runs.filter(account=account), fetches.filter(account=account)
    found = [
        CommError(r.account, cast(dt.datetime, r.finished_at or r.started_at), error_code(r.error), r.error, "sync")
        for r in runs[:limit]
    ]
    found += [
        CommError(f.account, f.requested_at, error_code(f.last_error), f.last_error, f"getOrder {f.amazon_order_id}")
        for f in fetches.filter(Q(attempts__gt=0))[:limit]
    ]
    found += _outbox_errors(account=account, limit=limit)
    found.sort(key=lambda e: e.when, reverse=True)
    return found[:limit]


def _outbox_errors(*, account: Account | None, limit: int) -> list[CommError]:
    """Amazon's answers to shipment confirmations that were not accepted."""

    attempts = (
        OutboxAttempt.objects.select_related("message", "message__account")
        .exclude(outcome=OutboxAttempt.Outcome.SENT)
        .order_by("-attempted_at", "-pk")
    )
    if account is not None:
        attempts = attempts.filter(message__account=account)
    return [
        CommError(
            a.message.account,
            a.attempted_at,
            a.error_code or (f"HTTP {a.status}" if a.status else error_code(a.error)),
            a.error,
            f"confirmShipment {a.message.amazon_order_id}",
        )
        for a in attempts[:limit]
    ]


def outbox(*, account: Account | None = None) -> QuerySet[Any]:
    """The messages to Amazon, newest first (paged by the caller)."""

    qs = OutboxMessage.objects.select_related("account", "shipment")
    return qs.filter(account=account) if account is not None else qs
