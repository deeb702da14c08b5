"""``saleschannel sandbox serve``: Amazon's order, listings and feeds APIs, played locally (``spec/cli.md``,
"The Amazon sandbox"). Needs no database."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import math
import os
import signal
import sys
import threading
from typing import Any
from urllib.parse import urlsplit

from saleschannel.cli.base import CommandFailed, UsageError


def _number(field: str, *, minimum: float = 0.0, maximum: float = math.inf) -> Any:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise UsageError(field, text, f"error: {field}: {text!r} is not a number") from None
        if not math.isfinite(value) or not minimum <= value <= maximum:
            bounds = f"from {minimum:g}" + ("" if maximum == math.inf else f" to {maximum:g}")
            raise UsageError(field, text, f"error: {field}: {text!r} must be a number {bounds}")
        return value

    return parse


def _count(field: str) -> Any:
    def parse(text: str) -> int:
        if not text.isdigit():
            raise UsageError(field, text, f"error: {field}: {text!r} is not a whole number of at least 0")
        return int(text)

    return parse


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise UsageError("--port", text, f"error: --port: {text!r} is not a port number (0 to 65535)")
    return int(text)


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError("--seed", text, f"error: --seed: {text!r} is not an integer") from None


def _loopback(text: str) -> str:
    host = text.strip("[]")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise UsageError(
            "--host",
            text,
            f"error: --host: {text!r} is not a loopback address; the sandbox accepts any token",
        )
    return host


def _url(text: str) -> str:
    if urlsplit(text).scheme not in ("http", "https") or not urlsplit(text).netloc:
        raise UsageError("--notify-url", text, f"error: --notify-url: {text!r} is not an http(s) URL")
    return text


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sandbox = subparsers.add_parser("sandbox", help="a local Amazon for tests and demos")
    commands = sandbox.add_subparsers(dest="sandbox_command", metavar="COMMAND")
    commands.required = True
    serve = commands.add_parser("serve", help="serve the Amazon sandbox on loopback")
    serve.add_argument("--host", type=_loopback, default="127.0.0.1")
    serve.add_argument("--port", type=_port, required=True)
    serve.add_argument("--seed", type=_seed, default=None)
    serve.add_argument("--generate", type=_number("--generate"), default=0.0, metavar="PER_MINUTE")
    serve.add_argument("--rate-limits", choices=("amazon", "off"), default="amazon")
    serve.add_argument("--rate-scale", type=_number("--rate-scale", minimum=1e-6), default=1.0, metavar="F")
    serve.add_argument("--visibility-lag", type=_number("--visibility-lag"), default=0.0, metavar="SECONDS")
    serve.add_argument("--fault-rate", type=_number("--fault-rate", maximum=1.0), default=0.0, metavar="F")
    serve.add_argument("--stall-seconds", type=_number("--stall-seconds"), default=35.0, metavar="SECONDS")
    serve.add_argument("--notify-url", type=_url, default=None, metavar="URL")
    serve.add_argument(
        "--notify-secret",
        default=None,
        metavar="SECRET",
        help="sent as x-api-key (default: $SALESCHANNEL_NOTIFY_SECRET)",
    )
    serve.add_argument(
        "--pace", type=_number("--pace", minimum=1e-6), default=1.0, metavar="F",
        help="orders move through their statuses F times faster than at Amazon (a demo's 10)",
    )
    serve.add_argument("--skus", default=None, help="comma-separated SKUs the generated orders use")
    serve.add_argument(
        "--marketplaces",
        default=None,
        help="comma-separated marketplace ids the generated orders come from (default: US, CA, UK, DE, JP)",
    )
    serve.add_argument(
        "--seller-id", default=None, help="the selling partner id in notifications and authorizations"
    )
    serve.add_argument(
        "--listings", type=_count("--listings"), default=0, metavar="N",
        help="list the first N SKUs of the generator's catalog, FBM, in the first marketplace",
    )
    serve.add_argument(
        "--listing-quantity", type=_count("--listing-quantity"), default=50, metavar="Q",
        help="the DEFAULT quantity of the listings of --listings (default 50)",
    )
    serve.add_argument(
        "--feed-delay", type=_number("--feed-delay"), default=60.0, metavar="SECONDS",
        help="how long a feed waits before its messages are applied (default 60)",
    )
    serve.set_defaults(handler=serve_command, needs_django=False)


def serve_command(args: argparse.Namespace) -> int:
    from saleschannel.spapi.sandbox import DEFAULT_SELLER_ID, DEFAULT_SKUS, SandboxApp, SandboxServer

    skus = DEFAULT_SKUS
    if args.skus is not None:
        skus = tuple(s.strip() for s in args.skus.split(",") if s.strip())
        if not skus:
            raise UsageError("--skus", args.skus, "error: --skus: give at least one SKU")
    marketplaces = _marketplaces(args.marketplaces)
    seller = args.seller_id if args.seller_id is not None else DEFAULT_SELLER_ID
    if not seller.strip():
        raise UsageError("--seller-id", args.seller_id, "error: --seller-id: give a selling partner id")
    app = SandboxApp(
        marketplaces=marketplaces,
        seller_id=seller,
        seed=args.seed,
        generate_per_minute=args.generate,
        rate_limits=args.rate_limits == "amazon",
        rate_scale=args.rate_scale,
        visibility_lag=args.visibility_lag,
        fault_rate=args.fault_rate,
        stall_seconds=args.stall_seconds,
        notify_url=args.notify_url,
        notify_secret=args.notify_secret or os.environ.get("SALESCHANNEL_NOTIFY_SECRET"),
        skus=skus,
        pace=args.pace,
        feed_delay=args.feed_delay,
        listings=args.listings,
        listing_quantity=args.listing_quantity,
    )
    try:
        server = SandboxServer(app, args.host, args.port)
    except OSError as exc:
        app.close()
        raise CommandFailed(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    return _run_until_signalled(server)


def _marketplaces(text: str | None) -> Any:
    from saleschannel.spapi.sandbox import MARKETPLACES

    if text is None:
        return MARKETPLACES
    known = {m.marketplace_id: m for m in MARKETPLACES}
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [m for m in chosen if m not in known]
    if not chosen or unknown:
        raise UsageError(
            "--marketplaces",
            text,
            f"error: --marketplaces: {text!r}: give ids among {', '.join(known)}",
        )
    return tuple(known[m] for m in chosen)


def _run_until_signalled(server: Any) -> int:
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    # One line per request on stderr (method, path, status): no query, header or body.
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    server.start()
    print(f"Amazon sandbox: {server.base_url}", flush=True)
    print(f"Amazon sandbox: listening on {server.base_url} (Ctrl-C stops)", file=sys.stderr, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Amazon sandbox: stopped", file=sys.stderr, flush=True)
    return 0
