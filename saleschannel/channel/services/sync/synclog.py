"""The sync log is kept for a configurable number of days.

A worker writes a ``SyncRun`` for every cycle of every account (one every few minutes), so
the log would grow without end. Once a day, with the buyer-data retention, the runs that
finished more than ``SALESCHANNEL_SYNC_LOG_DAYS`` days ago (default 90) are deleted; each
account's latest run stays whatever its age, so the dashboard can always say when an
account was last synced.

- ``sync_log_days() -> int``
- ``sync_log_prune(*, now=None, days=None) -> int``: deletes, returns the rows deleted.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Max
from django.utils import timezone

from saleschannel.channel.models import SyncRun
from saleschannel.home import days_setting

log = logging.getLogger("saleschannel.retention")

DEFAULT_DAYS = 90
_BATCH = 1000


def sync_log_days() -> int:
    """The configured number of days (a setting or the environment), else 90."""
    return days_setting("SALESCHANNEL_SYNC_LOG_DAYS", DEFAULT_DAYS, minimum=1)


def sync_log_prune(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Delete the sync runs finished more than ``days`` ago, but never an account's latest run."""
    days = sync_log_days() if days is None else days
    if days < 1:
        raise ValueError("days must be at least 1")
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    latest = list(SyncRun.objects.values("account_id").annotate(last=Max("pk")).values_list("last", flat=True))
    old = SyncRun.objects.filter(finished_at__lt=cutoff).exclude(pk__in=latest).order_by("pk")
    deleted = 0
    while True:
        batch = list(old.values_list("pk", flat=True)[:_BATCH])
        if not batch:
            break
        deleted += SyncRun.objects.filter(pk__in=batch).delete()[0]
    log.info("retention: deleted %d sync runs finished before %s", deleted, cutoff.isoformat())
    return deleted
