"""``saleschannel serve``: the dashboard, the REST API and the notification endpoint.

Also ``saleschannel api-token USERNAME``: a new REST API token of a dashboard user, shown once.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from saleschannel.cli.base import UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


#: How long one turn of waitress's loop waits for a socket before it looks at the stop flag again.
LOOP_TURN_SECONDS = 0.5


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

    token = subparsers.add_parser("api-token", help="make a REST API token for a user, shown once")
    token.add_argument("username")
    token.add_argument("--rotate", action="store_true", help="revoke the user's other tokens too")
    token.add_argument("--list", action="store_true", help="the user's tokens with their last use (JSON)")
    token.add_argument("--revoke", metavar="PREFIX", help="revoke the user's token that starts with PREFIX")
    token.set_defaults(handler=api_token_command, needs_django=True)


def proxy_options(trusted_proxy: str) -> dict[str, Any]:
    """Behind a TLS proxy (``SALESCHANNEL_TRUSTED_PROXY`` = its address): take the client's address
    and the scheme from that proxy's X-Forwarded-For and X-Forwarded-Proto, and from no one else.
    The sign-in lockout counts failures per client address, so this is what keeps one guesser
    from locking out everyone behind the proxy."""
    if not trusted_proxy:
        return {}
    return {"trusted_proxy": trusted_proxy, "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
            "clear_untrusted_proxy_headers": True}


def serve_command(args: argparse.Namespace) -> int:
    """Serve with waitress until SIGTERM or SIGINT, then close the listening socket and exit 0."""
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from waitress.server import create_server

    # whitenoise also scans STATIC_ROOT; make sure it exists so it need not warn.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    application = get_wsgi_application()
    server = create_server(application, host=args.host, port=args.port, threads=args.threads, ident="saleschannel",
                           **proxy_options(os.environ.get("SALESCHANNEL_TRUSTED_PROXY", "")))

    # The handler only sets a flag: an exception raised from it lands wherever the main thread is,
    # and inside one of waitress's channels waitress catches it, closes that channel and serves on.
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    host, port = server.effective_host, server.effective_port  # type: ignore[union-attr]
    shown = f"[{host}]" if ":" in str(host) else host
    print(f"Serving on http://{shown}:{port}/ (dashboard /, API /api/v1/)", flush=True)
    try:
        while not stopping.is_set():
            server.asyncore.loop(timeout=LOOP_TURN_SECONDS, map=server._map,  # type: ignore[union-attr]
                                 use_poll=server.adj.asyncore_use_poll, count=1)
    finally:
        server.close()
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Stopped.", file=sys.stderr, flush=True)
    return 0


def api_token_command(args: argparse.Namespace) -> int:
    """A new API token for the user, printed once (only its digest is kept); or the user's
    tokens with their last use (--list); or one revoked (--revoke PREFIX)."""
    import json

    from django.contrib.auth import get_user_model

    from saleschannel.api import tokens

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        raise UsageError("username", args.username, f"error: username: no user {args.username!r}")
    if args.list:
        rows = [{"prefix": t.prefix, "created": t.created_at.isoformat(),
                 "last_used": t.last_used_at.isoformat() if t.last_used_at else None,
                 "revoked": t.revoked_at.isoformat() if t.revoked_at else None} for t in tokens.api_tokens_of(user)]
        print(json.dumps(rows, indent=2))
        return 0
    if args.revoke:
        token = next((t for t in tokens.api_tokens_of(user) if t.prefix == args.revoke), None)
        if token is None:
            raise UsageError("--revoke", args.revoke, f"error: --revoke: {args.revoke!r}: no such token of {user}")
        tokens.api_token_revoke(token=token)
        print(f"token {token.prefix} of {user} revoked", file=sys.stderr)
        return 0
    if args.rotate:
        tokens.api_tokens_revoke_all(user=user)
    made = tokens.api_token_create(user=user)
    print(made.key)
    print(f"This is the only time token {made.token.prefix} is shown: it cannot be shown again. "
          f"Revoke it with `saleschannel api-token {user} --revoke {made.token.prefix}`.", file=sys.stderr)
    return 0
