"""The order view's shipping actions (C23): ship from the dashboard, correct and resend a refused confirmation.

Both answer a POST from the fragment ``outbox/_order_shipments.html`` and go back to the
order's page with a message; a refusal names the field and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from saleschannel.channel.outbox.models import OutboxMessage
from saleschannel.channel.outbox.services import amazon_order_ship, outbox_message_resend
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.sales.models import Order
from saleschannel.dashboard.permissions import manager_required

QTY_PREFIX = "qty_"


def _order_page(order_pk: int) -> HttpResponse:
    return redirect("dashboard:order", pk=order_pk)


def _ship_date(text: str) -> dt.datetime | None:
    """``YYYY-MM-DD`` from a date input: midnight UTC of that day; empty is now."""
    text = text.strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("ship_date", text, "is not a date (YYYY-MM-DD)") from None
    if day > timezone.now().date() + dt.timedelta(days=1):
        raise InvalidInput("ship_date", text, "is in the future")
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _lines(order: Order, post: dict[str, str]) -> list[tuple[int, Decimal]]:
    """The quantities typed per line (``qty_<item id>``); empty or 0 ships nothing of that line."""
    lines = []
    for key, value in post.items():
        if not key.startswith(QTY_PREFIX) or not value.strip():
            continue
        try:
            item_pk, qty = int(key[len(QTY_PREFIX):]), Decimal(value.strip())
        except (ValueError, InvalidOperation):
            raise InvalidInput("items", value, "is not a quantity") from None
        if qty != 0:
            lines.append((item_pk, qty))
    if not lines:
        raise InvalidInput("items", "", "give a quantity for at least one line")
    return lines


@require_POST
@manager_required
def order_ship(request: HttpRequest, pk: int) -> HttpResponse:
    order = Order.objects.filter(pk=pk).first()
    if order is None:
        raise Http404("No such order.")
    post = {key: request.POST.get(key, "") for key in request.POST}
    try:
        shipment, message = amazon_order_ship(
            order=order, carrier_code=post.get("carrier", ""), carrier_name=post.get("carrier_name", ""),
            tracking_number=post.get("tracking", ""), lines=_lines(order, post),
            source=post.get("source") or None, shipped_at=_ship_date(post.get("ship_date", "")),
        )
    except InvalidInput as exc:
        messages.error(request, f"Not shipped: {exc}")
        return _order_page(order.pk)
    sent = " The confirmation to Amazon is on its way." if message is not None else ""
    messages.success(request, f"Shipment {shipment.pk} recorded.{sent}")
    return _order_page(order.pk)


@require_POST
@manager_required
def message_resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = OutboxMessage.objects.select_related("shipment").filter(pk=pk).first()
    if message is None or message.shipment is None:
        raise Http404("No such message.")
    changes: dict[str, Any] = {name: request.POST[name].strip() for name in ("carrier", "carrier_name", "tracking")
                               if name in request.POST}
    items = {key.removeprefix("item_"): request.POST[key].strip() for key in request.POST if key.startswith("item_")}
    if items:
        changes["items"] = items  # C39: the items Amazon refused can be corrected too
    try:
        shipped_at = _ship_date(request.POST.get("ship_date", ""))
        if shipped_at is not None:
            changes["ship_date"] = shipped_at.isoformat()
        outbox_message_resend(message=message, changes=changes)
    except InvalidInput as exc:
        messages.error(request, f"Not resent: {exc}")
    else:
        messages.success(request, f"Shipment {message.shipment_id}: the corrected confirmation will be sent again.")
    return _order_page(message.shipment.order_id)

