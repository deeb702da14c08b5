"""Order and stock settings changed in one call (``settings set`` with both kinds of flags).

- ``account_settings_update(*, account, order_changes, stock_changes, user=None, actor="")``: the
  order settings first (enabling import in the same call lets push be enabled, T1), then the
  stock settings, in one transaction: a refusal of either changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from saleschannel.channel.models import Account
from saleschannel.channel.services.settings import order_settings_get, order_settings_update
from saleschannel.channel.stock.services import stock_settings_update


def account_settings_update(
    *,
    account: Account,
    order_changes: Mapping[str, object],
    stock_changes: Mapping[str, object],
    user: Any = None,
    actor: str = "",
) -> None:
    """Change both sets of settings as one save; raises ``SettingsInvalid`` naming the field."""
    with transaction.atomic():
        if order_changes:
            order_settings_get(account=account)
            order_settings_update(account=account, changes=order_changes, user=user, actor=actor)
        if stock_changes:
            stock_settings_update(account=account, changes=stock_changes, user=user, actor=actor)
