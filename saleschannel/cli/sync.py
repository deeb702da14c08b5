"""The sync engine's commands (``spec/cli.md``): ``sync``, ``sync-log``, ``worker``."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import logging
import signal
import sys
import threading
from typing import Any

from saleschannel.cli.base import CommandFailed, UsageError, emit_json

log = logging.getLogger("saleschannel.cli.sync")


def _account(ref: str) -> Any:
    from saleschannel.channel.errors import AccountNotFound
    from saleschannel.channel.services.accounts import account_get

    try:
        return account_get(ref=ref)
    except AccountNotFound as exc:
        raise UsageError("account", ref, f"error: account: {ref!r}: {exc}") from None


def _since(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError("since", text, f"error: since: {text!r} is not a date (YYYY-MM-DD)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    if value > dt.datetime.now(dt.UTC):
        raise UsageError("since", text, f"error: since: {text!r} is in the future")
    return value


def _limit(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise UsageError("limit", text, f"error: limit: {text!r} is not a number from 1 to 1000")
    return int(text)


def _lease_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 1 <= value <= 3600:
        raise UsageError("lease-seconds", text, f"error: lease-seconds: {text!r} is not from 1 to 3600")
    return value


class Progress:
    """A progress bar on a terminal, plain lines elsewhere (stderr: stdout is for --json).

    How far the backfill has come is estimated from the latest update time read so far,
    between ``since`` and now (Amazon does not say how many pages there are).
    """

    WIDTH = 30

    def __init__(self, since: dt.datetime, stream: Any = None):
        self.since, self.stream = since, stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.until = dt.datetime.now(dt.UTC)
        self.reached = since

    def __call__(self, run: Any, page: Any) -> None:
        for order in page.orders:
            updated = getattr(order, "last_updated_time", None)
            if updated is not None and updated > self.reached:
                self.reached = updated
        span = (self.until - self.since).total_seconds()
        covered = 1.0 if span <= 0 else min(1.0, max(0.0, (self.reached - self.since).total_seconds() / span))
        if self.tty:
            bar = "#" * int(covered * self.WIDTH)
            self.stream.write(f"\rbackfill [{bar:<{self.WIDTH}}] {covered:4.0%}  {run.pages} pages, "
                              f"{run.fetched} orders")
        else:
            self.stream.write(f"backfill: {run.pages} pages, {run.fetched} orders, up to {self.reached:%Y-%m-%d %H:%M}Z\n")
        self.stream.flush()

    def done(self, run: Any) -> None:
        if self.tty:
            self.stream.write(f"\rbackfill [{'#' * self.WIDTH}] 100%  {run.pages} pages, {run.fetched} orders\n")
            self.stream.flush()


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handle(signum: int, _frame: object) -> None:
        log.info("signal %s: stopping after the order in hand", signum)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    return stop


def cmd_sync(args: argparse.Namespace) -> int:
    from saleschannel.channel.services.sync.selectors import sync_run_summary

    account = _account(args.account)
    run = _backfill(account, args.since) if args.since is not None else _once(account)
    summary = sync_run_summary(run)
    if args.json:
        emit_json(summary)
    else:
        print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in summary.items()))
    if run.outcome == "failed":
        raise CommandFailed(f"error: sync of {account.name} failed: {run.error}")
    return 0


def _once(account: Any) -> Any:
    from saleschannel.channel.services.sync.scheduler import SyncPolicy
    from saleschannel.workers.leases import LeaseBusy, account_sync_leased

    stop = _stop_on_signals()
    # A cycle asked for by hand waits for its tokens (one searchOrders token can be 3 minutes away).
    policy = dataclasses.replace(SyncPolicy.from_settings(), token_wait=200.0)
    try:
        run = account_sync_leased(account=account, policy=policy, stop=stop.is_set)
    except LeaseBusy as exc:
        raise CommandFailed(f"error: {exc}") from None
    _confirmations_send(account, stop)
    return run


def _confirmations_send(account: Any, stop: threading.Event) -> None:
    """T10: the cycle also sends the account's due shipment confirmations (a cron runs no worker)."""
    from saleschannel.channel.outbox.services import outbox_send_due

    batch = 50
    for _round in range(20):  # bounded: a retried message waits for its next attempt time anyway
        if stop.is_set() or outbox_send_due(account=account, limit=batch) < batch:
            break


