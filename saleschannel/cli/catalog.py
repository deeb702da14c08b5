"""Product and stock commands (``spec/cli.md``, "Store and catalog")."""

from __future__ import annotations

import argparse
from typing import Any

from saleschannel.cli.base import emit_json
from saleschannel.cli.store import add_json, commerce_errors, money, qty, store_ready


def _product_row(product: Any) -> dict[str, Any]:
    return {"sku": product.sku, "name": product.name, "price": money(product.price),
            "status": product.status, "manage_stock": product.manage_stock}


@commerce_errors
def product_add_command(args: argparse.Namespace) -> int:
    from saleschannel.commerce.catalog.services import product_create

    store_ready()
    product = product_create(sku=args.sku, name=args.name, price=args.price, qty=args.qty,
                             manage_stock=args.manage_stock, enabled=not args.disabled)
    if args.json:
        emit_json(_product_row(product))
    else:
        print(product.sku)
    return 0


@commerce_errors
def product_show_command(args: argparse.Namespace) -> int:
    from saleschannel.commerce.catalog.selectors import product_get

    row = _product_row(product_get(sku=args.sku))
    if args.json:
        emit_json(row)
    else:
        for key, value in row.items():
            print(f"{key}: {value}")
    return 0


@commerce_errors
def stock_set_command(args: argparse.Namespace) -> int:
    from saleschannel.commerce.catalog.selectors import product_get
    from saleschannel.commerce.inventory.services import source_get, source_item_set

    store_ready()
    product_get(sku=args.sku)
    source = source_get(args.source)
    item = source_item_set(source=source, sku=args.sku, quantity=args.qty, status=args.status)
    row = {"sku": item.sku, "source": source.code, "quantity": qty(item.quantity), "status": item.status}
    if args.json:
        emit_json(row)
    else:
        print(f"{item.sku} on {source.code}: {qty(item.quantity)}")
    return 0


@commerce_errors
def stock_show_command(args: argparse.Namespace) -> int:
    from saleschannel.commerce.catalog.selectors import product_get
    from saleschannel.commerce.inventory.models import Reservation
    from saleschannel.commerce.inventory.selectors import stock_figures, stock_for_store
    from saleschannel.commerce.stores.selectors import store_get

    store = store_get(code=args.store)
    product = product_get(sku=args.sku)
    stock = stock_for_store(store=store)
    figure = stock_figures(stock=stock, skus=[product.sku])[product.sku]
    entries = Reservation.objects.filter(stock=stock, sku=product.sku).order_by("pk")
    row = {
        "sku": product.sku,
        "quantity": qty(figure.quantity),
        "reserved": qty(figure.reserved),
        "salable": qty(figure.salable),
        "manage_stock": product.manage_stock,
        "reservations": [{"quantity": qty(r.quantity), "event": r.event_type, "object_id": r.object_id}
                         for r in entries],
    }
    if args.json:
        emit_json(row)
    else:
        print(f"{row['sku']}: quantity {row['quantity']}, reserved {row['reserved']}, salable {row['salable']}"
              f"{'' if product.manage_stock else ' (stock not managed: always salable)'}")
    return 0


def register(subparsers: Any) -> None:
    product = subparsers.add_parser("product", help="products").add_subparsers(
        dest="product_command", metavar="COMMAND", required=True
    )
    add = product.add_parser("add", help="a product, with QTY on the default source")
    add.add_argument("sku", metavar="SKU")
    add.add_argument("--name", required=True)
    add.add_argument("--price", required=True, help="a decimal, e.g. 9.50")
    add.add_argument("--qty", help="the quantity on the default source")
    add.add_argument("--no-manage-stock", dest="manage_stock", action="store_false")
    add.add_argument("--disabled", action="store_true")
    add_json(add)
    add.set_defaults(handler=product_add_command, needs_django=True)
    show = product.add_parser("show", help="one product")
    show.add_argument("sku", metavar="SKU")
    add_json(show)
    show.set_defaults(handler=product_show_command, needs_django=True)

    stock = subparsers.add_parser("stock", help="source quantities and salable quantity").add_subparsers(
        dest="stock_command", metavar="COMMAND", required=True
    )
    stock_set = stock.add_parser("set", help="set the quantity of SKU on a source")
    stock_set.add_argument("sku", metavar="SKU")
    stock_set.add_argument("qty", metavar="QTY")
    stock_set.add_argument("--source", metavar="CODE")
    stock_set.add_argument("--status", choices=["in_stock", "out_of_stock"])
    add_json(stock_set)
    stock_set.set_defaults(handler=stock_set_command, needs_django=True)
    stock_show = stock.add_parser("show", help="quantity, reservations and salable quantity of SKU")
    stock_show.add_argument("sku", metavar="SKU")
    stock_show.add_argument("--store", metavar="CODE")
    add_json(stock_show)
    stock_show.set_defaults(handler=stock_show_command, needs_django=True)
