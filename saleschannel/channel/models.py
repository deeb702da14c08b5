"""The Amazon sales channel's data: accounts, their order settings, Amazon orders as seen.

- ``Account``: one Amazon seller account on one marketplace; credentials encrypted at rest.
- ``OrderSettings``: one set per account (``order-import.md``, "Order settings").
- ``SettingsChange``: each change of settings, field by field (R3).
- ``ImportPeriod``: the periods in which import was enabled (R5).
- ``AmazonOrder``: the latest snapshot of an Amazon order, its import state and reason.
- ``AmazonStatusEvent``: the Amazon status history of an order (R18).
- ``ImportAttempt``: each attempt to create the store order, with its error (R16).
- ``StockSettings``, ``Offer``, ``StockPush``, ``StockFeed``: Stock to Amazon, declared in ``channel/stock/models.py``.
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models

from saleschannel.channel.crypto import encrypted
from saleschannel.channel.stock.models import Offer, StockFeed, StockPush, StockSettings

__all__ = [
    "Account",
    "AmazonOrder",
    "AmazonStatusEvent",
    "ImportAttempt",
    "ImportPeriod",
    "Offer",
    "OrderSettings",
    "SettingsChange",
    "StockFeed",
    "StockPush",
    "StockSettings",
]


class Account(models.Model):
    """An Amazon selling account on one marketplace ("Amazon store" in the source)."""

    class Region(models.TextChoices):
        NA = "na", "North America"
        EU = "eu", "Europe"
        FE = "fe", "Far East"

    class CredentialsState(models.TextChoices):
        OK = "ok", "Credentials accepted"
        NEEDS_RECONNECTING = "needs_reconnecting", "Needs reconnecting"

    name = models.CharField(max_length=100, unique=True)
    seller_id = models.CharField(max_length=64)
    marketplace_id = models.CharField(max_length=64)
    region = models.CharField(max_length=2, choices=Region.choices)
    endpoint = models.CharField(max_length=500, blank=True, default="")
    token_url = models.CharField(max_length=500, blank=True, default="")
    # Fernet tokens; read and write them through the properties below.
    client_id_encrypted = models.TextField(blank=True, default="")
    client_secret_encrypted = models.TextField(blank=True, default="")
    refresh_token_encrypted = models.TextField(blank=True, default="")
    integrated_at = models.DateTimeField()
    credentials_state = models.CharField(
        max_length=24, choices=CredentialsState.choices, default=CredentialsState.OK
    )
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # C29: one account per (seller, marketplace).
            models.UniqueConstraint(fields=["seller_id", "marketplace_id"], name="channel_account_seller_marketplace"),
        ]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        # Never the credentials.
        return f"<Account {self.pk} {self.name!r} {self.marketplace_id}>"

    client_id = encrypted("client_id_encrypted")
    client_secret = encrypted("client_secret_encrypted")
    refresh_token = encrypted("refresh_token_encrypted")


class OrderSettings(models.Model):
    """How the account's Amazon orders are imported (the source's Order Settings page)."""

    class ImportOrders(models.TextChoices):
        DISABLED = "disabled", "Disabled"
        ENABLED = "enabled", "Enabled"

    class CustomerCreation(models.TextChoices):
        GUEST = "guest", "No Customer Creation (guest)"
        NEW_ACCOUNT = "new_account", "Build New Customer Account"

    class OrderNumberSource(models.TextChoices):
        STORE = "store", "Build Using Store Order Number"
        AMAZON = "amazon", "Build Using Amazon Order Number"

    class PendingOrders(models.TextChoices):
        NO_RESERVE = "no_reserve", "Do Not Reserve Quantity"
        RESERVE = "reserve", "Reserve Quantity"

    class OrderStatus(models.TextChoices):
        DEFAULT = "default", "Default Order Status"
        CUSTOM = "custom", "Custom Order Status"

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="order_settings")
    import_orders = models.CharField(max_length=8, choices=ImportOrders.choices, default=ImportOrders.DISABLED)
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    customer_creation = models.CharField(
        max_length=12, choices=CustomerCreation.choices, default=CustomerCreation.GUEST
    )
    order_number_source = models.CharField(
        max_length=8, choices=OrderNumberSource.choices, default=OrderNumberSource.STORE
    )
    pending_orders = models.CharField(
        max_length=12, choices=PendingOrders.choices, default=PendingOrders.NO_RESERVE
    )
    order_status = models.CharField(max_length=8, choices=OrderStatus.choices, default=OrderStatus.DEFAULT)
    # A status code of the store's order statuses; required with Order Status "custom".
    processing_order_status = models.CharField(max_length=32, blank=True, default="")
    import_enabled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "order settings"

    def __str__(self) -> str:
        return f"order settings of {self.account}"

    @property
    def import_enabled(self) -> bool:
        return self.import_orders == self.ImportOrders.ENABLED


class SettingsChange(models.Model):
    """One field changed by one save of the order settings (R3)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="settings_changes")
    user = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who, in words, also when no dashboard user made the change ("command line").
    actor = models.CharField(max_length=150, blank=True, default="")
    changed_at = models.DateTimeField()
    field = models.CharField(max_length=32)
    old_value = models.CharField(max_length=100, blank=True, default="")
    new_value = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["account", "-changed_at"], name="channel_setchg_account_when")]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} -> {self.new_value}"


