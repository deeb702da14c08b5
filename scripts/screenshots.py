#!/usr/bin/env python3
"""Screenshots of the dashboard for the README, made on realistic data with the browser tests' harness.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Builds a throw-away installation (SQLite in a temporary SALESCHANNEL_HOME), imports a month of
Amazon orders through the channel's own services, serves it with waitress and photographs the
store dashboard, the Order Settings page and an order view in Debian's headless chromium.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUYERS = ["Lena Hoffmann", "Jonas Weber", "Mia Schulz", "Felix Wagner", "Emma Becker", "Paul Fischer",
          "Hannah Koch", "Luis Richter", "Sophie Klein", "Noah Wolf", "Clara Neumann", "Elias Braun"]
PRODUCTS = [("MUG-BLUE", "Stoneware mug, blue", "12.90", 400), ("MUG-RED", "Stoneware mug, red", "12.90", 300),
            ("TEA-EARL", "Earl Grey, 250 g", "8.50", 500), ("TEA-GREEN", "Sencha green tea, 100 g", "9.90", 250),
            ("POT-CAST", "Cast iron teapot, 0.8 l", "49.00", 60), ("KETTLE-1", "Gooseneck kettle", "69.00", 0)]


def setup() -> None:
    os.environ.setdefault("SALESCHANNEL_HOME", tempfile.mkdtemp(prefix="saleschannel-shots-"))
    os.environ.pop("DATABASE_URL", None)
    os.environ["SALESCHANNEL_TIME_ZONE"] = "Europe/Berlin"
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from saleschannel.cli import setup_django

    setup_django(migrate=True)


def backdate(order: Any, when: dt.datetime) -> None:
    """The order was imported shortly after its purchase, not now: move its history there."""
    from saleschannel.channel.models import AmazonOrder, AmazonStatusEvent, ImportAttempt
    from saleschannel.commerce.sales.models import Order, OrderStatusHistory

    later = when + dt.timedelta(minutes=random.randint(3, 40))
    ImportAttempt.objects.filter(amazon_order=order).update(attempted_at=later)
    AmazonStatusEvent.objects.filter(amazon_order=order).update(seen_at=later, changed_at=when)
    AmazonOrder.objects.filter(pk=order.pk).update(last_updated_time=when, first_seen_at=later, last_seen_at=later)
    if order.store_order_id:
        Order.objects.filter(pk=order.store_order_id).update(created_at=later)
        OrderStatusHistory.objects.filter(order_id=order.store_order_id).update(created_at=later)


def populate() -> dict[str, Any]:
    from django.db.models import Count
    from django.utils import timezone

    from saleschannel.channel.models import AmazonOrder, SyncRun
    from saleschannel.commerce.catalog.services import product_create
    from saleschannel.commerce.stores.services import stores_init
    from saleschannel.workers.models import Lease
    from tests.dashboard import factories

    random.seed(7)
    stores_init()
    for sku, name, price, qty in PRODUCTS:
        product_create(sku=sku, name=name, price=price, qty=qty)
    factories.user_make("maria", manager=True)
    now = timezone.now()
    account = factories.account_make("Tea & Mugs · Amazon.de", integrated_at=now - dt.timedelta(days=45))
    factories.import_enable(account)
    shown = None
    for i in range(140):
        when = now - dt.timedelta(minutes=random.randint(20, 30 * 24 * 60))
        sku, title, price, _ = random.choice(PRODUCTS[:5])
        qty = random.choice([1, 1, 1, 2, 3])
        shipping = random.choice(["0.00", "0.00", "3.90", "4.90"])
        total = f"{float(price) * qty + float(shipping):.2f}"
        kind = random.random()
        status, channel = ("SHIPPED", "AMAZON") if kind < 0.25 else ("UNSHIPPED", "MERCHANT")
        raw = factories.raw_order(f"302-{random.randint(10**6, 10**7 - 1)}-{random.randint(10**6, 10**7 - 1)}",
                                  status=status, channel=channel, total=total, sku=sku, qty=qty, shipping=shipping, title=title,
                                  buyer="" if channel == "AMAZON" else random.choice(BUYERS), created=when)
        order = factories.amazon_order_receive(account, raw)
        backdate(order, when)
        if order.channel == "FBM" and order.import_state == "imported" and shown is None and i > 100:
            shown = order
    extras = [
        factories.raw_order("302-8800001-0000001", status="PENDING", total="25.80", sku="MUG-BLUE", qty=2,
                            buyer="Anna Vogel", created=now - dt.timedelta(minutes=12)),
        factories.raw_order("302-8800002-0000002", total="69.00", sku="KETTLE-1", buyer="Tim Keller",
                            created=now - dt.timedelta(hours=3)),
        factories.raw_order("302-8800003-0000003", total="138.00", sku="KETTLE-1", qty=2, buyer="Eva Roth",
                            created=now - dt.timedelta(hours=5)),
        factories.raw_order("302-8800004-0000004", status="CANCELLED", total="12.90", sku="MUG-RED",
                            buyer="Max Peters", created=now - dt.timedelta(hours=7)),
    ]
    for raw in extras:
        factories.amazon_order_receive(account, raw)
    broken = factories.raw_order("302-8800005-0000005", buyer="Ida Lang", created=now - dt.timedelta(hours=2))
    broken["createdTime"] = "yesterday"
    factories.amazon_order_receive(account, broken)
    for hour in range(24):
        started = now - dt.timedelta(hours=hour, minutes=random.randint(0, 50))
        searches = 22 if hour == 9 else random.randint(8, 16)
        gets = random.randint(2, 25)
        SyncRun.objects.create(account=account, started_at=started, finished_at=started + dt.timedelta(seconds=8),
                               outcome="partial" if hour == 9 else "ok", api_calls=searches + gets,
                               api_calls_by_operation={"getOrder": gets, "searchOrders": searches},
                               throttled=2 if hour == 9 else 0,
                               fetched=random.randint(2, 12), pages=1, watermark=started)
    Lease.objects.update_or_create(key=f"account:{account.pk}", defaults={"due_at": now + dt.timedelta(minutes=3)})
    states = dict(AmazonOrder.objects.values_list("import_state").annotate(n=Count("pk")).order_by())
    assert shown is not None and states.get("error"), states
    return {"account": account, "order": shown}


def serve() -> str:
    from django.core.wsgi import get_wsgi_application
    from waitress.server import create_server

    server = create_server(get_wsgi_application(), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]


def photograph(base: str, data: dict[str, Any], out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import launch
    from tests.dashboard.factories import PASSWORD

    out.mkdir(parents=True, exist_ok=True)
    account, order = data["account"], data["order"]
    made = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1360, "height": 900}, device_scale_factor=1)
        page.goto(base + "/login/")
        page.fill("#id_username", "maria")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        for name, url, full in [
            ("store-dashboard", f"/accounts/{account.pk}/", True),
            ("order-settings", f"/accounts/{account.pk}/settings/", True),
            ("order-view", f"/orders/{order.store_order_id}/", True),
            ("amazon-order", f"/amazon-orders/{order.pk}/", True),
            ("amazon-orders", "/amazon-orders/", False),
        ]:
            page.goto(base + url)
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=full)
            made.append(path)
        browser.close()
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    chromium = os.environ.get("SALESCHANNEL_CHROMIUM", "/usr/bin/chromium")
    if not os.access(chromium, os.X_OK):
        print(f"no chromium at {chromium}: install Debian's chromium or set SALESCHANNEL_CHROMIUM", file=sys.stderr)
        return 1
    setup()
    data = populate()
    for path in photograph(serve(), data, Path(args.out)):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
