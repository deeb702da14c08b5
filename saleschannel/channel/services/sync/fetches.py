"""Claiming the getOrders that notifications asked for (S3), across workers.

A request is claimed for ``ttl`` seconds by one worker (``SKIP LOCKED`` on PostgreSQL,
a conditional update everywhere); a worker that dies leaves its claim to expire.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Q

from saleschannel.channel.models import OrderFetchRequest


def claimable(now: dt.datetime) -> Q:
    """Pending, due, and claimed by nobody (or by a worker whose claim ran out)."""
    return (
        Q(done_at__isnull=True)
        & (Q(not_before__isnull=True) | Q(not_before__lte=now))
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def fetch_requests_claim(
    *, holder: str, now: dt.datetime, limit: int, ttl: float = 60.0, account_id: int | None = None
) -> list[OrderFetchRequest]:
    """Claim up to ``limit`` pending requests, oldest first, of one account or of any account."""
    pending = OrderFetchRequest.objects.filter(claimable(now)).exclude(
        account__credentials_state="needs_reconnecting"
    )
    if account_id is not None:
        pending = pending.filter(account_id=account_id)
    pending = pending.order_by("requested_at", "pk")
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True, of=("self",))
        ids = list(pending.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        OrderFetchRequest.objects.filter(Q(pk__in=ids) & claimable(now)).update(
            claimed_by=holder, claimed_until=now + dt.timedelta(seconds=ttl)
        )
    return list(OrderFetchRequest.objects.filter(pk__in=ids, claimed_by=holder).order_by("requested_at", "pk"))


def fetch_request_done(*, request: OrderFetchRequest, now: dt.datetime) -> bool:
    """Done, unless another notification came while it was read: then it stays, to be read again."""
    done = OrderFetchRequest.objects.filter(pk=request.pk, requested_at=request.requested_at).update(
        done_at=now, claimed_by="", claimed_until=None
    )
    if not done:
        fetch_request_release(request=request)
    return bool(done)


def fetch_request_release(*, request: OrderFetchRequest, not_before: dt.datetime | None = None) -> None:
    """Give the claim back, to be served at ``not_before`` (at once when None)."""
    OrderFetchRequest.objects.filter(pk=request.pk).update(claimed_by="", claimed_until=None, not_before=not_before)


def fetch_request_failed(*, request: OrderFetchRequest, now: dt.datetime, error: str, max_attempts: int) -> None:
    """Count a failed read; retry with back-off, or give up after ``max_attempts`` (polling remains)."""
    attempts = request.attempts + 1
    fields: dict[str, object] = {"attempts": attempts, "last_error": error[:1000], "claimed_by": "",
                                 "claimed_until": None}
    if attempts >= max_attempts:
        fields["done_at"] = now
    else:
        fields["not_before"] = now + dt.timedelta(seconds=min(300, 5 * 2**attempts))
    OrderFetchRequest.objects.filter(pk=request.pk).update(**fields)
