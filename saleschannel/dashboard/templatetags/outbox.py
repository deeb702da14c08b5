"""``{% order_shipments order %}``: the order view's shipments, their confirmation to Amazon, and the ship form."""

from __future__ import annotations

from typing import Any

from django import template

from saleschannel.channel.outbox.selectors import COMMON_CARRIER_CODES, order_shipments
from saleschannel.dashboard.permissions import is_manager

register = template.Library()


@register.inclusion_tag("outbox/_order_shipments.html", takes_context=True)
def order_shipments_panel(context: template.Context, order: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "view": order_shipments(order=order),
        "carriers": COMMON_CARRIER_CODES,
        "may_act": user is not None and is_manager(user),
        "csrf_token": context.get("csrf_token"),
    }
