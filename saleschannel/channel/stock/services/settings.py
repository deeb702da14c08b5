"""The stock settings (T1), shared by the command line, the dashboard and the API.

- ``stock_settings_get(*, account) -> StockSettings``
- ``stock_settings_as_dict(settings) -> dict``: as ``settings show --json`` prints them.
- ``stock_settings_update(*, account, changes, user=None, actor="", now=None) -> StockSettings``:
  validates as T1 and raises ``SettingsInvalid(field, message)`` changing nothing; records
  every change (as R3); a change of what the desired quantity depends on marks the
  account's offers due (T5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from saleschannel.channel.errors import SettingsInvalid
from saleschannel.channel.models import Account, OrderSettings, SettingsChange
from saleschannel.channel.stock.models import MAX_HANDLING_DAYS, MAX_QUANTITY, StockSettings
from saleschannel.channel.stock.services.offers import SETTING_CHANGED, offers_mark_due

FIELDS = ("push_stock", "out_of_stock_threshold", "max_listed_quantity", "unmanaged_quantity", "handling_time")
# Fields that may be empty (None): no cap, leave Amazon's handling time.
OPTIONAL = {"max_listed_quantity", "handling_time"}
MINIMUM = {"out_of_stock_threshold": 0, "max_listed_quantity": 1, "unmanaged_quantity": 0, "handling_time": 1}
MAXIMUM = {"out_of_stock_threshold": MAX_QUANTITY, "max_listed_quantity": MAX_QUANTITY,
           "unmanaged_quantity": MAX_QUANTITY, "handling_time": MAX_HANDLING_DAYS}
EMPTY_WORDS = ("", "none", "null")


def stock_settings_get(*, account: Account) -> StockSettings:
    """The account's stock settings (created with the defaults if missing)."""
    found, _ = StockSettings.objects.get_or_create(account=account)
    return found


def stock_settings_as_dict(settings: StockSettings) -> dict[str, str | int | None]:
    """The settings as ``settings show --json`` adds them (``None`` where empty)."""
    return {name: getattr(settings, name) for name in FIELDS}


def _number(name: str, value: object) -> int | None:
    """A whole number within the field's bounds, or None where the field may be empty."""
    if value is None or (isinstance(value, str) and value.strip().lower() in EMPTY_WORDS):
        if name in OPTIONAL:
            return None
        raise SettingsInvalid(name, "is required: a whole number")
    if isinstance(value, bool):
        raise SettingsInvalid(name, f"{value!s} refused: must be a whole number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 20:
        number = int(value.strip())
    else:
        raise SettingsInvalid(name, f"{str(value)[:64]} refused: must be a whole number")
    low, high = MINIMUM[name], MAXIMUM[name]
    if not low <= number <= high:
        raise SettingsInvalid(name, f"{str(number)[:64]} refused: must be from {low} to {high}")
    return number


def _proposed(current: StockSettings, changes: Mapping[str, object]) -> dict[str, Any]:
    """The settings as they would be after ``changes``; refuses unknown fields and values."""
    values: dict[str, Any] = {name: getattr(current, name) for name in FIELDS}
    for name, value in changes.items():
        if name not in FIELDS:
            raise SettingsInvalid(str(name)[:64], "is not a stock setting")
        if name == "push_stock":
            if value not in StockSettings.PushStock.values:
                choices = ", ".join(StockSettings.PushStock.values)
                raise SettingsInvalid(name, f"{str(value)[:64]} refused: must be one of {choices}")
            values[name] = value
        else:
            values[name] = _number(name, value)
    return values


def _validate(current: StockSettings, values: dict[str, Any], import_enabled: bool) -> None:
    """T1: push can be enabled only while Import Amazon Orders is enabled."""
    enabling = values["push_stock"] == StockSettings.PushStock.ENABLED and not current.push_enabled
    if enabling and not import_enabled:
        raise SettingsInvalid("push_stock", "cannot be enabled while Import Amazon Orders is disabled: "
                                            "Amazon's sales would not lower the store's stock")


def _shown(value: object) -> str:
    return "" if value is None else str(value)


def stock_settings_update(
    *,
    account: Account,
    changes: Mapping[str, object],
    user: Any = None,
    actor: str = "",
    now: dt.datetime | None = None,
) -> StockSettings:
    """Change the account's stock settings as one save; refused input changes nothing (T1).

    ``changes`` maps names of ``FIELDS`` to new values (numbers as int or digits; ``None``,
    ``""`` or ``"none"`` empties an optional field). ``user`` or ``actor`` says who (as R3).
    """
    now = now or timezone.now()
    with transaction.atomic():
        stock_settings_get(account=account)
        current = StockSettings.objects.select_for_update().get(account=account)
        import_enabled = OrderSettings.objects.filter(
            account=account, import_orders=OrderSettings.ImportOrders.ENABLED).exists()
        values = _proposed(current, changes)
        _validate(current, values, import_enabled)
        changed = [name for name in FIELDS if _shown(values[name]) != _shown(getattr(current, name))]
        if not changed:
            return current
        who = actor or (user.get_username() if user is not None and hasattr(user, "get_username") else "")
        SettingsChange.objects.bulk_create([
            SettingsChange(account=account, user=user if getattr(user, "pk", None) else None, actor=who,
                           changed_at=now, field=name, old_value=_shown(getattr(current, name)),
                           new_value=_shown(values[name]))
            for name in changed
        ])
        for name in changed:
            setattr(current, name, values[name])
        current.save()
        offers_mark_due(account=account, reason=SETTING_CHANGED, now=now)
    return current
