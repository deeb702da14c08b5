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
