""""Sync now" as a request the account's worker serves (S5): the web never runs a cycle itself.

- ``sync_request_create(*, account, user=None, now=None) -> tuple[SyncRequest, bool]``: the
  account's open request, or a new one (True); one open request per account at most.
- ``sync_requests_claimable(*, alive, limit=10) -> list[SyncRequest]``: the requests a worker may
  serve: requested ones, and running ones whose worker stopped (``alive(request)`` is false).
- ``sync_request_start(*, request, holder, now) -> bool``: requested → running, by one worker.
- ``sync_request_finish(*, request, run, error="", now) -> SyncRequest``: → done, with its run.
- ``sync_request_latest(*, account) -> SyncRequest | None``
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from saleschannel.channel.models import Account, SyncRequest, SyncRun


def sync_request_create(
    *, account: Account, user: Any = None, now: dt.datetime | None = None
) -> tuple[SyncRequest, bool]:
    """The account's open "Sync now", made when there is none (asking twice adds nothing)."""
    open_ = SyncRequest.objects.filter(account=account).exclude(state=SyncRequest.State.DONE).first()
    if open_ is not None:
        return open_, False
    try:
        with transaction.atomic():
            made = SyncRequest.objects.create(
                account=account, requested_at=now or timezone.now(),
                requested_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:  # asked at the same moment from elsewhere: that request is this one
        return SyncRequest.objects.exclude(state=SyncRequest.State.DONE).get(account=account), False
    return made, True


def sync_requests_claimable(*, alive: Callable[[SyncRequest], bool], limit: int = 10) -> list[SyncRequest]:
    """Requested ones, oldest first, then running ones whose worker is gone (``alive`` says no)."""
    rows = list(
        SyncRequest.objects.select_related("account").exclude(state=SyncRequest.State.DONE)
        .order_by("requested_at", "pk")[:limit]
    )
    return [r for r in rows if r.state == SyncRequest.State.REQUESTED or not alive(r)]


def sync_request_start(*, request: SyncRequest, holder: str, now: dt.datetime) -> bool:
    """Mark it running for ``holder``; False when another worker started it first."""
    with transaction.atomic():
        taken = SyncRequest.objects.filter(pk=request.pk, state=request.state, claimed_by=request.claimed_by).update(
            state=SyncRequest.State.RUNNING, started_at=now, claimed_by=holder
        )
    if taken:
        request.state, request.started_at, request.claimed_by = SyncRequest.State.RUNNING, now, holder
    return bool(taken)


def sync_request_finish(
    *, request: SyncRequest, run: SyncRun | None, error: str = "", now: dt.datetime
) -> SyncRequest:
    """Done: with the sync log entry of its cycle, or why no cycle ran."""
    with transaction.atomic():
        SyncRequest.objects.filter(pk=request.pk).update(
            state=SyncRequest.State.DONE, finished_at=now, run=run, error=error[:2000]
        )
    request.state, request.finished_at, request.run, request.error = SyncRequest.State.DONE, now, run, error[:2000]
    return request


def sync_request_latest(*, account: Account) -> SyncRequest | None:
    return (SyncRequest.objects.select_related("run").filter(account=account)
            .order_by("-requested_at", "-pk").first())
