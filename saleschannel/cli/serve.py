"""``saleschannel serve``: the dashboard, the REST API and the notification endpoint.

Also ``saleschannel api-token USERNAME``: the REST API token of a dashboard user.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from saleschannel.cli.base import UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class _Stop(Exception):
    """Raised by the signal handler to leave waitress's loop."""


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError("--port", text, f"error: --port: {text!r} is not a port number") from None
    if not 0 < value < 65536:
        raise UsageError("--port", text, f"error: --port: {text} is not between 1 and 65535")
    return value


def _threads(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 64:
        raise UsageError("--threads", text, f"error: --threads: {text!r} is not between 1 and 64")
    return value


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="serve the dashboard, the REST API and the notification endpoint")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT)
    serve.add_argument("--threads", type=_threads, default=8, help="worker threads (default 8)")
    serve.set_defaults(handler=serve_command, needs_django=True)

    token = subparsers.add_parser("api-token", help="print the REST API token of a user (created on first use)")
    token.add_argument("username")
    token.add_argument("--rotate", action="store_true", help="replace the user's token with a new one")
    token.set_defaults(handler=api_token_command, needs_django=True)


def serve_command(args: argparse.Namespace) -> int:
    """Serve with waitress until SIGTERM or SIGINT, then close the listening socket and exit 0."""
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from waitress.server import create_server

    # whitenoise also scans STATIC_ROOT; make sure it exists so it need not warn.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    application = get_wsgi_application()
    server = create_server(application, host=args.host, port=args.port, threads=args.threads, ident="saleschannel")

    def stop(signum: int, frame: FrameType | None) -> None:
        raise _Stop

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    host, port = server.effective_host, server.effective_port  # type: ignore[union-attr]
    shown = f"[{host}]" if ":" in str(host) else host
    print(f"Serving on http://{shown}:{port}/ (dashboard /, API /api/v1/)", flush=True)
    try:
        server.run()
    except _Stop:
        pass
    finally:
        server.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Stopped.", file=sys.stderr, flush=True)
    return 0


def api_token_command(args: argparse.Namespace) -> int:
    """Print the user's API token on stdout, creating it on first use (or anew with --rotate)."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        raise UsageError("username", args.username, f"error: username: no user {args.username!r}")
    if args.rotate:
        Token.objects.filter(user=user).delete()
    token, _ = Token.objects.get_or_create(user=user)
    print(token.key)
    return 0
