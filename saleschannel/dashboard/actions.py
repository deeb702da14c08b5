"""The dashboard's writes, each through the channel's own services (same rules as the CLI and the API).

Every function returns an ``Outcome``: whether it worked and a sentence for the merchant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone

from saleschannel.channel.errors import ChannelError
from saleschannel.channel.models import Account, AmazonOrder, SyncRequest
from saleschannel.channel.services.imports.importer import amazon_order_import_by_hand
from saleschannel.channel.services.settings import (
    SettingsInvalid,
    order_settings_get,
    order_settings_update,
)
from saleschannel.channel.services.syncrequests import sync_request_create
from saleschannel.dashboard.amazon_view import shipping_address
from saleschannel.dashboard.services import AddressRefused, amazon_order_address_correct
from saleschannel.workers.liveness import workers_alive


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    # The rules refused the action itself (not merely "not imported yet").
    refused: bool = False
    import_state: str = ""
    reason: str = ""
    store_order_number: str = ""


def import_by_hand(*, order: AmazonOrder, user: Any) -> Outcome:
    """Import one Amazon order by hand (R5), by the channel's rules, as ``saleschannel import`` does."""

    try:
        result = amazon_order_import_by_hand(account=order.account, amazon_order_id=order.amazon_order_id)
    except ChannelError as exc:
        return Outcome(False, f"Not imported: {exc}", refused=True)
    imported = result.import_state == AmazonOrder.ImportState.IMPORTED
    message = (
        f"Imported as store order {result.store_order_number}."
        if imported
        else f"Not imported: {result.reason or result.import_state}"
    )
    return Outcome(
        imported,
        message,
        import_state=result.import_state,
        reason=result.reason,
        store_order_number=result.store_order_number,
    )


def retry(*, order: AmazonOrder, user: Any) -> Outcome:
    """Retry by hand an order whose import failed (R16): one more evaluation by the same rules."""
    if order.import_state != AmazonOrder.ImportState.ERROR:
        return Outcome(False, "Only an order whose import failed can be retried.", refused=True)
    return import_by_hand(order=order, user=user)


@dataclass(frozen=True)
class SyncAsked:
    """A "Sync now": the request the worker serves, whether a worker runs, a sentence for the merchant."""

    request: SyncRequest | None
    worker_running: bool
    message: str
    refused: bool = False


def sync_now(*, account: Account, user: Any, now: dt.datetime | None = None) -> SyncAsked:
    """Ask the account's worker for a sync cycle now (S5); never runs one here, never waits.

    Refused for an account whose credentials need reconnecting (no cycle could succeed).
    With no worker running the request is kept, and the merchant told it waits for one.
    """
    now = now or timezone.now()
    if account.credentials_state != Account.CredentialsState.OK:
        return SyncAsked(None, workers_alive(now=now),
                         f"{account.name} needs reconnecting before it can be synced.", refused=True)
    request, made = sync_request_create(account=account, user=user, now=now)
    running = workers_alive(now=now)
    if not running:
        message = (f"Sync of {account.name} requested, but no worker is running: it starts when one does "
                   "(saleschannel worker).")
    elif request.state == SyncRequest.State.RUNNING:
        message = f"{account.name} is being synced now."
    elif made:
        message = f"Sync of {account.name} requested: a worker starts it in a few seconds."
    else:
        message = f"Sync of {account.name} was already requested: a worker starts it in a few seconds."
    return SyncAsked(request, running, message)


class AddressCorrectionForm(forms.Form):
    name = forms.CharField(max_length=255, required=False)
    companyName = forms.CharField(max_length=255, required=False, label="Company")
    addressLine1 = forms.CharField(max_length=255, required=False, label="Street")
    addressLine2 = forms.CharField(max_length=255, required=False, label="Street (2)")
    city = forms.CharField(max_length=100, required=False)
    stateOrRegion = forms.CharField(max_length=100, required=False, label="State or region")
    postalCode = forms.CharField(max_length=32, required=False, label="Postal code")
    countryCode = forms.CharField(max_length=2, min_length=2, required=True, label="Country code")
    phone = forms.CharField(max_length=40, required=False)

    def clean_countryCode(self) -> str:
        value = self.cleaned_data["countryCode"].strip().upper()
        if not (len(value) == 2 and value.isascii() and value.isalpha()):
            raise forms.ValidationError("Enter the two-letter country code, for example DE.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("addressLine1") or "").strip():
            self.add_error("addressLine1", "Enter the street.")
        if not (data.get("city") or "").strip():
            self.add_error("city", "Enter the city.")
        return data


def address_correction_form(order: AmazonOrder) -> AddressCorrectionForm | None:
    """The form to correct the shipping address, while the order is not imported (C17)."""
    if order.import_state == AmazonOrder.ImportState.IMPORTED:
        return None

    return AddressCorrectionForm(initial=shipping_address(order.raw))


def address_correct(*, order: AmazonOrder, data: Any, user: Any) -> tuple[AddressCorrectionForm, Outcome]:
    form = AddressCorrectionForm(data)
    if order.import_state == AmazonOrder.ImportState.IMPORTED:
        return form, Outcome(False, "The order is imported: correct the address on the store order instead.")
    if not form.is_valid():
        return form, Outcome(False, "The address was not saved: see the fields below.")

    try:
        amazon_order_address_correct(amazon_order_pk=order.pk, address=form.cleaned_data, user=user)
    except AddressRefused as exc:
        return form, Outcome(False, str(exc))
    return form, Outcome(True, "Shipping address corrected; the import will use it.")


@dataclass(frozen=True)
class Refusal:
    field: str | None
    message: str


def settings_save(*, account: Account, changes: dict[str, str], user: Any) -> Refusal | None:
    """Save order settings through the channel's service; its refusal names the field (R2)."""

    order_settings_get(account=account)  # an account connected without settings gets the defaults first
    try:
        order_settings_update(account=account, changes=changes, user=user)
    except SettingsInvalid as exc:
        return Refusal(getattr(exc, "field", None), getattr(exc, "message", None) or str(exc))
    return None
