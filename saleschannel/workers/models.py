"""Leases: who may work on an account now, and when it is next due.

The rest of the sync engine's state (cursors, runs, fetch requests, rechecks, rate
buckets) belongs to the channel (``saleschannel.channel.models``); leases belong to the
processes that run the sync, which is why they live here.
"""

from __future__ import annotations

from django.db import models


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
