"""``saleschannel listings ACCOUNT [--state STATE] [--json]`` (``spec/cli.md``, T14, T15): the
account's offers and store SKUs, with their desired quantity and where their push stands.

``listings discover ACCOUNT [--json]`` (T3, C48): searches every store SKU on Amazon, learns the
offers and Amazon's current quantity of each; an offer found in drift is pushed by the next cycle.
"""

from __future__ import annotations

import argparse
from typing import Any

from saleschannel.cli.account import channel_errors
from saleschannel.cli.base import CommandFailed, UsageError, emit_json

STATES = ("in_sync", "due", "sent", "error", "drift", "fba", "not_in_store", "not_on_amazon", "left_alone")


@channel_errors
def listings_command(args: argparse.Namespace) -> int:
    from saleschannel.channel.services.accounts import account_get
    from saleschannel.channel.stock.selectors import offers_list

    words = list(args.words)
    if words[0] == "discover":
        if len(words) != 2:
            raise UsageError("ACCOUNT", None, "usage: saleschannel listings discover ACCOUNT")
        return _discover(account_get(ref=words[1]), args.json)
    if len(words) != 1:
        raise UsageError("ACCOUNT", None, "usage: saleschannel listings ACCOUNT [--state STATE] [--json]")
    rows = [row.as_dict() for row in offers_list(account=account_get(ref=words[0]), state=args.state)]
    if args.json:
        emit_json(rows)
        return 0
    for row in rows:
        print(" ".join(f"{key}={'' if value is None else value}" for key, value in row.items()))
    return 0


def _discover(account: Any, as_json: bool) -> int:
    from saleschannel.channel.stock.services.discovery import offers_discover
    from saleschannel.spapi.errors import SpApiError

    try:
        found = offers_discover(account=account)
    except SpApiError as exc:
        raise CommandFailed(f"error: listings discover of {account.name}: {exc}") from None
    if as_json:
        emit_json(found.as_dict())
    else:
        print(", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in found.as_dict().items()))
    return 0


def register(subparsers: Any) -> None:
    listings = subparsers.add_parser("listings", help="an account's Amazon offers and what is pushed to them")
    listings.add_argument("words", nargs="+", metavar="ACCOUNT", help="ACCOUNT, or: discover ACCOUNT")
    listings.add_argument("--state", choices=STATES)
    listings.add_argument("--json", action="store_true", help="print one JSON document")
    listings.set_defaults(handler=listings_command, needs_django=True)
