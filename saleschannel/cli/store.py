"""Store and catalog commands (``spec/cli.md``): init, store, status, orders, customers.

The product and stock commands are in ``catalog.py``, ``user add`` in ``users.py``. The
helpers here (``commerce_errors``, ``money``, ``qty``, ``store_ready``) serve all three.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from saleschannel.cli.base import CommandFailed, UsageError, emit_json

Handler = Callable[[argparse.Namespace], int | None]


def commerce_errors(handler: Handler) -> Handler:
    """Turn the store core's refusals into the CLI's: bad input exits 2, the rest exits 1."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int | None:
        from saleschannel.commerce.errors import CommerceError, InvalidInput

        try:
            return handler(args)
        except InvalidInput as exc:
            raise UsageError(exc.field, exc.value, f"error: {exc}") from None
        except CommerceError as exc:
            raise CommandFailed(f"error: {exc}") from None

    return run


def money(value: Decimal) -> str:
    """Money as a decimal string with at least two places: ``9.50``, ``0.1234``."""
    cents = value.quantize(Decimal("0.01"))
    return f"{cents:f}" if cents == value else f"{value.normalize():f}"


def qty(value: Decimal) -> int | float:
    """A quantity as a JSON number: whole quantities as integers."""
    return int(value) if value == value.to_integral_value() else float(value)


def store_ready() -> None:
    """Refuse to work on a database that ``saleschannel init`` has not set up."""
    from saleschannel.commerce.stores.models import Store
    from saleschannel.commerce.stores.services import DEFAULT_STORE_CODE

    if not Store.objects.filter(code=DEFAULT_STORE_CODE).exists():
        raise CommandFailed("error: the store is not set up yet: run `saleschannel init` first")


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def _print_rows(rows: list[dict[str, Any]], columns: list[str]) -> None:
    for row in rows:
        print("\t".join("" if row[c] is None else str(row[c]) for c in columns))


@commerce_errors
def init_command(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.db import connection

    from saleschannel.commerce.stores.services import stores_init

    stores_init()
    # The installation's keys, generated now unless the environment gives them (else on first use).
    str(settings.SECRET_KEY), str(settings.SALESCHANNEL_FERNET_KEY)
    print(f"initialized {connection.vendor} database: website base, store default, source default, "
          "stock Default Stock, order statuses")
    return 0


def _store_row(store: Any) -> dict[str, Any]:
    return {"code": store.code, "name": store.name, "website": store.website.code}


@commerce_errors
def store_list_command(args: argparse.Namespace) -> int:
    from saleschannel.commerce.stores.models import Store

    rows = [_store_row(s) for s in Store.objects.select_related("website").order_by("pk")]
    if args.json:
        emit_json(rows)
    else:
        _print_rows(rows, ["code", "name", "website"])
    return 0


@commerce_errors
def store_add_command(args: argparse.Namespace) -> int:
    from saleschannel.commerce.stores.services import store_create

    store_ready()
    store = store_create(code=args.code, name=args.name)
    if args.json:
        emit_json(_store_row(store))
    else:
        print(store.code)
    return 0


@commerce_errors
def status_add_command(args: argparse.Namespace) -> int:
    from saleschannel.commerce.sales.services import order_status_create

    store_ready()
    status = order_status_create(code=args.code, label=args.label, state=args.state)
    if args.json:
        emit_json({"code": status.code, "label": status.label, "state": status.state,
                   "is_default": status.is_default})
    else:
        print(status.code)
    return 0


def _order_row(order: Any) -> dict[str, Any]:
    from saleschannel.commerce.sales.selectors import order_totals

    amazon = order.external_channel == "amazon"
    return {
        "number": order.number,
        "store": order.store.code,
        "state": order.state,
        "status": order.status_id,
        "customer_email": order.customer_email,
        "customer_is_guest": order.customer_is_guest,
        "customer_id": order.customer_id,
        "account": order.external_account if amazon else None,
        "amazon_order_id": order.external_id if amazon else None,
        "customer_firstname": order.customer_firstname,
        "customer_lastname": order.customer_lastname,
        "grand_total": money(order.grand_total),
        "totals": order_totals(order),
        "items": [{"sku": i.sku, "qty": qty(i.qty_ordered), "price": money(i.price)} for i in order.items.all()],
    }


@commerce_errors
def orders_command(args: argparse.Namespace) -> int:
    from saleschannel.commerce.sales.selectors import orders_list
    from saleschannel.commerce.stores.selectors import store_get

    if args.store is not None:
        store_get(code=args.store)
    rows = [_order_row(o) for o in orders_list(store_code=args.store)]
    if args.json:
        emit_json(rows)
    else:
        _print_rows(rows, ["number", "store", "state", "status", "customer_email", "grand_total"])
    return 0


@commerce_errors
def customers_command(args: argparse.Namespace) -> int:
    from saleschannel.commerce.customers.selectors import customers_list

    rows = [{"id": c.pk, "email": c.email, "firstname": c.firstname, "lastname": c.lastname,
             "website": c.website.code} for c in customers_list()]
    if args.json:
        emit_json(rows)
    else:
        _print_rows(rows, ["id", "email", "firstname", "lastname", "website"])
    return 0


def register(subparsers: Any) -> None:
    init = subparsers.add_parser("init", help="create the database, the default store, source, stock and statuses")
    init.set_defaults(handler=init_command, needs_django=True)

    store = subparsers.add_parser("store", help="store views").add_subparsers(
        dest="store_command", metavar="COMMAND", required=True
    )
    listing = store.add_parser("list", help="the store views")
    add_json(listing)
    listing.set_defaults(handler=store_list_command, needs_django=True)
    add = store.add_parser("add", help="a store view in the default website")
    add.add_argument("code", metavar="CODE")
    add.add_argument("--name", required=True)
    add_json(add)
    add.set_defaults(handler=store_add_command, needs_django=True)

    status = subparsers.add_parser("status", help="order statuses").add_subparsers(
        dest="status_command", metavar="COMMAND", required=True
    )
    status_add = status.add_parser("add", help="a custom order status assigned to a state")
    status_add.add_argument("code", metavar="CODE")
    status_add.add_argument("--label", required=True)
    status_add.add_argument("--state", required=True)
    add_json(status_add)
    status_add.set_defaults(handler=status_add_command, needs_django=True)

    orders = subparsers.add_parser("orders", help="store orders")
    orders.add_argument("--store", metavar="CODE")
    add_json(orders)
    orders.set_defaults(handler=orders_command, needs_django=True)

    customers = subparsers.add_parser("customers", help="customers")
    add_json(customers)
    customers.set_defaults(handler=customers_command, needs_django=True)
