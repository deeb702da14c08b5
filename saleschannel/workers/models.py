"""Leases, shared rate-limit buckets, sync runs: the state of the sync engine.

Everything here is shared by every process that talks to Amazon (workers, ``sync
--once``, the web server), which is why it lives in the database and not in memory.
"""

from __future__ import annotations

from django.db import models


class RateBucket(models.Model):
    """A token bucket for one (seller, operation): Amazon's quota belongs to the seller (S5).

    ``tokens`` may go below zero: a caller that takes a token not yet earned waits until
    it exists, so callers queue in the order they came, whatever process they run in.
    """

    seller_id = models.CharField(max_length=64)
    operation = models.CharField(max_length=64)
    rate = models.FloatField(help_text="tokens earned per second")
    burst = models.FloatField(help_text="most tokens the bucket holds")
    tokens = models.FloatField()
    refilled_at = models.DateTimeField(help_text="the instant `tokens` was computed for")
    rate_from_amazon = models.BooleanField(
        default=False, help_text="the rate came from Amazon's x-amzn-RateLimit-Limit header"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seller_id", "operation"], name="workers_ratebucket_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id}/{self.operation}: {self.tokens:.2f}/{self.burst:g} at {self.rate:g}/s"


class Lease(models.Model):
    """Who may work on one thing (``account:<id>``) until when; and when it is next due.

    A holder renews ``expires_at`` by heartbeat; once it stops, anyone may take it over.
    """

    key = models.CharField(max_length=100, unique=True)
    holder = models.CharField(max_length=200, blank=True, default="")
    expires_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, help_text="the scheduler wants it run at or after")
    taken_over = models.PositiveIntegerField(default=0, help_text="times taken from a holder that stopped")

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="workers_lease_due")]

    def __str__(self) -> str:
        return f"{self.key} held by {self.holder or 'nobody'} until {self.expires_at}"


class SyncCursor(models.Model):
    """Where the account's sync stands: the durable watermark and any reading in progress.

    Every order updated before ``watermark`` is committed (S1). A query in progress keeps
    its filter and next page token, so a cycle stopped between pages resumes there.
    """

    account = models.OneToOneField("channel.Account", on_delete=models.CASCADE, related_name="sync_cursor")
    watermark = models.DateTimeField(null=True, blank=True)
    # S1: the query being read (its lastUpdatedAfter, the next page, the least lastUpdatedBefore seen).
    query_after = models.DateTimeField(null=True, blank=True)
    query_next_token = models.TextField(blank=True, default="")
    query_before = models.DateTimeField(null=True, blank=True)
    # S2(b): the sweep being read, and when each sweep last completed.
    sweep_kind = models.CharField(max_length=8, blank=True, default="")
    sweep_after = models.DateTimeField(null=True, blank=True)
    sweep_next_token = models.TextField(blank=True, default="")
    hourly_sweep_done_at = models.DateTimeField(null=True, blank=True)
    daily_sweep_done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"sync of {self.account_id} up to {self.watermark}"


class SyncRun(models.Model):
    """One sync cycle of one account: the sync log."""

    class Kind(models.TextChoices):
        SYNC = "sync", "Sync"
        BACKFILL = "backfill", "Backfill"

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        OK = "ok", "Completed"
        PARTIAL = "partial", "Paused for the rate limit"
        FAILED = "failed", "Failed"

    account = models.ForeignKey("channel.Account", on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SYNC)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.RUNNING)
    pages = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    waiting = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    api_calls_by_operation = models.JSONField(default=dict)
    throttled = models.PositiveIntegerField(default=0)
    waited_seconds = models.FloatField(default=0.0)
    watermark = models.DateTimeField(null=True, blank=True, help_text="the watermark when the cycle ended")
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["account", "-started_at"], name="workers_syncrun_account")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.account_id} at {self.started_at}: {self.outcome}"


class OrderFetchRequest(models.Model):
    """A getOrder the worker owes one order, asked for by a notification (S3).

    At most one is pending per order: repeated notifications add nothing.
    """

    account = models.ForeignKey("channel.Account", on_delete=models.CASCADE, related_name="fetch_requests")
    amazon_order_id = models.CharField(max_length=64)
    requested_at = models.DateTimeField()
    notification_id = models.CharField(max_length=100, blank=True, default="")
    event_time = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True, help_text="retry after a failure, not sooner")
    claimed_by = models.CharField(max_length=200, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "amazon_order_id"],
                condition=models.Q(done_at__isnull=True),
                name="workers_fetch_one_pending",
            ),
        ]
        indexes = [models.Index(fields=["done_at", "requested_at"], name="workers_fetch_pending")]

    def __str__(self) -> str:
        return f"getOrder {self.amazon_order_id} for {self.account_id}"


class OrderRecheck(models.Model):
    """When an open order was last re-read with getOrder (S2 a), so the oldest goes first."""

    amazon_order = models.OneToOneField("channel.AmazonOrder", on_delete=models.CASCADE, related_name="recheck")
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.amazon_order_id} checked at {self.checked_at}"