def _backfill(account: Any, since: dt.datetime) -> Any:
    from saleschannel.channel.services.sync.backfill import account_backfill
    from saleschannel.channel.services.sync.scheduler import SyncPolicy
    from saleschannel.spapi.clock import SystemClock
    from saleschannel.workers.leases import LeaseBusy, under_lease

    progress = Progress(since)
    stop = _stop_on_signals()
    clock = SystemClock()
    try:
        run = under_lease(
            account=account, clock=clock, policy=SyncPolicy.from_settings(), stop=stop.is_set,
            work=lambda stopping: account_backfill(account=account, since=since, clock=clock,
                                                   progress=progress, stop=stopping),
        )
    except LeaseBusy as exc:
        raise CommandFailed(f"error: {exc}") from None
    progress.done(run)
    return run


def cmd_sync_log(args: argparse.Namespace) -> int:
    from saleschannel.channel.services.sync.selectors import sync_run_as_dict, sync_runs_recent

    account = _account(args.account)
    runs = [sync_run_as_dict(r) for r in sync_runs_recent(account=account, limit=args.limit)]
    if args.json:
        emit_json(runs)
        return 0
    for run in runs:
        print(f"{run['started']:%Y-%m-%d %H:%M:%S} {run['outcome']:<8} pages {run['pages']} fetched "
              f"{run['fetched']} created {run['created']} waiting {run['waiting']} errors {run['errors']} "
              f"calls {run['api_calls']}{_by_purpose(run)} throttled {run['throttled']} "
              f"waited {run['waited_seconds']:.1f}s"
              + (f"  {run['error']}" if run["error"] else ""))
    return 0


def _by_purpose(run: dict[str, Any]) -> str:
    """" (S1 5, notification 2, recheck 3, sweep 1; 40 rechecks deferred)", or "" when nothing is known."""
    purposes = run["api_calls_by_purpose"]
    names = (("incremental", "S1"), ("notification", "notification"), ("recheck", "recheck"), ("sweep", "sweep"))
    told = [f"{name} {purposes[key]}" for key, name in names if purposes.get(key)]
    if run["rechecks_deferred"]:
        told.append(f"{run['rechecks_deferred']} rechecks deferred")
    return f" ({', '.join(told)})" if told else ""


def cmd_worker(args: argparse.Namespace) -> int:
    from saleschannel.channel.services.sync.scheduler import SyncPolicy
    from saleschannel.workers.loop import Worker

    policy = SyncPolicy.from_settings()
    if args.lease_seconds is not None:
        policy = dataclasses.replace(policy, lease_ttl=args.lease_seconds)
    worker = Worker(policy=policy, stop=_stop_on_signals())
    print(f"worker {worker.holder} running; SIGTERM or Ctrl-C stops it", file=sys.stderr, flush=True)
    worker.run()
    return 0


def register(subparsers: Any) -> None:
    sync = subparsers.add_parser("sync", help="one sync cycle of an account, or a backfill")
    sync.add_argument("account", help="the account's name or id")
    mode = sync.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true", help="one sync cycle, taking the account's lease")
    mode.add_argument("--since", type=_since, metavar="DATE", help="read every order updated since DATE")
    sync.add_argument("--json", action="store_true", help="print the summary as JSON")
    sync.set_defaults(handler=cmd_sync, needs_django=True)

    synclog = subparsers.add_parser("sync-log", help="the latest sync cycles of an account")
    synclog.add_argument("account", help="the account's name or id")
    synclog.add_argument("--limit", type=_limit, default=20, help="how many cycles (default 20)")
    synclog.add_argument("--json", action="store_true", help="print them as JSON")
    synclog.set_defaults(handler=cmd_sync_log, needs_django=True)

    worker = subparsers.add_parser("worker", help="run every account's syncs until SIGTERM/SIGINT")
    worker.add_argument("--lease-seconds", type=_lease_seconds, default=None,
                        help="how long a lease lasts without a heartbeat (default 60)")
    worker.set_defaults(handler=cmd_worker, needs_django=True)
