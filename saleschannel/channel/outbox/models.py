"""The durable outbox of messages to Amazon.

A message is written in the same transaction as the change it tells Amazon about (a
shipment), then sent by a worker, retried with back-off until Amazon accepts it, and
never sent again once it was accepted. Its ``payload`` is the request body, kept as it
will be sent, so every retry sends the same thing (C22: the same ``packageReferenceId``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from saleschannel.channel.models import Account


class OutboxMessage(models.Model):
    class Kind(models.TextChoices):
        CONFIRM_SHIPMENT = "confirm_shipment", "Shipment confirmation"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Confirmed to Amazon"
        REFUSED = "refused", "Refused by Amazon"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="outbox_messages")
    amazon_order_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    shipment = models.ForeignKey(
        "shipping.Shipment", on_delete=models.PROTECT, null=True, blank=True, related_name="outbox_messages"
    )
    # The seller's id of the package within the Amazon order; never changes once written.
    package_reference_id = models.CharField(max_length=32, blank=True, default="")
    payload = models.JSONField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A sender's claim: another sender leaves the message alone until the claim runs out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=128, blank=True, default="")
    last_error = models.TextField(blank=True, default="")
    # Amazon's errors[] of the last refusal: [{"code", "message", "details"}].
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "kind"], condition=Q(shipment__isnull=False), name="outbox_one_message_per_shipment"
            ),
            models.UniqueConstraint(
                fields=["account", "amazon_order_id", "package_reference_id"],
                condition=~Q(package_reference_id=""), name="outbox_package_reference_once",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["account", "amazon_order_id"], name="outbox_order"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amazon_order_id} ({self.state})"

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.pk} {self.kind} {self.amazon_order_id} {self.state} attempts={self.attempts}>"


class OutboxAttempt(models.Model):
    """One try to send a message, and what Amazon answered."""

    class Outcome(models.TextChoices):
        SENT = "sent", "Accepted"
        RETRY = "retry", "Will retry"
        REFUSED = "refused", "Refused"

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attempts_log")
    attempted_at = models.DateTimeField()
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    status = models.PositiveIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True, default="")
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["attempted_at", "pk"]
        indexes = [models.Index(fields=["message", "attempted_at"], name="outbox_attempt_message")]

    def __str__(self) -> str:
        return f"{self.outcome} at {self.attempted_at}"
