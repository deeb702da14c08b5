"""The dashboard's writes, each through the channel's own services (same rules as the CLI and the API).

Every function returns an ``Outcome``: whether it worked and a sentence for the merchant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from saleschannel.channel.models import Account, AmazonOrder


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str


def import_by_hand(*, order: AmazonOrder, user: Any) -> Outcome:
    """Import one Amazon order by hand (R5), as ``saleschannel import`` does."""
    from saleschannel.channel.services.importer import amazon_order_import_by_hand

    try:
        result = amazon_order_import_by_hand(account=order.account, amazon_order_id=order.amazon_order_id)
    except Exception as exc:  # the service's refusals carry the merchant's words
        return Outcome(False, _refusal(exc))
    return _after(order, result)


def retry(*, order: AmazonOrder, user: Any) -> Outcome:
    """Retry an order whose import failed (R16)."""
    from saleschannel.channel.services.importer import amazon_order_retry

    try:
        result = amazon_order_retry(account=order.account, amazon_order_id=order.amazon_order_id)
    except Exception as exc:
        return Outcome(False, _refusal(exc))
    return _after(order, result)


def sync_now(*, account: Account, user: Any) -> Outcome:
    """One sync cycle for the account now, taking its lease like a worker (S5)."""
    from saleschannel.channel.services.sync import account_sync

    try:
        account_sync(account=account)
    except Exception as exc:
        return Outcome(False, f"Sync failed: {_refusal(exc)}")
    return Outcome(True, f"{account.name} synced with Amazon.")


def _refusal(exc: Exception) -> str:
    text = str(getattr(exc, "message", "") or exc) or type(exc).__name__
    return text


def _after(order: AmazonOrder, result: Any) -> Outcome:
    order.refresh_from_db()
    if order.import_state == AmazonOrder.ImportState.IMPORTED:
        return Outcome(True, f"Imported as store order {order.store_order_number}.")
    return Outcome(False, f"Not imported: {order.reason or order.get_import_state_display()}")


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


def address_correction_form(order: AmazonOrder) -> AddressCorrectionForm | None:
    """The form to correct the shipping address, while the order is not imported (C17)."""
    if order.import_state == AmazonOrder.ImportState.IMPORTED:
        return None
    from saleschannel.dashboard.amazon_view import shipping_address

    return AddressCorrectionForm(initial=shipping_address(order.raw))


def address_correct(*, order: AmazonOrder, data: Any, user: Any) -> tuple[AddressCorrectionForm, Outcome]:
    form = AddressCorrectionForm(data)
    if order.import_state == AmazonOrder.ImportState.IMPORTED:
        return form, Outcome(False, "The order is imported: correct the address on the store order instead.")
    if not form.is_valid():
        return form, Outcome(False, "The address was not saved: see the fields below.")
    raise NotImplementedError


@dataclass(frozen=True)
class Refusal:
    field: str | None
    message: str


def settings_save(*, account: Account, changes: dict[str, str], user: Any) -> Refusal | None:
    """Save order settings through the channel's service; its refusal names the field (R2)."""
    from saleschannel.channel.services.settings import SettingsInvalid, order_settings_update

    try:
        order_settings_update(account=account, changes=changes, user=user)
    except SettingsInvalid as exc:
        return Refusal(getattr(exc, "field", None), getattr(exc, "message", None) or str(exc))
    return None
