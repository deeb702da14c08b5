"""``saleschannel demo``: the whole channel working on this machine, in one command.

It initialises the embedded store under ``SALESCHANNEL_HOME`` (``./var``), adds a demo
catalog, starts the Amazon sandbox generating orders, connects a demo account to it
with Import Amazon Orders enabled, starts the worker and the web server, and prints the
dashboard's address with a login. Ctrl-C (or SIGTERM) stops everything it started.
A second run reuses the data; ``--reset`` starts afresh.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from saleschannel.cli.base import CommandFailed, UsageError

DEMO_USER = "demo"
DEMO_ACCOUNT = "demo"
DEMO_SELLER = "A1DEMOSELLER01"
DEMO_MARKETPLACE = "ATVPDKIKX0DER"  # amazon.com

# (sku, name, price, quantity): None = does not manage stock.
DEMO_CATALOG: tuple[tuple[str, str, str, int | None], ...] = (
    ("MUG-CLASSIC", "Classic mug", "9.50", 500),
    ("MUG-TRAVEL", "Travel mug", "18.00", 300),
    ("TEE-BLACK-M", "Black tee, M", "21.00", 250),
    ("TEE-WHITE-L", "White tee, L", "21.00", 200),
    ("CAP-NAVY", "Navy cap", "15.00", 150),
    ("POSTER-A2", "Poster A2", "12.00", 400),
    ("NOTEBOOK-A5", "Notebook A5", "7.25", 350),
    ("LAMP-DESK", "Desk lamp", "49.00", 2),
    ("CHAIR-OAK", "Oak chair", "129.00", 1),
    ("TEAPOT-CAST", "Cast-iron teapot", "64.00", 0),
    ("EBOOK-GUIDE", "Brewing guide (download)", "4.99", None),
    ("STICKER-SET", "Sticker set", "3.50", 1000),
)


def _die_with_parent() -> None:
    """In the child, before exec: on Linux, get SIGTERM when the demo dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere Ctrl-C and SIGTERM still stop every child through Children.stop


@dataclass
class Children:
    """The processes the demo started, stopped together."""

    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, name: str, argv: Sequence[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
        out = log.open("ab")
        proc = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT, env=env,
                                preexec_fn=_die_with_parent)
        out.close()
        self.procs.append(proc)
        print(f"  started {name} (pid {proc.pid}, log {log})", file=sys.stderr)
        return proc

    def stop(self, timeout: float = 15.0) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise CommandFailed("no free port on 127.0.0.1")


def _wait_http(url: str, *, timeout: float, procs: Children) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs.procs:
            if proc.poll() is not None:
                raise CommandFailed(f"a demo process exited early (pid {proc.pid}, code {proc.returncode}); see the logs")
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise CommandFailed(f"{url} did not answer within {timeout:.0f} s")


def _home() -> Path:
    from saleschannel.home import home

    return home()


def _reset(home: Path) -> None:
    if home.exists():
        shutil.rmtree(home)
    print(f"  removed the demo data in {home}", file=sys.stderr)


def _password(home: Path) -> str:
    """The demo user's password, kept under home so a second run prints it again (C21)."""
    path = home / "demo-login.txt"
    if path.exists():
        return path.read_text().split()[1]
    password = secrets.token_urlsafe(12)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"{DEMO_USER} {password}\n")
    return password


def _prepare_store(password: str) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from saleschannel.commerce.catalog.models import Product
    from saleschannel.commerce.catalog.services import product_create
    from saleschannel.commerce.stores.services import stores_init

    stores_init()
    for sku, name, price, qty in DEMO_CATALOG:
        if not Product.objects.filter(sku=sku).exists():
            product_create(sku=sku, name=name, price=Decimal(price), manage_stock=qty is not None, qty=qty)
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=DEMO_USER, defaults={"is_staff": True})
    user.set_password(password)
    user.is_staff = True
    user.save()
    group, _ = Group.objects.get_or_create(name="managers")
    user.groups.add(group)


def _connect_account(sandbox_url: str) -> Any:
    from saleschannel.channel.services.accounts import account_connect
    from saleschannel.channel.services.settings import order_settings_get, order_settings_update
    from saleschannel.channel.stock.services import stock_settings_get, stock_settings_update

    account, _ = account_connect(
        name=DEMO_ACCOUNT,
        seller_id=DEMO_SELLER,
        marketplace_id=DEMO_MARKETPLACE,
        region="na",
        endpoint=sandbox_url,
        token_url=f"{sandbox_url}/auth/o2/token",
        client_id="amzn1.application-oa2-client.demo",
        client_secret="demo-client-secret",  # nosec B106  # the sandbox accepts any secret
        refresh_token="Atzr|demo-refresh-token",
    )
    if order_settings_get(account=account).import_orders != "enabled":
        order_settings_update(account=account, changes={"import_orders": "enabled"})
    # Stock to Amazon: the sandbox lists the catalog FBM; the worker pushes the store's quantities to it.
    if not stock_settings_get(account=account).push_enabled:
        stock_settings_update(account=account, changes={"push_stock": "enabled"}, actor="demo")
    return account


