"""The issue's two "done when" checks.

1. Over HTTP with ``--fault-rate 0.1``, the client drains 1,000 generated orders from
   ``saleschannel sandbox serve``, losing none and returning none twice.
2. With Amazon's rate limits on, the client never receives a 429 in steady state: its
   limiter waits instead (one fake clock shared by sandbox and client).
"""

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from saleschannel.spapi import (
    ConfirmShipmentItem,
    ConfirmShipmentPackage,
    Credentials,
    FakeClock,
    Order,
    RetryPolicy,
    SpApiClient,
    TokenBucketLimiter,
)
from saleschannel.spapi.sandbox import SandboxApp
from tests.childproc import read_line
from tests.spapi.conftest import BASE, TOKEN_URL, ModelChecked

REPO = Path(__file__).resolve().parents[2]


def start_sandbox(*flags):
    process = subprocess.Popen(
        [sys.executable, "-m", "saleschannel", "sandbox", "serve", "--port", "0", *flags],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    line = read_line(process, timeout=120)
    assert line.startswith("Amazon sandbox: http://127.0.0.1:"), (
        line,
        process.stderr.read() if process.poll() else "",
    )
    return process, line.split()[-1]


def stop_sandbox(process, sig):
    process.send_signal(sig)
    try:
        code = process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    return code, process.stderr.read()


def test_drains_1000_orders_over_http_with_faults_losing_none_and_none_twice():
    process, url = start_sandbox(
        "--seed", "42", "--rate-limits", "off", "--fault-rate", "0.1", "--stall-seconds", "8"
    )
    try:
        control = httpx.Client(base_url=url, timeout=10)
        generated = control.post("/_sandbox/generate", json={"count": 1000}).json()["orderIds"]
        assert len(set(generated)) == 1000
        client = SpApiClient(
            seller_id="A1SANDBOXSELLER",
            credentials=Credentials("client", "secret", "Atzr|e2e"),
            endpoint=url,
            token_url=f"{url}/auth/o2/token",
            # A stall (8 s) outlasts the read timeout; a slow answer on a loaded machine does not.
            timeout=httpx.Timeout(4.0, connect=10.0),
            retry=RetryPolicy(max_attempts=8, base_delay=0.05, max_delay=0.5),
        )
        start = client.clock.now() - dt.timedelta(hours=1)
        returned = []
        with client:
            for page in client.search_orders(
                marketplace_ids=None, created_after=start, max_results_per_page=50
            ):
                assert all(isinstance(o, Order) for o in page.orders)
                returned.extend(o.order_id for o in page.orders)
            stats = client.stats.snapshot()
        sandbox_calls = control.get("/_sandbox/calls").json()
    finally:
        code, stderr = stop_sandbox(process, signal.SIGINT)
    print(f"\nclient calls {stats.calls}, retries {stats.retries}, throttled {stats.throttled}")
    print(f"sandbox counted {sandbox_calls}")
    assert len(returned) == len(set(returned)) == 1000  # none twice
    assert set(returned) == set(generated)  # none lost
    assert sandbox_calls["faults"] > 0 and stats.retries >= sandbox_calls["faults"] - 1
    assert code == 0 and "stopped" in stderr and "Traceback" not in stderr


def test_serve_stops_cleanly_on_sigterm():
    process, url = start_sandbox(
        "--seed", "1", "--generate", "600", "--marketplaces", "A1PA6795UKMFR9", "--seller-id", "A1DEMO"
    )
    orders = httpx.post(f"{url}/_sandbox/generate", json={"count": 5}, timeout=5)
    assert orders.status_code == 200
    stored = httpx.get(f"{url}/_sandbox/orders", timeout=5).json()["orders"]
    assert {o["salesChannel"]["marketplaceId"] for o in stored} == {"A1PA6795UKMFR9"}
    consent = httpx.post(
        f"{url}/apps/authorize/consent",
        data={
            "application_id": "a",
            "state": "s",
            "redirect_uri": "https://x.test/cb",
            "decision": "approve",
        },
        timeout=5,
    )
    assert "selling_partner_id=A1DEMO" in consent.headers["location"]
    code, stderr = stop_sandbox(process, signal.SIGTERM)
    assert code == 0 and "stopped" in stderr and "Traceback" not in stderr


def test_serve_refuses_bad_flags_naming_them(capsys):
    from saleschannel.cli import main

    for argv, field in [
        (["--port", "70000"], "--port"),
        (["--port", "0", "--fault-rate", "1.5"], "--fault-rate"),
        (["--port", "0", "--rate-limits", "some"], "--rate-limits"),
        (["--port", "0", "--host", "0.0.0.0"], "--host"),
        (["--port", "0", "--notify-url", "ftp://x"], "--notify-url"),
        (["--port", "0", "--generate", "-1"], "--generate"),
        (["--port", "0", "--marketplaces", "ATVPDKIKX0DER,XX"], "--marketplaces"),
        (["--port", "0", "--seller-id", " "], "--seller-id"),
    ]:
        assert main(["sandbox", "serve", *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and field in err[0]


def test_steady_state_with_amazon_rate_limits_never_meets_a_429():
    clock = FakeClock()
    app = SandboxApp(clock=clock, seed=5, rate_limits=True, generate_per_minute=2)
    app.generate(40)
    client = SpApiClient(
        seller_id="A1SANDBOXSELLER",
        credentials=Credentials("client", "secret", "Atzr|steady"),
        endpoint=BASE,
        token_url=TOKEN_URL,
        clock=clock,
        limiter=TokenBucketLimiter(clock),
        transport=ModelChecked(app.transport()),
    )
    watermark = clock.now() - dt.timedelta(minutes=5)
    confirmed = set()
    for _ in range(30):  # well past every burst: 20 searches, 30 getOrders, 10 confirmations
        watermark = sync_cycle(client, watermark, confirmed)
    stats = client.stats.snapshot()
    print(
        f"\ncalls {stats.calls}, waited {stats.limiter_wait_seconds:.0f}s of fake time, throttled {stats.throttled}"
    )
    assert (
        stats.calls["searchOrders"] > 20
        and stats.calls["getOrder"] > 30
        and stats.calls["confirmShipment"] > 10
    )
    # every search past the burst of 20 waited for its token instead of meeting a 429
    assert stats.limiter_wait_seconds >= (stats.calls["searchOrders"] - 20) / 0.0056 - 1
    assert stats.throttled == 0 and app.calls()["throttled"] == 0
    client.close()


def sync_cycle(client, watermark, confirmed):
    """A plain S1 cycle: search since the watermark less an overlap, re-read open orders,
    confirm the shipments of unshipped merchant orders."""
    open_orders = []
    for page in client.search_orders(
        marketplace_ids=None, last_updated_after=watermark - dt.timedelta(minutes=10)
    ):
        open_orders += [o for o in page.orders if o.fulfillment_status in ("PENDING", "UNSHIPPED")]
        watermark = page.last_updated_before
    for order in open_orders[:5]:
        order = client.get_order(order.order_id)
    for order in open_orders:
        if order.fulfillment_status == "UNSHIPPED" and not order.is_fba and order.order_id not in confirmed:
            ship(client, order)
            confirmed.add(order.order_id)
    return watermark


def ship(client, order):
    items = tuple(
        ConfirmShipmentItem(i.order_item_id, i.quantity_ordered) for i in order.items if i.quantity_ordered
    )
    package = ConfirmShipmentPackage(
        package_reference_id="1",
        carrier_code="UPS",
        tracking_number=f"1Z{order.order_id[-7:]}",
        ship_date=client.clock.now(),
        items=items,
    )
    client.confirm_shipment(order.order_id, marketplace_id=order.marketplace_id, package=package)


def test_run_in_thread_serves_the_app_on_a_free_loopback_port_and_stops():
    from saleschannel.spapi.sandbox import run_in_thread

    app = SandboxApp(seed=2, rate_limits=False)
    url, stop = run_in_thread(app)
    try:
        assert url.startswith("http://127.0.0.1:")
        ids = httpx.post(f"{url}/_sandbox/generate", json={"count": 7}, timeout=5).json()["orderIds"]
        with SpApiClient(
            seller_id="S",
            credentials=Credentials("c", "s", "Atzr|t"),
            endpoint=url,
            token_url=f"{url}/auth/o2/token",
        ) as client:
            since = client.clock.now() - dt.timedelta(hours=1)
            found = [
                o.order_id
                for p in client.search_orders(marketplace_ids=None, created_after=since)
                for o in p.orders
            ]
            assert sorted(found) == sorted(ids)
            assert client.get_order(ids[0]).order_id == ids[0]
    finally:
        stop()
    try:
        httpx.get(f"{url}/_sandbox/calls", timeout=1)
        raise AssertionError("the server still answers after stop()")
    except httpx.TransportError:
        pass
