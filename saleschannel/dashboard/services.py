"""The dashboard's one write of its own: correcting a shipping address before import (C17).

Everything else the dashboard changes goes through the channel's services.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction
from django.utils import timezone

from saleschannel.channel.models import AddressCorrection, AmazonOrder
from saleschannel.dashboard.amazon_view import ADDRESS_FIELDS


class AddressRefused(Exception):
    """The address cannot be corrected (the order is imported already)."""


def amazon_order_address_correct(*, amazon_order_pk: int, address: dict[str, str], user: Any) -> AddressCorrection:
    """Replace the delivery address in the order's snapshot, under the order's row lock; refused once imported."""
    known = {key for key, _ in ADDRESS_FIELDS}
    wanted = {key: (value or "").strip() for key, value in address.items() if key in known}
    with transaction.atomic():
        order = AmazonOrder.objects.select_for_update().get(pk=amazon_order_pk)
        if order.import_state == AmazonOrder.ImportState.IMPORTED:
            raise AddressRefused("The order is imported: the address can no longer be corrected here.")
        raw: dict[str, Any] = copy.deepcopy(order.raw) if isinstance(order.raw, dict) else {}
        found = raw.get("recipient")
        recipient: dict[str, Any] = found if isinstance(found, dict) else {}
        found = recipient.get("deliveryAddress")
        original: dict[str, Any] = found if isinstance(found, dict) else {}
        corrected = {k: v for k, v in original.items() if k not in wanted}
        corrected.update({k: v for k, v in wanted.items() if v})
        recipient["deliveryAddress"] = corrected
        raw["recipient"] = recipient
        order.raw = raw
        order.save(update_fields=["raw"])
        return AddressCorrection.objects.create(
            amazon_order=order,
            user=user if getattr(user, "pk", None) else None,
            corrected_at=timezone.now(),
            original=original,
            corrected=corrected,
        )
