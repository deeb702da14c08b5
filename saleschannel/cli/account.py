"""Amazon account commands (``spec/cli.md``, "Amazon accounts"): account connect, settings show,
settings set, amazon-orders, import.

The sync commands (``sync``, ``sync-log``, ``worker``) belong to the sync engine.
Refused input exits 2 with one line naming the field; a refused secret is never echoed.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from saleschannel.cli.base import CommandFailed, UsageError, emit_json

Handler = Callable[[argparse.Namespace], int | None]

SETTINGS_FLAGS = {
    "import_orders": "import_orders",
    "store": "store",
    "customer_creation": "customer_creation",
    "order_number_source": "order_number_source",
    "pending_orders": "pending_orders",
    "order_status": "order_status",
    "processing_status": "processing_order_status",
}
# ``stock-to-amazon.md`` T1, as ``cli.md`` names the flags.
STOCK_FLAGS = {
    "push_stock": "push_stock",
    "out_of_stock_threshold": "out_of_stock_threshold",
    "max_listed_quantity": "max_listed_quantity",
    "unmanaged_quantity": "unmanaged_quantity",
    "handling_time": "handling_time",
}


def channel_errors(handler: Handler) -> Handler:
    """The channel's refusals as the CLI's: bad input exits 2 naming the field, the rest exits 1."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int | None:
        from saleschannel.channel.errors import (
            AccountInvalid,
            AccountNotFound,
            ImportRefused,
            SettingsInvalid,
        )

        try:
            return handler(args)
        except (AccountInvalid, SettingsInvalid) as exc:
            raise UsageError(exc.field, None, f"error: {exc}") from None
        except AccountNotFound as exc:
            raise UsageError("account", exc.value, f"error: {exc}") from None
        except ImportRefused as exc:
            raise CommandFailed(f"error: {exc}") from None

    return run


def _account(ref: str) -> Any:
    from saleschannel.channel.services.accounts import account_get

    return account_get(ref=ref)


def _secret(args: argparse.Namespace, name: str, flag: str) -> str:
    """A secret from its flag or its file (never both); a refusal names the flag, never the value."""
    value = getattr(args, name)
    path = getattr(args, f"{name}_file")
    if value is not None and path is not None:
        raise UsageError(flag, None, f"error: {flag}: give the value or {flag}-file, not both")
    if path is None:
        return value or ""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "cannot be read"
        raise UsageError(f"{flag}-file", path, f"error: {flag}-file: {path}: {reason}") from None
    return text.strip()


@channel_errors
def connect_command(args: argparse.Namespace) -> int:
    from saleschannel.channel.services.accounts import account_connect

    refresh_token = _secret(args, "refresh_token", "--refresh-token")
    if not refresh_token:
        raise UsageError("--refresh-token", None, "error: --refresh-token: required (or --refresh-token-file)")
    account, created = account_connect(
        name=args.name, seller_id=args.seller_id, marketplace_id=args.marketplace, region=args.region,
        endpoint=args.endpoint or "", token_url=args.token_url or "", client_id=args.client_id or "",
        client_secret=_secret(args, "client_secret", "--client-secret"), refresh_token=refresh_token,
    )
    data = {"id": account.pk, "name": account.name, "integrated_at": account.integrated_at}
    if args.json:
        emit_json(data)
    else:
        verb = "connected" if created else "updated the credentials of"
        print(f"{verb} account {account.name} (id {account.pk}), integrated at {account.integrated_at:%Y-%m-%dT%H:%M:%SZ}")
    return 0


@channel_errors
def disconnect_command(args: argparse.Namespace) -> int:
    """C41: as the dashboard's Disconnect: the credentials are forgotten, the orders kept."""
    from saleschannel.channel.connect.services import account_disconnect

    account = account_disconnect(account=_account(args.account))
    data = {"id": account.pk, "name": account.name, "credentials": account.credentials_state}
    if args.json:
        emit_json(data)
    else:
        print(f"disconnected account {account.name} (id {account.pk}): its credentials are forgotten and its "
              "orders kept; it is not synced until connected again (account connect)")
    return 0


