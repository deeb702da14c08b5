"""Reads of the sync engine's state, for the command line and the dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from saleschannel.channel.models import SyncRun

if TYPE_CHECKING:
    from saleschannel.channel.models import Account


def sync_runs_recent(*, account: Account, limit: int = 20) -> list[SyncRun]:
    """The account's latest sync cycles, newest first (one query)."""
    return list(SyncRun.objects.filter(account=account).order_by("-started_at", "-pk")[: max(0, limit)])


def sync_run_summary(run: SyncRun) -> dict[str, Any]:
    """``sync --once --json``: what the cycle fetched, created, left waiting or in error, and its calls."""
    return {
        "fetched": run.fetched,
        "created": run.created,
        "waiting": run.waiting,
        "errors": run.errors,
        "api_calls": run.api_calls,
    }


def sync_run_as_dict(run: SyncRun) -> dict[str, Any]:
    """One line of ``sync-log --json`` (``spec/cli.md``), plus the outcome and the error, the calls by
    purpose (incremental, notification, recheck, sweep) and the rechecks the budget left for later."""
    return {
        "started": run.started_at,
        "finished": run.finished_at,
        "pages": run.pages,
        "fetched": run.fetched,
        "created": run.created,
        "waiting": run.waiting,
        "errors": run.errors,
        "api_calls": run.api_calls,
        "api_calls_by_operation": dict(run.api_calls_by_operation or {}),
        "api_calls_by_purpose": dict(run.api_calls_by_purpose or {}),
        "rechecks_deferred": run.rechecks_deferred,
        "throttled": run.throttled,
        "waited_seconds": run.waited_seconds,
        "kind": run.kind,
        "outcome": run.outcome,
        "error": run.error,
    }
