"""``saleschannel retention run [--days N] [--json]``: mask buyer data past its retention (C27)."""

from __future__ import annotations

import argparse
from typing import Any

from saleschannel.cli.base import CommandFailed, UsageError, emit_json

MAX_DAYS = 36500


def _days(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= MAX_DAYS:
        raise UsageError("days", text, f"error: days: {text!r} is not a whole number from 0 to {MAX_DAYS}")
    return int(text)


def cmd_retention_run(args: argparse.Namespace) -> int:
    from saleschannel.channel.services.retention import buyer_data_mask, retention_days

    try:
        days = args.days if args.days is not None else retention_days()
    except ValueError as exc:
        raise CommandFailed(f"error: {exc}") from None
    masked = buyer_data_mask(days=days)
    if args.json:
        emit_json({"days": days, "masked": masked})
    else:
        print(f"masked the buyer data of {masked} records shipped or canceled more than {days} days ago")
    return 0


def register(subparsers: Any) -> None:
    retention = subparsers.add_parser("retention", help="buyer data retention")
    actions = retention.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    run = actions.add_parser("run", help="mask the buyer data of orders finished more than N days ago")
    run.add_argument("--days", type=_days, default=None,
                     help="days after shipment or cancellation (default SALESCHANNEL_BUYER_DATA_RETENTION_DAYS or 30)")
    run.add_argument("--json", action="store_true", help="print the count as JSON")
    run.set_defaults(handler=cmd_retention_run, needs_django=True)