@channel_errors
def settings_show_command(args: argparse.Namespace) -> int:
    from saleschannel.channel.services.settings import order_settings_as_dict, order_settings_get
    from saleschannel.channel.stock.selectors import stock_settings_of
    from saleschannel.channel.stock.services import stock_settings_as_dict

    account = _account(args.account)
    data = {**order_settings_as_dict(order_settings_get(account=account)),
            **stock_settings_as_dict(stock_settings_of(account=account))}
    if args.json:
        emit_json(data)
    else:
        for key, value in data.items():
            print(f"{key}: {'' if value is None else value}")
    return 0


@channel_errors
def settings_set_command(args: argparse.Namespace) -> int:
    from saleschannel.channel.services.settings import order_settings_as_dict, order_settings_get
    from saleschannel.channel.stock.account_settings import account_settings_update
    from saleschannel.channel.stock.services import stock_settings_as_dict, stock_settings_get

    account = _account(args.account)
    changes = {field: getattr(args, flag) for flag, field in SETTINGS_FLAGS.items()
               if getattr(args, flag) is not None}
    stock_changes = {field: getattr(args, flag) for flag, field in STOCK_FLAGS.items()
                     if getattr(args, flag) is not None}
    account_settings_update(account=account, order_changes=changes, stock_changes=stock_changes,
                            actor="command line")
    data = {**order_settings_as_dict(order_settings_get(account=account)),
            **stock_settings_as_dict(stock_settings_get(account=account))}
    if args.json:
        emit_json(data)
    else:
        print(f"order settings of {account.name} saved")
    return 0


def amazon_order_row(ao: Any) -> dict[str, Any]:
    """One Amazon order as ``amazon-orders --json`` prints it."""
    return {
        "amazon_order_id": ao.amazon_order_id,
        "status": ao.status,
        "channel": ao.channel or None,
        "purchase_date": ao.purchase_date,
        "import_state": ao.import_state,
        "store_order_number": ao.store_order_number or None,
        "reason": ao.reason,
    }


@channel_errors
def amazon_orders_command(args: argparse.Namespace) -> int:
    from saleschannel.channel.selectors import amazon_orders_list

    orders = amazon_orders_list(account=_account(args.account), import_state=args.state, limit=args.limit)
    rows = [amazon_order_row(ao) for ao in orders.iterator()]
    if args.json:
        emit_json(rows)
    else:
        for row in rows:
            print("\t".join("" if row[c] is None else str(row[c]) for c in (
                "amazon_order_id", "status", "channel", "import_state", "store_order_number", "reason")))
    return 0


@channel_errors
def import_command(args: argparse.Namespace) -> int:
    from saleschannel.channel.models import AmazonOrder
    from saleschannel.channel.services.imports.importer import amazon_order_import_by_hand

    account = _account(args.account)
    if not AmazonOrder.objects.filter(account=account, amazon_order_id=args.amazon_order_id).exists():
        raise UsageError("AMAZON_ORDER_ID", args.amazon_order_id[:64],
                         f"error: AMAZON_ORDER_ID: {args.amazon_order_id[:64]}: no such Amazon order "
                         f"for account {account.name}")
    outcome = amazon_order_import_by_hand(account=account, amazon_order_id=args.amazon_order_id)
    if outcome.imported:
        print(outcome.store_order_number)
        return 0
    raise CommandFailed(f"not imported ({outcome.import_state}): {outcome.reason}")


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError("--limit", text, f"error: --limit: {text!r} is not a whole number") from None
    if value < 1:
        raise UsageError("--limit", text, f"error: --limit: {text} must be at least 1")
    return value


