"""Stock to Amazon's data (``spec/stock-to-amazon.md``): settings, offers, pushes.

- ``StockSettings``: one set per account, beside the Order Settings (T1).
- ``Offer``: a listing of the account learned from Amazon (T3), or a store SKU with none,
  with what was last pushed and what the store has seen since (T5).
- ``StockPush``: each push, why, what, how and Amazon's answer (T11, T13).
- ``StockFeed``: a ``JSON_LISTINGS_FEED`` of quantities, at most one in flight per account (T9).

Declared with the channel app (``channel/models.py`` imports them); they name the account
as ``"channel.Account"`` so that this module needs nothing of ``channel/models.py``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

MAX_QUANTITY = 1_000_000  # [D] beyond any real shelf; refuses a typing slip such as 10^12
MAX_HANDLING_DAYS = 30


class StockSettings(models.Model):
    """The Stock/Quantity settings of one account (T1); empty (None) where the spec allows."""

    class PushStock(models.TextChoices):
        DISABLED = "disabled", "Disabled"
        ENABLED = "enabled", "Enabled"

    account = models.OneToOneField("channel.Account", on_delete=models.CASCADE, related_name="stock_settings")
    push_stock = models.CharField(max_length=8, choices=PushStock.choices, default=PushStock.DISABLED)
    out_of_stock_threshold = models.PositiveIntegerField(default=0)
    max_listed_quantity = models.PositiveIntegerField(null=True, blank=True)
    unmanaged_quantity = models.PositiveIntegerField(default=100)
    handling_time = models.PositiveSmallIntegerField(null=True, blank=True)
    # The Amazon orders seen up to here have marked their offers due (T5, T4.4).
    orders_seen_until = models.DateTimeField(null=True, blank=True)
    # T3, T12: when every store SKU was last searched on Amazon (the daily read).
    offers_read_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "channel"
        verbose_name_plural = "stock settings"
        constraints = [
            models.CheckConstraint(condition=Q(out_of_stock_threshold__lte=MAX_QUANTITY),
                                   name="channel_stockset_threshold"),
            models.CheckConstraint(
                condition=Q(max_listed_quantity__isnull=True)
                | Q(max_listed_quantity__gte=1, max_listed_quantity__lte=MAX_QUANTITY),
                name="channel_stockset_max_listed",
            ),
            models.CheckConstraint(condition=Q(unmanaged_quantity__lte=MAX_QUANTITY),
                                   name="channel_stockset_unmanaged"),
            models.CheckConstraint(
                condition=Q(handling_time__isnull=True) | Q(handling_time__gte=1, handling_time__lte=MAX_HANDLING_DAYS),
                name="channel_stockset_handling_time",
            ),
        ]

    def __str__(self) -> str:
        return f"stock settings of {self.account}"

    @property
    def push_enabled(self) -> bool:
        return self.push_stock == self.PushStock.ENABLED


class Offer(models.Model):
    """One SKU of one account as Amazon lists it (T3), and where its push stands (T5, T11, T14)."""

    class State(models.TextChoices):
        IN_SYNC = "in_sync", "In sync"
        DUE = "due", "Due"
        SENT = "sent", "Sent"
        ERROR = "error", "Error"
        DRIFT = "drift", "Drift"
        FBA = "fba", "FBA: not pushed"
        NOT_IN_STORE = "not_in_store", "Not in store"
        NOT_ON_AMAZON = "not_on_amazon", "Not on Amazon"
        LEFT_ALONE = "left_alone", "Left alone"

    account = models.ForeignKey("channel.Account", on_delete=models.CASCADE, related_name="offers")
    sku = models.CharField(max_length=64)
    # T3: every patch needs the product type; the channels and status as Amazon last said.
    product_type = models.CharField(max_length=100, blank=True, default="")
    mfn = models.BooleanField(default=False)  # has a DEFAULT element: the only offers ever pushed
    afn = models.BooleanField(default=False)  # has an AMAZON_* element
    amazon_status = models.JSONField(default=list, blank=True)  # ["BUYABLE", "DISCOVERABLE"]
    # T12: the severities of the listing's issues, as LISTINGS_ITEM_ISSUES_CHANGE last told them.
    amazon_issue_severities = models.JSONField(default=list, blank=True)
    amazon_quantity = models.IntegerField(null=True, blank=True)  # DEFAULT quantity, Amazon's last word
    amazon_quantity_at = models.DateTimeField(null=True, blank=True)
    discovered_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.DUE)
    desired_quantity = models.IntegerField(null=True, blank=True)  # as last computed, for the pages
    # What Amazon last accepted (T11), and the store's version it was computed from.
    last_accepted_quantity = models.IntegerField(null=True, blank=True)
    last_accepted_version = models.PositiveBigIntegerField(null=True, blank=True)
    last_accepted_at = models.DateTimeField(null=True, blank=True)
    # T5: the (stock, SKU) version last decided for (pushed, or found equal); due once the store's grows.
    seen_stock_version = models.PositiveBigIntegerField(default=0)
    # T5: the channel's own marks (Amazon order seen, setting changed, drift, retry): due while ahead.
    due_generation = models.PositiveIntegerField(default=0)
    seen_generation = models.PositiveIntegerField(default=0)
    due_since = models.DateTimeField(null=True, blank=True)
    due_reason = models.CharField(max_length=255, blank=True, default="")
    last_push_reason = models.CharField(max_length=255, blank=True, default="")
    error_code = models.CharField(max_length=100, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    error_attributes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "channel"
        ordering = ["account_id", "sku"]
        constraints = [
            models.UniqueConstraint(fields=["account", "sku"], name="channel_offer_account_sku"),
        ]
        indexes = [models.Index(fields=["account", "state"], name="channel_offer_account_state")]

    def __str__(self) -> str:
        return f"{self.sku} ({self.state})"

    @property
    def channel(self) -> str | None:
        """``MFN`` when merchant-fulfilled (pushed), ``AFN`` when only FBA, None when not on Amazon."""
        if self.mfn:
            return "MFN"
        return "AFN" if self.afn else None


class StockPush(models.Model):
    """One push of one offer's quantity (T13): why, what, how, and Amazon's answer (T11).

    One row per (offer, stock version, channel mark): a retry after 429 or 5xx is the same
    push again (``attempts``), so one version is never recorded as pushed twice.
    """

    class Method(models.TextChoices):
        PATCH = "patch", "patchListingsItem"
        FEED = "feed", "JSON_LISTINGS_FEED"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Sent, no answer yet"
        ACCEPTED = "accepted", "Accepted"
        INVALID = "invalid", "Refused by Amazon"
        RETRY = "retry", "To be sent again"

    account = models.ForeignKey("channel.Account", on_delete=models.CASCADE, related_name="stock_pushes")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="pushes")
    sku = models.CharField(max_length=64)
    reason = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField()
    handling_time = models.PositiveSmallIntegerField(null=True, blank=True)
    stock_version = models.PositiveBigIntegerField()
    generation = models.PositiveIntegerField()
    method = models.CharField(max_length=8, choices=Method.choices)
    feed_id = models.CharField(max_length=100, blank=True, default="")
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.PENDING)
    submission_id = models.CharField(max_length=100, blank=True, default="")
    issues = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    sent_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "channel"
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "stock_version", "generation"], name="channel_push_once"),
        ]
        indexes = [
            models.Index(fields=["account", "-sent_at"], name="channel_push_account_sent"),
            models.Index(fields=["sent_at"], name="channel_push_sent"),  # the 90-day retention (T13)
        ]

    def __str__(self) -> str:
        return f"{self.sku} -> {self.quantity} ({self.outcome})"


class StockFeed(models.Model):
    """A ``JSON_LISTINGS_FEED`` of an account's quantities (T9): at most one in flight per account.

    ``skus`` names message ``n`` as ``skus[n - 1]``; each message's push is a ``StockPush`` row
    with this ``feed_id`` (outcome ``pending`` until the processing report answers it).
    """

    class Status(models.TextChoices):
        BUILT = "built", "Built, not yet created on Amazon"
        IN_QUEUE = "IN_QUEUE", "In queue"
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        DONE = "DONE", "Done"
        FATAL = "FATAL", "Fatal"
        CANCELLED = "CANCELLED", "Cancelled"

    account = models.ForeignKey("channel.Account", on_delete=models.CASCADE, related_name="stock_feeds")
    feed_id = models.CharField(max_length=100, blank=True, default="")
    reason = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BUILT)
    skus = models.JSONField(default=list)
    accepted = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField()
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "channel"
        ordering = ["-built_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["account"], condition=Q(finished_at__isnull=True),
                                    name="channel_stockfeed_one_in_flight"),
        ]

    def __str__(self) -> str:
        return f"feed {self.feed_id or '(not created)'} of {len(self.skus)} ({self.status})"

    @property
    def in_flight(self) -> bool:
        return self.finished_at is None