class ImportPeriod(models.Model):
    """A period in which Import Amazon Orders was enabled; ``ended_at`` is None while it lasts (R5)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="import_periods")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"import enabled {self.started_at} – {self.ended_at or 'now'}"


class AmazonOrder(models.Model):
    """An Amazon order as the channel last saw it, with its import state."""

    class Channel(models.TextChoices):
        FBA = "FBA", "FBA"
        FBM = "FBM", "FBM"

    class ImportState(models.TextChoices):
        IMPORTED = "imported", "Imported"
        WAITING = "waiting", "Waiting"
        NOT_IMPORTABLE = "not_importable", "Not importable"
        ERROR = "error", "Error"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="amazon_orders")
    amazon_order_id = models.CharField(max_length=64)
    # Parsed from the latest snapshot; empty or None when the JSON could not be read.
    purchase_date = models.DateTimeField(null=True, blank=True)
    last_updated_time = models.DateTimeField(null=True, blank=True)
    # The source's names (Unshipped, Canceled, ...), "Error" when unreadable, any other as it came.
    status = models.CharField(max_length=64)
    channel = models.CharField(max_length=3, choices=Channel.choices, blank=True, default="")
    currency = models.CharField(max_length=3, blank=True, default="")
    order_total = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    buyer_name = models.CharField(max_length=255, blank=True, default="")
    is_prime = models.BooleanField(default=False)
    is_business = models.BooleanField(default=False)
    raw = models.JSONField(default=dict)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    # R5: set once a snapshot in a status that can lead to creation fell in an import period.
    auto_eligible = models.BooleanField(default=False)
    import_state = models.CharField(max_length=16, choices=ImportState.choices, default=ImportState.WAITING)
    # A short machine code of the reason (out_of_stock, import_disabled, ...) and the merchant's words.
    reason_code = models.CharField(max_length=32, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    # True while this order holds a pending reservation (R12, Pending Orders "reserve").
    holds_pending_reservation = models.BooleanField(default=False)
    # Counts the pending reservations made, so that each gets its own event key.
    pending_generation = models.PositiveIntegerField(default=0)
    # The SKUs of the latest snapshot as "|A|B|", to find the waiting orders a stock rise concerns (R9).
    skus = models.TextField(blank=True, default="")
    store_order = models.OneToOneField(
        "sales.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="amazon_order"
    )
    store_order_number = models.CharField(max_length=64, blank=True, default="")
    # R16: automatic retries of errored imports.
    error_attempts = models.PositiveIntegerField(default=0)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-purchase_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "amazon_order_id"], name="channel_amazonorder_account_id"),
        ]
        indexes = [
            models.Index(fields=["account", "-purchase_date", "-id"], name="channel_ao_account_purchase"),
            models.Index(fields=["account", "import_state", "purchase_date"], name="channel_ao_account_state"),
            # The order number search: exact and prefix (``LIKE 'x%'``) look-ups on PostgreSQL
            # whatever the database's collation; the pattern operator class serves "=" too.
            models.Index(fields=["amazon_order_id"], name="channel_ao_order_id_pat", opclasses=["varchar_pattern_ops"]),
            models.Index(
                fields=["store_order_number"],
                name="channel_ao_store_number",
                opclasses=["varchar_pattern_ops"],
                condition=~models.Q(store_order_number=""),
            ),
            models.Index(fields=["import_state", "next_retry_at"], name="channel_ao_retry"),
            # The orders that cannot be imported (the banner), counted from this small index alone.
            # Same condition as ``channel.selectors.cannot_import_filter`` (a test holds them together).
            models.Index(
                fields=["account"],
                name="channel_ao_problem",
                condition=models.Q(import_state="error") | models.Q(import_state="waiting", reason_code="out_of_stock"),
            ),
        ]

    def __str__(self) -> str:
        return self.amazon_order_id

    def __repr__(self) -> str:
        return f"<AmazonOrder {self.pk} {self.amazon_order_id} {self.status} {self.import_state}>"


class AmazonStatusEvent(models.Model):
    """An Amazon status of an order: when the channel saw it, when Amazon says it changed (R18)."""

    amazon_order = models.ForeignKey(AmazonOrder, on_delete=models.CASCADE, related_name="status_events")
    status = models.CharField(max_length=64)
    seen_at = models.DateTimeField()
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["seen_at", "pk"]
        indexes = [models.Index(fields=["amazon_order", "seen_at"], name="channel_status_order_seen")]

    def __str__(self) -> str:
        return f"{self.status} at {self.changed_at or self.seen_at}"


class ImportAttempt(models.Model):
    """One attempt to create the store order of an Amazon order (R16)."""

    amazon_order = models.ForeignKey(AmazonOrder, on_delete=models.CASCADE, related_name="import_attempts")
    attempted_at = models.DateTimeField()
    manual = models.BooleanField(default=False)
    succeeded = models.BooleanField(default=False)
    error = models.TextField(blank=True, default="")
    store_order_number = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["attempted_at", "pk"]
        indexes = [models.Index(fields=["amazon_order", "attempted_at"], name="channel_attempt_order_when")]

    def __str__(self) -> str:
        return f"attempt at {self.attempted_at}: {'ok' if self.succeeded else self.error}"


# --- the sync engine's state (S1-S5) and the merchant's address corrections (C17) ---------
# They were created by the workers and dashboard apps: they keep those tables.


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
        db_table = "workers_ratebucket"
        constraints = [
            models.UniqueConstraint(fields=["seller_id", "operation"], name="workers_ratebucket_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id}/{self.operation}: {self.tokens:.2f}/{self.burst:g} at {self.rate:g}/s"

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
    notified_at = models.DateTimeField(null=True, blank=True, help_text="the last ORDER_CHANGE notification taken")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "workers_synccursor"

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
    api_calls_by_purpose = models.JSONField(
        default=dict, help_text="calls by what they were for: incremental, notification, recheck, sweep")
    rechecks_deferred = models.PositiveIntegerField(
        default=0, help_text="open orders due a recheck that the getOrder budget left for later")
    throttled = models.PositiveIntegerField(default=0)
    waited_seconds = models.FloatField(default=0.0)
    watermark = models.DateTimeField(null=True, blank=True, help_text="the watermark when the cycle ended")
    error = models.TextField(blank=True, default="")

    class Meta:
        db_table = "workers_syncrun"
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
        db_table = "workers_orderfetchrequest"
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

    class Meta:
        db_table = "workers_orderrecheck"

    def __str__(self) -> str:
        return f"{self.amazon_order_id} checked at {self.checked_at}"

class AddressCorrection(models.Model):
    """A merchant's correction of an Amazon order's shipping address, made before its import.

    The correction is written into the order's snapshot, which the import reads; this row
    keeps who changed what, and lets the page say when Amazon later sent a newer address.
    """

    amazon_order = models.ForeignKey("channel.AmazonOrder", on_delete=models.CASCADE, related_name="address_corrections")
    user = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    corrected_at = models.DateTimeField()
    original = models.JSONField(default=dict)
    corrected = models.JSONField(default=dict)

    class Meta:
        db_table = "dashboard_addresscorrection"
        ordering = ["-corrected_at", "-pk"]

    def __str__(self) -> str:
        return f"address of {self.amazon_order_id} corrected at {self.corrected_at}"


class SyncRequest(models.Model):
    """A merchant's "Sync now": the account's worker owes it one sync cycle (S5).

    Asked for by the dashboard or the API, which answer at once; a worker serves it
    (``requested`` → ``running`` → ``done``) and links the sync log entry it produced.
    At most one is open per account: asking again while one is open adds nothing.
    """

    class State(models.TextChoices):
        REQUESTED = "requested", "Requested"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    account = models.ForeignKey("channel.Account", on_delete=models.CASCADE, related_name="sync_requests")
    state = models.CharField(max_length=9, choices=State.choices, default=State.REQUESTED)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True, default="", help_text="the worker serving it")
    run = models.ForeignKey("channel.SyncRun", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+", help_text="the sync log entry of the cycle")
    error = models.TextField(blank=True, default="", help_text="why no cycle ran, when none did")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account"], condition=~models.Q(state="done"),
                                    name="channel_syncrequest_one_open"),
        ]
        indexes = [models.Index(fields=["state", "requested_at"], name="channel_syncrequest_open")]

    def __str__(self) -> str:
        return f"sync now of {self.account_id}: {self.state}"