def _python_env(home: Path, notify_secret: str, sandbox_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["SALESCHANNEL_HOME"] = str(home)
    env["SALESCHANNEL_NOTIFY_SECRET"] = notify_secret
    # The sandbox plays Seller Central too, so "Connect Amazon account" works in the demo.
    env.update({
        "SALESCHANNEL_SPAPI_APPLICATION_ID": "amzn1.sp.solution.demo",
        "SALESCHANNEL_LWA_CLIENT_ID": "amzn1.application-oa2-client.demo",
        "SALESCHANNEL_LWA_CLIENT_SECRET": "demo-client-secret",  # nosec B105  # the demo's sandbox accepts any secret
        "SALESCHANNEL_SELLER_CENTRAL_URL": sandbox_url,
        "SALESCHANNEL_LWA_TOKEN_URL": f"{sandbox_url}/auth/o2/token",
        "SALESCHANNEL_SPAPI_ENDPOINT": sandbox_url,
    })
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def demo_command(args: argparse.Namespace) -> int:
    """Run the demo until Ctrl-C; stop every process it started."""
    if args.pace <= 0:
        raise UsageError("--pace", args.pace, "error: --pace: must be above 0")
    if args.orders_per_minute <= 0:
        raise UsageError("--orders-per-minute", args.orders_per_minute, "error: --orders-per-minute: must be above 0")
    home = _home()
    if args.reset:
        _reset(home)
        home = _home()
    from saleschannel.cli import setup_django
    from saleschannel.home import key_from_env_or_file

    setup_django()
    password = _password(home)
    _prepare_store(password)
    notify_secret = key_from_env_or_file("SALESCHANNEL_NOTIFY_SECRET", "notify.key")
    web_port = _free_port(args.port)
    sandbox_port = _free_port(args.sandbox_port)
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    web_url = f"http://127.0.0.1:{web_port}/"
    _connect_account(sandbox_url)
    logs = home / "logs"
    logs.mkdir(exist_ok=True)
    env = _python_env(home, notify_secret, sandbox_url)
    me = [sys.executable, "-m", "saleschannel"]
    children = Children()
    stop_requested = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        children.start("Amazon sandbox", [
            *me, "sandbox", "serve", "--host", "127.0.0.1", "--port", str(sandbox_port),
            "--seed", str(args.seed if args.seed is not None else int(time.time())),
            "--generate", str(args.orders_per_minute), "--rate-scale", str(args.rate_scale),
            "--pace", str(args.pace),
            # Now and then the generator sells a SKU nobody has: the import makes a placeholder (R10).
            "--skus", ",".join(sku for sku, *_ in DEMO_CATALOG),
            # Its listings (FBM, 50 each): Amazon's quantities follow the store's on the Offers page.
            "--listings", str(len(DEMO_CATALOG)),
            "--seller-id", DEMO_SELLER, "--marketplaces", DEMO_MARKETPLACE,
            "--notify-url", f"{web_url}notifications/amazon/order-change", "--notify-secret", notify_secret,
        ], logs / "sandbox.log", env)
        _wait_http(f"{sandbox_url}/_sandbox/calls", timeout=30, procs=children)
        children.start("web server", [*me, "serve", "--host", "127.0.0.1", "--port", str(web_port)],
                       logs / "web.log", env)
        children.start("worker", [*me, "worker"], logs / "worker.log", env)
        _wait_http(f"{web_url}login/", timeout=60, procs=children)
        (home / "demo.pids").write_text("\n".join(str(p.pid) for p in children.procs) + "\n")
        print(f"Dashboard: {web_url}", flush=True)
        print(f"Login: {DEMO_USER} {password}", flush=True)
        print("Amazon orders arrive every few seconds. Press Ctrl-C to stop.", file=sys.stderr, flush=True)
        while not stop_requested:
            if any(proc.poll() is not None for proc in children.procs):
                raise CommandFailed(f"a demo process stopped on its own; see the logs in {logs}")
            time.sleep(0.5)
    finally:
        print("  stopping the demo", file=sys.stderr)
        children.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("demo", help="run the whole channel against the Amazon sandbox")
    parser.add_argument("--reset", action="store_true", help="forget the demo data first")
    parser.add_argument("--port", type=int, default=8000, help="the dashboard's port (another if taken)")
    parser.add_argument("--sandbox-port", type=int, default=8765, help="the Amazon sandbox's port")
    parser.add_argument("--orders-per-minute", type=int, default=20, help="how fast the sandbox makes orders")
    parser.add_argument("--rate-scale", type=float, default=20.0,
                        help="multiplies Amazon's usage plans in the sandbox, so the demo is lively")
    parser.add_argument("--pace", type=float, default=10.0,
                        help="orders move through their statuses this many times faster than at Amazon")
    parser.add_argument("--seed", type=int, default=None, help="seed of the order generator")
    parser.set_defaults(handler=demo_command, needs_django=False)
