"""End to end through the sandbox served over HTTP: the command line syncs, the store ends as the rules say.

Every step is a real process: the sandbox (``sandbox serve --rate-limits off``), each
``saleschannel`` command, and a worker stopped by SIGTERM. The database is SQLite under
a temporary ``SALESCHANNEL_HOME``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.channel.factories import order_dict
from tests.childproc import read_line

ROOT = Path(__file__).resolve().parents[2]
SELLER, US = "A1SANDBOXSELLER", "ATVPDKIKX0DER"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def env(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(SALESCHANNEL_HOME=str(tmp_path), SALESCHANNEL_LEASE_WAIT_SECONDS="5",
                       SALESCHANNEL_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    return environment


@pytest.fixture
def sandbox(env):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "saleschannel", "sandbox", "serve", "--port", str(port), "--rate-limits", "off"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert proc.stdout is not None
    line = read_line(proc, timeout=120)
    match = re.search(r"(http://\S+)", line)
    assert match, f"the sandbox did not start: {line!r}"
    yield match.group(1)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)


def sc(env, *argv, check=True):
    done = subprocess.run([sys.executable, "-m", "saleschannel", *argv], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=180)
    if check:
        assert done.returncode == 0, f"{argv}: {done.stderr}"
    return done


def sc_json(env, *argv):
    return json.loads(sc(env, *argv).stdout)


def put(url, body):
    httpx.put(f"{url}/_sandbox/orders/{body['orderId']}", json=body, timeout=30).raise_for_status()


def set_status(url, order_id, status):
    httpx.post(f"{url}/_sandbox/orders/{order_id}/status", json={"fulfillmentStatus": status},
               timeout=30).raise_for_status()


@pytest.fixture
def shop(env, sandbox):
    sc(env, "init")
    for sku, qty in (("E2E-MUG", "10"), ("E2E-CAP", "10"), ("E2E-BAG", "5")):
        sc(env, "product", "add", sku, "--name", f"Product {sku}", "--price", "10.00", "--qty", qty)
    sc(env, "account", "connect", "shop", "--seller-id", SELLER, "--marketplace", US, "--region", "na",
       "--endpoint", sandbox, "--token-url", f"{sandbox}/auth/o2/token", "--client-id", "amzn1.e2e",
       "--client-secret", "e2e-secret", "--refresh-token", "Atzr|e2e")
    sc(env, "settings", "set", "shop", "--import-orders", "enabled")
    return sandbox


def by_id(rows, key):
    return {row[key]: row for row in rows}


def test_orders_created_moved_and_canceled_end_as_the_rules_say(env, shop):
    url = shop
    now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    orders = {
        "fbm": order_dict(order_id="111-0000001-0000001", status="Unshipped", items=[("E2E-MUG", 2)], created=now),
        "fba": order_dict(order_id="111-0000002-0000001", status="Shipped", channel="FBA",
                          items=[("E2E-CAP", 1)], created=now),
        "pending": order_dict(order_id="111-0000003-0000001", status="Pending", items=[("E2E-CAP", 1)],
                              prices=False, created=now),
        "canceled": order_dict(order_id="111-0000004-0000001", status="Canceled", items=[("E2E-MUG", 1)],
                               created=now),
        "fba_early": order_dict(order_id="111-0000005-0000001", status="Unshipped", channel="FBA",
                                items=[("E2E-CAP", 1)], created=now),
        "short": order_dict(order_id="111-0000006-0000001", status="Unshipped", items=[("E2E-BAG", 8)],
                            created=now),
    }
    for body in orders.values():
        body.pop("lastUpdatedTime")  # the sandbox stamps them now
        put(url, body)
    first = sc_json(env, "sync", "shop", "--once", "--json")
    assert first == {"fetched": 6, "created": 2, "waiting": 3, "errors": 0, "api_calls": first["api_calls"]}
    states = by_id(sc_json(env, "amazon-orders", "shop", "--json"), "amazon_order_id")
    assert {k: states[o["orderId"]]["import_state"] for k, o in orders.items()} == {
        "fbm": "imported", "fba": "imported", "pending": "waiting", "canceled": "not_importable",
        "fba_early": "waiting", "short": "waiting",
    }

    # Amazon moves them on: the pending one gets its prices, one is canceled, FBA ships; stock arrives.
    paid = order_dict(order_id=orders["pending"]["orderId"], status="Unshipped", items=[("E2E-CAP", 1)],
                      created=now)
    paid.pop("lastUpdatedTime")
    put(url, paid)
    set_status(url, orders["fbm"]["orderId"], "CANCELLED")
    set_status(url, orders["fba_early"]["orderId"], "SHIPPED")
    sc(env, "stock", "set", "E2E-BAG", "10")
    second = sc_json(env, "sync", "shop", "--once", "--json")
    assert second["errors"] == 0

    store = by_id(sc_json(env, "orders", "--json"), "amazon_order_id")
    assert set(store) == {orders[k]["orderId"] for k in ("fbm", "fba", "pending", "fba_early", "short")}
    assert store[orders["fbm"]["orderId"]]["state"] == "canceled"  # R17
    assert store[orders["fba"]["orderId"]]["state"] == "complete"  # R21
    assert store[orders["fba_early"]["orderId"]]["state"] == "complete"
    assert store[orders["pending"]["orderId"]]["state"] == "new"
    assert store[orders["short"]["orderId"]]["state"] == "new"  # R9: created once stock arrived
    assert sc_json(env, "stock", "show", "E2E-MUG", "--json")["reserved"] in ("0", "0.0000", 0)
    assert float(sc_json(env, "stock", "show", "E2E-BAG", "--json")["reserved"]) == -8
    assert float(sc_json(env, "stock", "show", "E2E-CAP", "--json")["reserved"]) == -1  # the one FBM order

    # A third cycle over the same orders changes nothing.
    assert sc_json(env, "sync", "shop", "--once", "--json")["created"] == 0
    assert len(sc_json(env, "orders", "--json")) == 5
    log = sc_json(env, "sync-log", "shop", "--json")
    assert len(log) == 3 and all(entry["api_calls_by_operation"].get("searchOrders") for entry in log)


def test_a_worker_process_imports_new_orders_and_stops_on_sigterm(env, shop):
    url = shop
    worker = subprocess.Popen([sys.executable, "-m", "saleschannel", "worker"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        body = order_dict(order_id="111-0000009-0000001", status="Unshipped", items=[("E2E-MUG", 1)],
                          created=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2))
        body.pop("lastUpdatedTime")
        put(url, body)
        deadline = time.monotonic() + 90
        state = None
        while time.monotonic() < deadline:
            rows = by_id(sc_json(env, "amazon-orders", "shop", "--json"), "amazon_order_id")
            state = rows.get(body["orderId"], {}).get("import_state")
            if state == "imported":
                break
            time.sleep(1)
        assert state == "imported"
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=60)
    assert code == 0, worker.stderr.read() if worker.stderr else ""