def _register_account(subparsers: Any) -> None:
    account = subparsers.add_parser("account", help="Amazon accounts")
    commands = account.add_subparsers(dest="account_command", metavar="COMMAND", parser_class=type(account))
    commands.required = True
    connect = commands.add_parser("connect", help="connect an Amazon account (or update its credentials)")
    connect.add_argument("name")
    connect.add_argument("--seller-id", required=True)
    connect.add_argument("--marketplace", required=True, help="the marketplace id, e.g. ATVPDKIKX0DER")
    connect.add_argument("--region", required=True, choices=["na", "eu", "fe"])
    connect.add_argument("--endpoint", help="replaces Amazon's regional host (the sandbox)")
    connect.add_argument("--token-url", help="replaces Login with Amazon's token URL (the sandbox)")
    connect.add_argument("--client-id")
    connect.add_argument("--client-secret")
    connect.add_argument("--client-secret-file", help="read the client secret from this file")
    connect.add_argument("--refresh-token")
    connect.add_argument("--refresh-token-file", help="read the refresh token from this file")
    connect.add_argument("--json", action="store_true", help="print one JSON document")
    connect.set_defaults(handler=connect_command, needs_django=True)
    disconnect = commands.add_parser("disconnect", help="forget an account's credentials; its orders are kept")
    disconnect.add_argument("account", metavar="ACCOUNT", help="the account's name or id")
    disconnect.add_argument("--json", action="store_true", help="print one JSON document")
    disconnect.set_defaults(handler=disconnect_command, needs_django=True)


# The values of order-import.md (kept here so that building the parser needs no Django).
CHOICES = {
    "import_orders": ("enabled", "disabled"),
    "customer_creation": ("guest", "new_account"),
    "order_number_source": ("store", "amazon"),
    "pending_orders": ("reserve", "no_reserve"),
    "order_status": ("default", "custom"),
}


def _register_settings(subparsers: Any) -> None:
    settings = subparsers.add_parser("settings", help="an account's order settings")
    commands = settings.add_subparsers(dest="settings_command", metavar="COMMAND", parser_class=type(settings))
    commands.required = True
    show = commands.add_parser("show", help="show the order settings")
    show.add_argument("account")
    show.add_argument("--json", action="store_true", help="print one JSON document")
    show.set_defaults(handler=settings_show_command, needs_django=True)
    change = commands.add_parser("set", help="change the order settings (R1, R2)")
    change.add_argument("account")
    for flag in ("import_orders", "customer_creation", "order_number_source", "pending_orders", "order_status"):
        change.add_argument(f"--{flag.replace('_', '-')}", dest=flag, choices=CHOICES[flag])
    change.add_argument("--store", help="a store code")
    change.add_argument("--processing-status", dest="processing_status", help="an order status code")
    change.add_argument("--push-stock", dest="push_stock", choices=("enabled", "disabled"),
                        help="Push Stock to Amazon (T1: only while import is enabled)")
    change.add_argument("--out-of-stock-threshold", dest="out_of_stock_threshold", metavar="N")
    change.add_argument("--max-listed-quantity", dest="max_listed_quantity", metavar="N|none")
    change.add_argument("--unmanaged-quantity", dest="unmanaged_quantity", metavar="N")
    change.add_argument("--handling-time", dest="handling_time", metavar="DAYS|none")
    change.add_argument("--json", action="store_true", help="print the settings as saved")
    change.set_defaults(handler=settings_set_command, needs_django=True)


def register(subparsers: Any) -> None:
    _register_account(subparsers)
    _register_settings(subparsers)
    orders = subparsers.add_parser("amazon-orders", help="an account's Amazon orders and their import state")
    orders.add_argument("account")
    orders.add_argument("--state", choices=["imported", "waiting", "not_importable", "error"])
    orders.add_argument("--limit", type=_limit)
    orders.add_argument("--json", action="store_true", help="print one JSON document")
    orders.set_defaults(handler=amazon_orders_command, needs_django=True)
    one = subparsers.add_parser("import", help="import one Amazon order by hand (R5)")
    one.add_argument("account")
    one.add_argument("amazon_order_id", metavar="AMAZON_ORDER_ID")
    one.set_defaults(handler=import_command, needs_django=True)
