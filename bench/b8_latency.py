"""B8: from a stock change committed in the store to Amazon's listing showing the new quantity.

Real clock, over HTTP, in real processes on one SQLite database (a fresh ``SALESCHANNEL_HOME``):
the Amazon sandbox (``saleschannel sandbox serve``, Amazon's default usage plans, its
notifications posted to the channel), the web application (``saleschannel serve``: the
notification endpoint) and a worker (``saleschannel worker``: the production loop). The
measuring process is the store: it connects an account to the sandbox as ``saleschannel demo``
does (import and push enabled, an out-of-stock threshold of 3), makes a catalog of 50 SKUs
with stock, all listed MFN in the sandbox at 50, and waits until the sandbox's listings
show the store's quantities (the worker's first read and push).

Then changes one at a time, cycling through four kinds, each on the store core's own
services (the same the dashboard and the API call):

- *stock set*: ``source_item_set`` of a SKU of the first half to a new quantity (3 to 6);
- *store order*: ``order_create`` and ``order_reserve`` of one unit of a SKU of the second half;
- *Amazon order*: a buyer orders at Amazon (``POST /_sandbox/sell``, MFN) the units of the SKU
  just set that take the store below the threshold: Amazon takes them off its listing at once
  (to 2), the sandbox notifies, the worker fetches and imports the order (the store reserves),
  and the store's quantity, now under the threshold, must show 0 on Amazon. (An Amazon order
  that leaves the store above the threshold changes nothing on Amazon: Amazon's own
  decrement already shows the store's new quantity.) Its commit is the store order's
  ``created_at``, written inside the import's transaction: a moment before the commit, so
  the figure errs long;
- *cancellation*: ``order_cancel`` of the store order of the same round (its reservation released).

For the store's own changes the commit is the moment the service returned. From it, the
sandbox's listings are read every 25 ms (``GET /_sandbox/listings``: the sandbox's own view,
outside the usage plans, so the polling costs Amazon nothing and throttles nothing) until the
SKU shows the expected quantity; latency = seen - commit. A change not seen within 30 s is
late (infinitely, in the percentiles). Between changes a seeded pause of 0 to 1.5 s, so that
changes fall at random moments of the worker's loop rather than in step with it. Where the
time goes: each push's row (``StockPush.answered_at``, when Amazon's answer was recorded)
splits a latency into the worker's part (commit to the answer) and the polling's (answer to seen).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench import env

CHANGES, CHANGES_QUICK, CHANGES_TINY = 200, 40, 8
SKUS, SKUS_TINY = 50, 4
KINDS = ("stock_set", "store_order", "amazon_order", "cancellation")
THRESHOLD = 3  # the account's out-of-stock threshold (T4.5)
LISTED_AT = 50  # what the sandbox's listings show before the first push
STORE_ORDER_UNITS = 20  # the second half's stock: store orders and their cancellations
DEADLINE_S = 30.0
POLL_S = 0.025
PAUSE_MAX_S = 1.5
TARGET_P95_S = 3.0
SECRET = "bench-notification-secret"  # nosec B105  # the sandbox's and the endpoint's shared word, for this run
SELLER = "A008BENCHSELLER"
MARKET = "ATVPDKIKX0DER"


def run(*, size: int | None = None, quick: bool = False, tiny: bool = False) -> dict[str, Any]:
    changes = CHANGES_TINY if tiny else size or (CHANGES_QUICK if quick else CHANGES)
    skus = SKUS_TINY if tiny else SKUS
    result = env.run_child("bench.b8_latency", "measure", {"changes": changes, "skus": skus},
                           timeout=600 + changes * (DEADLINE_S + PAUSE_MAX_S))
    overall = result["latency_s"]["all"]
    p95 = overall.get("p95")
    return {
        "benchmark": "B8",
        "title": "latency from a store change to Amazon's listing, real processes over HTTP",
        **result,
        "targets": {
            "p95_at_most_s": TARGET_P95_S,
            "met_p95": p95 is not None and p95 <= TARGET_P95_S,
            "met_none_late": result["late"] == 0,
        },
    }


# --- the processes ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Processes:
    """The child processes of a measurement, stopped together on every way out (SIGTERM, then SIGKILL).

    Each child gets SIGTERM if this process dies first (``PR_SET_PDEATHSIG``, as the demo's);
    its output goes to a log file under the run's home, never to a pipe that could fill."""

    def __init__(self, logs: Path, environ: dict[str, str]) -> None:
        self.logs, self.environ = logs, environ
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        from saleschannel.cli.demo import _die_with_parent

        with (self.logs / f"{name}.log").open("ab") as out:
            proc = subprocess.Popen([sys.executable, "-m", "saleschannel", *args], stdout=out,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.environ,
                                    cwd=self.logs, preexec_fn=_die_with_parent)
        self.procs[name] = proc
        return proc

    def check(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited early (code {proc.returncode}):\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            return "\n".join((self.logs / f"{name}.log").read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self, timeout: float = 15.0) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _wait_until(check: Callable[[], bool], timeout: float, what: str, procs: Processes,
                interval: float = 0.1) -> float:
    """Wait for ``check``; the seconds it took. Raises when a child died or the time ran out."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        procs.check()
        with contextlib.suppress(Exception):
            if check():
                return time.monotonic() - started
        time.sleep(interval)
    raise TimeoutError(f"waited {timeout:.0f} s for {what}")


# --- the measurement, in a child process --------------------------------------------------


def measure(*, changes: int, skus: int) -> dict[str, Any]:
    os.environ["SALESCHANNEL_NOTIFY_SECRET"] = SECRET
    with env.django_database("sqlite") as db:
        import httpx

        home = Path(db["home"])
        names = [f"B8-SKU-{i:02d}" for i in range(skus)]
        half = skus // 2
        setting = {sku: THRESHOLD + 7 + i % 5 for i, sku in enumerate(names[:half])}
        ordering = dict.fromkeys(names[half:], STORE_ORDER_UNITS)
        quantities = {**setting, **ordering}
        sandbox_port, web_port = _free_port(), _free_port()
        sandbox_url, web_url = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{web_port}"
        account = _store_and_account(quantities, sandbox_url)
        logs = home / "logs"
        logs.mkdir()
        environ = {**os.environ, "SALESCHANNEL_HOME": str(home), "SALESCHANNEL_NOTIFY_SECRET": SECRET,
                   "SALESCHANNEL_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
        started = time.monotonic()
        with Processes(logs, environ) as procs, httpx.Client(base_url=sandbox_url, timeout=5.0) as amazon:
            procs.start("sandbox", "sandbox", "serve", "--port", str(sandbox_port), "--seed", "8",
                        "--skus", ",".join(names), "--listings", str(skus), "--listing-quantity", str(LISTED_AT),
                        "--seller-id", SELLER, "--marketplaces", MARKET,
                        "--notify-url", f"{web_url}/notifications/amazon/order-change", "--notify-secret", SECRET)
            procs.start("web", "serve", "--port", str(web_port), "--threads", "4")
            procs.start("worker", "worker")
            _wait_until(lambda: amazon.get("/_sandbox/calls").status_code == 200, 60, "the sandbox", procs)
            _wait_until(lambda: httpx.get(f"{web_url}/login/", timeout=5.0).status_code == 200, 90,
                        "saleschannel serve", procs)
            processes_s = time.monotonic() - started
            shown = _Shown(amazon)
            expected = {sku: _shows(q) for sku, q in quantities.items()}
            _wait_until(lambda: shown.all() == expected, 180, "the first push of the catalog", procs, interval=0.25)
            first = time.monotonic() - started
            calls_before = amazon.get("/_sandbox/calls").json()
            run = _Run(account, amazon, shown, procs, setting, ordering)
            measured_started = time.monotonic()
            records = [run.change(i) for i in range(changes)]
            measured_s = time.monotonic() - measured_started
            calls_after = amazon.get("/_sandbox/calls").json()
            procs.check()
        _where(records, account)
    return _summary(records, calls_before, calls_after, setup={
        "processes_ready_s": round(processes_s, 1), "catalog_shown_s": round(first, 1),
        "measured_wall_s": round(measured_s, 1)}, skus=skus)


def _shows(store: int) -> int:
    """What Amazon must show for the store's salable quantity (T4.5; no cap, no guard here)."""
    return 0 if store < THRESHOLD else store


def _store_and_account(quantities: dict[str, int], sandbox_url: str) -> Any:
    """The store, its catalog, and an account connected as the demo connects one (``cli/demo.py``)."""
    from saleschannel.channel.services.accounts import account_connect
    from saleschannel.channel.services.settings import order_settings_update
    from saleschannel.channel.stock.services import stock_settings_update
    from saleschannel.commerce.catalog.services import product_create
    from saleschannel.commerce.stores.services import stores_init

    stores_init()
    for sku, qty in quantities.items():
        product_create(sku=sku, name=sku.title(), price=Decimal("19.99"), manage_stock=True, qty=qty)
    account, _ = account_connect(
        name="bench-b8", seller_id=SELLER, marketplace_id=MARKET, region="na", endpoint=sandbox_url,
        token_url=f"{sandbox_url}/auth/o2/token", client_id="amzn1.application-oa2-client.bench",
        client_secret="bench-client-secret", refresh_token="Atzr|bench-refresh-b8",  # nosec B106  # the sandbox's
        now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
    )
    order_settings_update(account=account, changes={"import_orders": "enabled"}, actor="benchmark")
    stock_settings_update(account=account, changes={"push_stock": "enabled", "out_of_stock_threshold": THRESHOLD},
                          actor="benchmark")
    return account


class _Shown:
    """The sandbox's listings as its own view shows them (``GET /_sandbox/listings``)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def all(self) -> dict[str, int | None]:
        answer = self.client.get("/_sandbox/listings")
        answer.raise_for_status()
        return {item["sku"]: item["channels"].get("DEFAULT") for item in answer.json()["listings"]
                if item["marketplaceId"] == MARKET}


class _Run:
    """The changes, one at a time; ``change(i)`` makes the i-th and waits until Amazon shows it."""

    def __init__(self, account: Any, amazon: Any, shown: _Shown, procs: Processes, setting: dict[str, int],
                 ordering: dict[str, int]) -> None:
        from saleschannel.commerce.stores.selectors import store_default

        self.account, self.amazon, self.shown, self.procs = account, amazon, shown, procs
        self.store = store_default()
        self.setting, self.ordering = dict(setting), dict(ordering)  # the store's salable quantities
        self.reserved = dict.fromkeys(setting, 0)  # units the Amazon orders (open, never shipped) hold
        self.rng = random.Random(8)
        self.round_order: Any = None

    def change(self, i: int) -> dict[str, Any]:
        time.sleep(self.rng.uniform(0.0, PAUSE_MAX_S))
        kind, rnd = KINDS[i % len(KINDS)], i // len(KINDS)
        set_sku = list(self.setting)[rnd % len(self.setting)]
        order_sku = list(self.ordering)[rnd % len(self.ordering)]
        record: dict[str, Any] = {"kind": kind}
        if kind == "stock_set":
            before = _shows(self.setting[set_sku])
            quantity = THRESHOLD + rnd % 4
            if quantity == before:
                quantity += 1
            record.update(sku=set_sku, before=before, expected=_shows(quantity))
            # The source's quantity: the salable one wanted plus what the open Amazon orders hold.
            record["commit"] = self._stock_set(set_sku, quantity + self.reserved[set_sku])
            self.setting[set_sku] = quantity
        elif kind == "store_order":
            record.update(sku=order_sku, before=_shows(self.ordering[order_sku]),
                          expected=_shows(self.ordering[order_sku] - 1))
            record["commit"] = self._store_order(order_sku)
            self.ordering[order_sku] -= 1
        elif kind == "amazon_order":
            units = self.setting[set_sku] - THRESHOLD + 1  # the store falls just under the threshold
            record.update(sku=set_sku, units=units, before=_shows(self.setting[set_sku]),
                          expected=_shows(self.setting[set_sku] - units))
            record.update(self._amazon_order(set_sku, units))
            self.setting[set_sku] -= units
            self.reserved[set_sku] += units
        else:
            record.update(sku=order_sku, before=_shows(self.ordering[order_sku]),
                          expected=_shows(self.ordering[order_sku] + 1))
            record["commit"] = self._cancel()
            self.ordering[order_sku] += 1
        if record["before"] == record["expected"]:
            raise AssertionError(f"change {i} ({kind}) would not move what Amazon shows: {record}")
        since: float = record["sold"] if kind == "amazon_order" else record["commit"]
        seen = self._seen(record["sku"], record["expected"], since=since)
        if kind == "amazon_order" and record.get("commit") is None:
            record["commit"] = self._import_commit(record.pop("order_id"), deadline=2.0)
        record.pop("order_id", None)
        record["seen"] = seen
        late = seen is None or record["commit"] is None
        record["latency_s"] = math.inf if late else round(seen - record["commit"], 4)
        return record

    # -- the four kinds --
    def _stock_set(self, sku: str, quantity: int) -> float:
        from saleschannel.commerce.inventory.services import source_item_set

        source_item_set(source=None, sku=sku, quantity=quantity)
        return time.time()

    def _store_order(self, sku: str) -> float:
        from saleschannel.commerce.sales.services import order_create, order_number_next, order_reserve
        from saleschannel.commerce.sales.types import OrderLine, OrderTotals

        price = Decimal("19.99")
        order = order_create(store=self.store, number=order_number_next(store=self.store),
                             lines=[OrderLine(sku=sku, name=sku.title(), qty=Decimal(1), price=price)],
                             email="store.buyer@example.com", firstname="Store", lastname="Buyer", currency="USD",
                             totals=OrderTotals(subtotal=price, grand_total=price), payment_method="checkmo")
        if not order_reserve(order=order):
            raise AssertionError(f"the store order of {sku} reserved nothing")
        self.round_order = order
        return time.time()

    def _cancel(self) -> float:
        from saleschannel.commerce.sales.services import order_cancel

        order_cancel(order=self.round_order, comment="benchmark")
        self.round_order = None
        return time.time()

    def _amazon_order(self, sku: str, units: int) -> dict[str, Any]:
        answer = self.amazon.post("/_sandbox/sell", json={"sku": sku, "quantity": units, "fulfilledBy": "MERCHANT",
                                                           "marketplaceId": MARKET})
        sold = time.time()
        if answer.status_code != 200:
            raise RuntimeError(f"the sandbox refused the sale of {units} {sku} ({answer.status_code}); it shows "
                               f"{self.shown.all().get(sku)}: {answer.text[:300]}")
        return {"sold": sold, "order_id": answer.json()["orderId"], "commit": None}

    def _import_commit(self, order_id: str, *, deadline: float) -> float | None:
        """The wall time of the store order the import created (inside its transaction), once committed."""
        from saleschannel.channel.models import AmazonOrder

        rows = AmazonOrder.objects.filter(account=self.account, amazon_order_id=order_id,
                                          store_order__isnull=False).values_list("store_order__created_at", flat=True)
        end = time.monotonic() + deadline
        while True:
            created = rows.first()
            if created is not None:
                return float(created.timestamp())
            if time.monotonic() > end:
                return None
            time.sleep(0.005)

    def _seen(self, sku: str, expected: int, *, since: float) -> float | None:
        """The wall time the sandbox first shows ``expected`` for ``sku``; None after the deadline."""
        end = since + DEADLINE_S
        polls = 0
        while time.time() < end:
            if self.shown.all().get(sku) == expected:
                return time.time()
            polls += 1
            if polls % 40 == 0:
                self.procs.check()
            time.sleep(POLL_S)
        return None


def _where(records: list[dict[str, Any]], account: Any) -> None:
    """Each change's push: when Amazon's answer was recorded (``StockPush.answered_at``), after its commit."""
    from saleschannel.channel.stock.models import StockPush

    pushes: dict[str, list[tuple[float, int]]] = {}
    for sku, quantity, at in StockPush.objects.filter(account=account, answered_at__isnull=False).values_list(
            "sku", "quantity", "answered_at"):
        if at is not None:
            pushes.setdefault(sku, []).append((at.timestamp(), quantity))
    for record in records:
        commit = record["commit"]
        if commit is None or record["seen"] is None:
            continue
        answered = [t for t, q in pushes.get(record["sku"], []) if q == record["expected"] and commit <= t]
        if answered:
            record["push_answered_s"] = round(min(answered) - commit, 4)
            record["seen_after_answer_s"] = round(record["seen"] - min(answered), 4)


def _summary(records: list[dict[str, Any]], before: dict[str, Any], after: dict[str, Any], *,
             setup: dict[str, Any], skus: int) -> dict[str, Any]:
    from bench.b3_latency import percentiles

    def median(values: list[float]) -> float | None:
        return round(statistics.median(values), 3) if values else None

    latency = {"all": percentiles([r["latency_s"] for r in records])}
    where: dict[str, Any] = {}
    for kind in KINDS:
        mine = [r for r in records if r["kind"] == kind]
        latency[kind] = percentiles([r["latency_s"] for r in mine])
        where[kind] = {
            "median_commit_to_push_answered_s": median([r["push_answered_s"] for r in mine if "push_answered_s" in r]),
            "median_answered_to_seen_s": median([r["seen_after_answer_s"] for r in mine if "seen_after_answer_s" in r]),
        }
    imports = [r["commit"] - r["sold"] for r in records if r["kind"] == "amazon_order" and r["commit"] is not None]
    where["amazon_order"]["median_sale_to_import_commit_s"] = median(imports)
    where["amazon_order"]["max_sale_to_import_commit_s"] = round(max(imports), 3) if imports else None
    ops = {op: n - before["operations"].get(op, 0) for op, n in after["operations"].items()
           if n - before["operations"].get(op, 0) and op != "token"}
    for record in records:  # relative times only in the saved result
        for key in ("commit", "seen", "sold"):
            record.pop(key, None)
        if math.isinf(record["latency_s"]):
            record["latency_s"] = None
    return {
        "clock": "real (wall time; the store's commit to the first poll that shows the quantity)",
        "database": "sqlite",
        "processes": "saleschannel sandbox serve (default usage plans), saleschannel serve, saleschannel worker",
        "conditions": {"changes": len(records), "skus": skus, "out_of_stock_threshold": THRESHOLD,
                       "poll_every_s": POLL_S, "deadline_s": DEADLINE_S, "pause_between_changes_s": [0, PAUSE_MAX_S],
                       "worker_idle_poll_s": 1.0, "worker_push_every_s": 1.0},
        "setup": setup,
        "latency_s": latency,
        "late": sum(1 for r in records if r["latency_s"] is None),
        "negative": sum(1 for r in records if r["latency_s"] is not None and r["latency_s"] < 0),
        "where": where,
        "amazon_calls": ops,
        "throttled": after["throttled"] - before["throttled"],
        "throttled_whole_run": after["throttled"],
        "changes": records,
    }
