"""The order settings service, shared by the command line, the dashboard and the API.

- ``order_settings_get(*, account) -> OrderSettings``
- ``order_settings_as_dict(settings) -> dict[str, str | None]``: the values of ``order-import.md``
  (``store`` as the store's code), as ``settings show`` prints them.
- ``order_settings_update(*, account, changes, user=None, actor="", now=None) -> OrderSettings``:
  validates as R1, R2 and C2 and raises ``SettingsInvalid(field, message)`` changing nothing;
  records every change (R3); keeps ``import_enabled_at`` and the periods of R5; then lets
  orders that hold a pending reservation, or wait on the settings, be evaluated again (R12).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from saleschannel.channel.errors import SettingsInvalid
from saleschannel.channel.models import Account, ImportPeriod, OrderSettings, SettingsChange
from saleschannel.channel.services.imports.importer import settings_changed_evaluate
from saleschannel.channel.stock.services import SETTING_CHANGED, offers_mark_due
from saleschannel.commerce.sales.models import OrderStatus
from saleschannel.commerce.stores.models import Store

S = OrderSettings
FIELDS = (
    "import_orders",
    "store",
    "customer_creation",
    "order_number_source",
    "pending_orders",
    "order_status",
    "processing_order_status",
)
CHOICES: dict[str, tuple[str, ...]] = {
    "import_orders": tuple(S.ImportOrders.values),
    "customer_creation": tuple(S.CustomerCreation.values),
    "order_number_source": tuple(S.OrderNumberSource.values),
    "pending_orders": tuple(S.PendingOrders.values),
    "order_status": tuple(S.OrderStatus.values),
}
# C19: Processing Order Status offers the statuses of the new and processing states.
PROCESSING_STATES = ("new", "processing")


def order_settings_get(*, account: Account) -> OrderSettings:
    """The account's order settings (created with the defaults if missing)."""
    found, _ = OrderSettings.objects.select_related("store").get_or_create(account=account)
    return found


def order_settings_as_dict(settings: OrderSettings) -> dict[str, str | None]:
    """The settings as ``settings show --json`` prints them."""
    return {
        "import_orders": settings.import_orders,
        "store": settings.store.code if settings.store is not None else None,
        "customer_creation": settings.customer_creation,
        "order_number_source": settings.order_number_source,
        "pending_orders": settings.pending_orders,
        "order_status": settings.order_status,
        "processing_order_status": settings.processing_order_status or None,
    }


def _store_resolve(value: object) -> Any:

    if isinstance(value, Store) or value is None:  # None: no store (refused once import is enabled, R2)
        return value
    if not isinstance(value, str) or not value.strip():
        raise SettingsInvalid("store", f"{value!s} refused: must be a store code")
    found = Store.objects.filter(code=value.strip()).first()
    if found is None:
        raise SettingsInvalid("store", f"{value[:64]} refused: no such store")
    return found


def _status_check(code: str) -> str:

    found = OrderStatus.objects.filter(code=code).first()
    if found is None:
        raise SettingsInvalid("processing_order_status", f"{code[:64]} refused: no such order status")
    if found.state not in PROCESSING_STATES:
        raise SettingsInvalid("processing_order_status",
                              f"{code} refused: assigned to state {found.state}, not new or processing")
    return code


def _proposed(current: OrderSettings, changes: Mapping[str, object]) -> dict[str, Any]:
    """The settings as they would be after ``changes``; refuses unknown fields and values."""
    values: dict[str, Any] = {name: getattr(current, name) for name in FIELDS}
    for name, value in changes.items():
        if name not in FIELDS:
            raise SettingsInvalid(str(name)[:64], "is not an order setting")
        if name in CHOICES:
            if value not in CHOICES[name]:
                raise SettingsInvalid(name, f"{str(value)[:64]} refused: must be one of {', '.join(CHOICES[name])}")
            values[name] = value
        elif name == "store":
            values[name] = _store_resolve(value)
        elif value in (None, ""):
            values[name] = ""
        elif isinstance(value, str):
            values[name] = _status_check(value.strip())
        else:
            raise SettingsInvalid(name, f"{value!s} refused: must be an order status code")
    return values


def _validate(current: OrderSettings, values: dict[str, Any]) -> None:
    """R1 + C2 (disabled import freezes the other fields), R2 (what enabled import requires)."""
    enabled = values["import_orders"] == S.ImportOrders.ENABLED
    if not current.import_enabled and not enabled:
        for name in FIELDS[1:]:
            if _shown(values[name]) != _shown(getattr(current, name)):
                raise SettingsInvalid(name, "cannot be changed while import is disabled: "
                                            "enable import in the same change")
    if enabled and values["store"] is None:
        raise SettingsInvalid("store", "is required when import is enabled")
    if values["order_status"] == S.OrderStatus.CUSTOM and not values["processing_order_status"]:
        raise SettingsInvalid("processing_order_status", "is required with Order Status custom")


def _shown(value: object) -> str:
    code = getattr(value, "code", None)
    if code is not None:
        return str(code)
    return "" if value is None else str(value)


def order_settings_update(
    *,
    account: Account,
    changes: Mapping[str, object],
    user: Any = None,
    actor: str = "",
    now: dt.datetime | None = None,
) -> OrderSettings:
    """Change the account's order settings as one save; refused input changes nothing.

    ``changes`` maps field names of ``FIELDS`` to new values (``store`` a code or a Store,
    ``processing_order_status`` a status code or empty). ``user`` (a dashboard user) or
    ``actor`` (words such as "command line") says who changed them (R3).
    """
    now = now or timezone.now()
    with transaction.atomic():
        current = OrderSettings.objects.select_for_update(of=("self",)).select_related("store").get(account=account)
        values = _proposed(current, changes)
        _validate(current, values)
        changed = [name for name in FIELDS if _shown(values[name]) != _shown(getattr(current, name))]
        if not changed:
            return current
        was_enabled = current.import_enabled
        for name in changed:
            SettingsChange.objects.create(
                account=account, user=user if getattr(user, "pk", None) else None,
                actor=actor or (getattr(user, "get_username", lambda: "")() if user is not None else ""),
                changed_at=now, field=name,
                old_value=_shown(getattr(current, name)), new_value=_shown(values[name]),
            )
            setattr(current, name, values[name])
        _periods_follow(account, current, was_enabled, now)
        current.save()
        if {"import_orders", "store"} & set(changed):  # T5: another target stock, or push paused/resumed
            offers_mark_due(account=account, reason=SETTING_CHANGED, now=now, stock_changed="store" in changed)
    _orders_follow(account=account, changed=changed)
    return current


def _periods_follow(account: Account, current: OrderSettings, was_enabled: bool, now: dt.datetime) -> None:
    """R3, R5: ``import_enabled_at`` and the periods in which import was enabled."""
    if current.import_enabled and not was_enabled:
        current.import_enabled_at = now
        ImportPeriod.objects.create(account=account, started_at=now)
    elif was_enabled and not current.import_enabled:
        ImportPeriod.objects.filter(account=account, ended_at__isnull=True).update(ended_at=now)


def _orders_follow(*, account: Account, changed: list[str]) -> None:
    """R12: disabling import or "no_reserve" releases pending reservations; enabling import, or
    any change of what creation depends on, lets the orders that wait or were held back be
    evaluated again."""

    settings_changed_evaluate(account=account, fields=changed)
