"""``saleschannel push ACCOUNT --once [--preview] [--json]`` (``spec/cli.md``, T10).

One push cycle under the account's lease (as a worker would make it): the feed in flight looked
at, the offers read when due (T3), the due offers sent in T6's order by patch or feed (T9). With
``--json`` it prints ``{"pushed", "skipped", "errors", "feeds", "api_calls"}`` (C48).

``--preview`` prints what one cycle would send, in T6's order, and sends nothing: the
plan of ``push_plan`` with each body as ``patchListingsItem`` would get it.
"""

from __future__ import annotations

import argparse
from typing import Any

from saleschannel.cli.account import channel_errors
from saleschannel.cli.base import CommandFailed, UsageError, emit_json


@channel_errors
def push_command(args: argparse.Namespace) -> int:
    from saleschannel.channel.services.accounts import account_get
    from saleschannel.channel.stock.payloads import patch_body
    from saleschannel.channel.stock.selectors import push_plan

    if not args.once:
        raise UsageError("--once", None, "push runs one cycle: give --once (the worker pushes continuously)")
    account = account_get(ref=args.account)
    if not args.preview:
        return _send(account, args.json)
    plan = push_plan(account=account)
    rows = [{"sku": p.sku, "quantity": p.quantity, "direction": p.direction.name.lower(), "reason": p.reason,
             "stock_version": p.stock_version, "body": patch_body(p)} for p in plan.pushes]
    data: dict[str, Any] = {"pushed": 0, "skipped": len(plan.settled), "errors": 0, "feeds": 0, "api_calls": 0,
                            "active": plan.state.active, "paused": plan.state.reason or None, "would_push": rows}
    if args.json:
        emit_json(data)
        return 0
    if not plan.state.active:
        print(plan.state.reason)
    for row in rows:
        print(f"{row['sku']} -> {row['quantity']} ({row['direction']}: {row['reason']})")
    print(f"{len(rows)} to push, {len(plan.settled)} unchanged")
    return 0


def _send(account: Any, as_json: bool) -> int:
    from saleschannel.workers.leases import LeaseBusy
    from saleschannel.workers.push import account_push_leased

    try:
        cycle = account_push_leased(account=account)
    except LeaseBusy as exc:
        raise CommandFailed(f"error: {exc}") from None
    data: dict[str, Any] = cycle.as_dict()
    if as_json:
        emit_json(data if not cycle.paused else {**data, "paused": cycle.paused})
        return 0
    if cycle.paused:
        print(cycle.paused)
    print(", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in data.items()))
    return 0


def register(subparsers: Any) -> None:
    push = subparsers.add_parser("push", help="push due stock quantities to Amazon (one cycle)")
    push.add_argument("account")
    push.add_argument("--once", action="store_true", help="one cycle, then exit")
    push.add_argument("--preview", action="store_true", help="print what would be sent; send nothing")
    push.add_argument("--json", action="store_true", help="print one JSON document")
    push.set_defaults(handler=push_command, needs_django=True)
