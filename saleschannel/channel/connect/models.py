"""The website authorization workflow's data.

- ``ApplicationSettings``: the installation's SP-API application, once (a singleton row,
  edited in the admin; the environment wins field by field, see ``config.py``). The
  LWA client secret is encrypted at rest with the channel's key.
- ``AuthorizationState``: one ``state`` handed to Seller Central: bound to the user who
  pressed "Connect", to a marketplace (and to an account when reconnecting), valid for
  minutes and good for one callback. Only its SHA-256 is stored.
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models

from saleschannel.channel.crypto import encrypted


class ApplicationSettings(models.Model):
    """The SP-API application this installation is (one row, pk 1)."""

    application_id = models.CharField(
        "SP-API application id", max_length=200, blank=True, default="",
        help_text="amzn1.sp.solution.…, from the Solution Provider Portal.",
    )
    client_id = models.CharField("LWA client id", max_length=500, blank=True, default="")
    # A Fernet token; read and write it through ``client_secret``.
    client_secret_encrypted = models.TextField(blank=True, default="")
    redirect_url = models.CharField(
        "OAuth redirect URL", max_length=500, blank=True, default="",
        help_text="One of the application's registered redirect URIs, pointing at /accounts/connect/callback/. "
                  "Empty: built from the address the dashboard is reached at.",
    )
    draft = models.BooleanField(
        "Application is in draft", default=True,
        help_text="While the application is not published, Amazon needs version=beta in the authorization URL.",
    )
    seller_central_url = models.CharField(
        "Seller Central base URL", max_length=500, blank=True, default="",
        help_text="Empty: each marketplace's own Seller Central. Set it to the sandbox's URL to play it locally.",
    )
    token_url = models.CharField(
        "LWA token URL", max_length=500, blank=True, default="",
        help_text="Empty: Amazon's (https://api.amazon.com/auth/o2/token).",
    )
    api_endpoint = models.CharField(
        "SP-API endpoint", max_length=500, blank=True, default="",
        help_text="Empty: the region's endpoint. Given to accounts connected here (the sandbox's URL, say).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "application settings"
        verbose_name_plural = "application settings"

    def __str__(self) -> str:
        return "SP-API application settings"

    def __repr__(self) -> str:
        return f"<ApplicationSettings {self.application_id!r}>"

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = 1  # a singleton
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    client_secret = encrypted("client_secret_encrypted")


class AuthorizationState(models.Model):
    """One authorization started from the dashboard, waiting for Seller Central's callback."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting for Amazon"
        CONNECTED = "connected", "Connected"
        REFUSED = "refused", "Refused"

    # SHA-256 (hex) of the state sent to Amazon: the state itself is a bearer value.
    state_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    marketplace_id = models.CharField(max_length=64)
    # The name the merchant gave the new account (empty: one is made up).
    account_name = models.CharField(max_length=100, blank=True, default="")
    # Set when reconnecting a known account: the seller who comes back must be its seller.
    account = models.ForeignKey(
        "channel.Account", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    redirect_url = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    # Why it was refused, in words without secrets.
    detail = models.CharField(max_length=500, blank=True, default="")
    connected_account = models.ForeignKey(
        "channel.Account", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["expires_at"], name="connect_state_expires")]

    def __str__(self) -> str:
        return f"authorization {self.pk} ({self.get_outcome_display()})"

    def __repr__(self) -> str:
        return f"<AuthorizationState {self.pk} {self.marketplace_id} {self.outcome}>"
