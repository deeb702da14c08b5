"""``saleschannel ship``: ship a store order and confirm it to Amazon (``spec/cli.md``, C22).

The shipment and its confirmation are written in one transaction; the worker sends the
confirmation (``--send-now`` sends it at once, and exits 1 with Amazon's words when Amazon
refuses it, C39). Refused input exits 2 with one line naming
the field and the value, and changes nothing. Shipping works while import is disabled (C2).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from saleschannel.cli.base import UsageError, emit_json
from saleschannel.cli.store import add_json, commerce_errors, qty, store_ready

#: A ship date may be ahead of the clock by this much (time zones), no more.
FUTURE_SLACK = dt.timedelta(days=1)


def ship_date_parse(text: str | None, *, now: dt.datetime) -> dt.datetime | None:
    """``2026-11-28`` (midnight UTC) or an ISO 8601 date and time (UTC when it names no zone)."""
    if text is None:
        return None
    try:
        if len(text.strip()) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(text.strip()), dt.time(), tzinfo=dt.UTC)
        else:
            moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError("ship_date", text, f"error: ship_date: {text}: not an ISO 8601 date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    if moment > now + FUTURE_SLACK:
        raise UsageError("ship_date", text, f"error: ship_date: {text}: is in the future")
    return moment


def order_find(number: str, store_code: str | None) -> Any:
    """The store order with this number (in ``store_code`` when given; it must be unique otherwise)."""
    from saleschannel.commerce.sales.models import Order
    from saleschannel.commerce.stores.selectors import store_get

    orders = Order.objects.select_related("store").filter(number=number)
    if store_code is not None:
        orders = orders.filter(store=store_get(code=store_code))
    found = list(orders[:10])
    if not found:
        where = f" in store {store_code}" if store_code else ""
        raise UsageError("order", number, f"error: order: {number}: no such order{where}")
    if len(found) > 1:
        stores = ", ".join(sorted(o.store.code for o in found))
        raise UsageError("order", number, f"error: order: {number}: is in stores {stores}: name one with --store")
    return found[0]


def _row(shipment: Any, message: Any) -> dict[str, Any]:
    return {
        "order": shipment.order.number,
        "store": shipment.order.store.code,
        "state": shipment.order.state,
        "shipment": shipment.pk,
        "source": shipment.source.code,
        "carrier": shipment.carrier_code,
        "carrier_name": shipment.carrier_name,
        "tracking": shipment.tracking_number,
        "ship_date": shipment.shipped_at,
        "items": [{"sku": i.sku, "qty": qty(i.qty)} for i in shipment.items.order_by("pk")],
        "package_reference_id": message.package_reference_id if message else None,
        "confirmation": message.state if message else None,
        "confirmation_error": (message.last_error or None) if message else None,
    }


@commerce_errors
def ship_command(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from saleschannel.channel.outbox.services import amazon_order_ship, outbox_message_send
    from saleschannel.commerce.shipping.lines import ship_lines_parse

    store_ready()
    now = timezone.now()
    shipped_at = ship_date_parse(args.ship_date, now=now)
    order = order_find(args.order_number, args.store)
    lines = ship_lines_parse(order=order, text=args.items) if args.items is not None else None
    shipment, message = amazon_order_ship(
        order=order, carrier_code=args.carrier, carrier_name=args.carrier_name or "", tracking_number=args.tracking,
        lines=lines, source=args.source, shipped_at=shipped_at, now=now,
    )
    if message is not None and args.send_now:
        message = outbox_message_send(message=message)
    shipment.order.refresh_from_db()
    row = _row(shipment, message)
    if args.json:
        emit_json(row)
    else:
        items = ", ".join(f"{i['sku']} x {i['qty']}" for i in row["items"])
        confirmation = f"; confirmation to Amazon: {row['confirmation']}" if message else ""
        print(f"order {row['order']}: shipment {row['shipment']} ({items}) from {row['source']}, "
              f"order {row['state']}{confirmation}")
    if message is not None and message.state == "refused":
        import sys

        print(f"Amazon refused the confirmation: {message.last_error}", file=sys.stderr)
        return 1  # C39: the shipment stands, but Amazon does not know of it yet
    return 0


def register(subparsers: Any) -> None:
    ship = subparsers.add_parser("ship", help="ship a store order and confirm it to Amazon")
    ship.add_argument("order_number", metavar="ORDER_NUMBER")
    ship.add_argument("--carrier", required=True, metavar="CODE", help="Amazon's carrier code, or Other")
    ship.add_argument("--carrier-name", metavar="NAME", help="required with --carrier Other")
    ship.add_argument("--tracking", required=True, metavar="NUMBER")
    ship.add_argument("--items", metavar="LINE=QTY,…", help="LINE (position or Amazon order item id) or SKU "
                      "(when on one line only) = quantity; all remaining items when left out")
    ship.add_argument("--store", metavar="CODE", help="the store, when two stores share the order number")
    ship.add_argument("--source", metavar="CODE", help="the source the items leave from")
    ship.add_argument("--ship-date", metavar="DATE", help="ISO 8601 date or date and time; now when left out")
    ship.add_argument("--send-now", action="store_true", help="send the confirmation now instead of by the worker")
    add_json(ship)
    ship.set_defaults(handler=ship_command, needs_django=True)
