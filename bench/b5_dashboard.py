"""B5: server time of the dashboard's Recent Orders at 10^4, 10^5 and 10^6 Amazon orders (PostgreSQL).

One child process on a PostgreSQL database of its own. Amazon order rows are written
straight into ``channel_amazonorder`` with ``COPY`` (no import runs): their columns come
from the channel's own ``snapshot_fields`` of 2,000 generated orders, repeated with fresh
order ids, purchase dates spread over two years, store order numbers and a mix of import
states; 90% belong to the measured account, 10% to a second one. After each level is
loaded the table is ``VACUUM ANALYZE``d, as autovacuum leaves a table after a bulk insert
(the index-only counts need its visibility map; this server may run with autovacuum off),
then each page is requested with Django's test
``Client`` in-process, signed in as a staff user: 3 warm-up requests, then 20 timed ones
(wall time of ``client.get``: middleware, view, queries, template; no network; the first
warm-up request's time is reported too). The pages:
the Amazon orders list (first keyset page, newest purchase first), the same list searched
by an Amazon order number and by a store order number, and the account's store dashboard
(its Recent Orders, counts, revenue and charts). The load time of each level is reported.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from decimal import Decimal
from typing import Any

from bench import env

LEVELS = (10_000, 100_000, 1_000_000)
QUICK_LEVELS = (10_000, 100_000)
TARGET_MS = 200.0
TEMPLATES = 2_000
WARM, TIMED = 3, 20


def run(*, size: int | None = None, quick: bool = False, tiny: bool = False) -> dict[str, Any]:
    levels = (size, size * 2) if size else QUICK_LEVELS if quick else LEVELS
    timed = 3 if tiny else TIMED
    if not env.pg_available():
        return {"benchmark": "B5", "title": "dashboard server time", "skipped": "PostgreSQL is not available",
                "targets": {"met": False}}
    result = env.run_child("bench.b5_dashboard", "measure", {"levels": list(levels), "timed": timed},
                           timeout=4 * 3600)
    largest = result["levels"][-1]["pages"]
    return {
        "benchmark": "B5",
        "title": "dashboard server time (PostgreSQL)",
        **result,
        "targets": {
            "p95_ms_at_most_at_largest_level": TARGET_MS,
            "met_recent_orders": largest["amazon_orders_first_page"]["p95_ms"] <= TARGET_MS,
            "met_search": largest["search_amazon_order_id"]["p95_ms"] <= TARGET_MS,
            "met_search_store_order_number": largest["search_store_order_number"]["p95_ms"] <= TARGET_MS,
            "met_store_dashboard": largest["store_dashboard"]["p95_ms"] <= TARGET_MS,
        },
    }


def measure(*, levels: list[int], timed: int = TIMED) -> dict[str, Any]:
    with env.django_database("postgresql"):
        from django.contrib.auth.models import User
        from django.core.cache import cache
        from django.test import Client

        from bench import world
        from bench.orders import T0

        world.catalog_setup(0, mixed=False)
        main = world.account_setup(n=1, now=T0 - dt.timedelta(days=800))
        other = world.account_setup(n=2, now=T0 - dt.timedelta(days=800))
        user = User.objects.create_user(username="bench-viewer", password="bench-password-1", is_staff=True)
        client = Client()
        client.force_login(user)
        rows = _row_templates(min(TEMPLATES, max(levels)))
        loaded, out = 0, []
        for level in levels:
            started = time.perf_counter()
            _copy_rows(main, other, rows, first=loaded, count=level - loaded)
            _analyze()
            cache.clear()  # counts remembered from the level before (the store dashboard's) are wrong now
            load_s = time.perf_counter() - started
            loaded = level
            out.append({"amazon_orders": level, "load_s": round(load_s, 1),
                        "pages": _pages(client, main, level, timed)})
    return {"levels": out, "warm_up_requests": WARM, "timed_requests": timed}


def _row_templates(count: int) -> list[dict[str, Any]]:
    """Columns of real snapshots (``snapshot_fields``), with placeholders for what varies."""
    from bench.orders import importable_orders
    from saleschannel.channel.services.imports.snapshot import snapshot_fields
    from saleschannel.spapi.models import read_order

    templates = []
    for body in importable_orders(count):
        fields = snapshot_fields(read_order(body))
        raw = json.dumps(fields.pop("raw"))
        for key in ("orderId", "createdTime", "lastUpdatedTime"):
            raw = raw.replace(json.dumps(body[key]), json.dumps(f"@{key}@"), 1)
        templates.append({"fields": fields, "raw": raw})
    return templates


STATES = (("imported", 85), ("waiting", 8), ("not_importable", 4), ("error", 3))


def _state(n: int) -> str:
    slot, total = n % 100, 0
    for state, share in STATES:
        total += share
        if slot < total:
            return state
    return "imported"


def order_id(n: int) -> str:
    return f"{100 + n % 900:03d}-{n:07d}-{(n * 7919) % 10**7:07d}"


def _copy_rows(main: Any, other: Any, templates: list[dict[str, Any]], *, first: int, count: int) -> None:
    from django.db import connection

    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    step = dt.timedelta(seconds=63)  # 10^6 orders over about two years, newest first by n
    columns = ["account_id", "amazon_order_id", "purchase_date", "last_updated_time", "status", "channel",
               "currency", "order_total", "buyer_name", "is_prime", "is_business", "raw", "first_seen_at",
               "last_seen_at", "auto_eligible", "import_state", "reason_code", "reason",
               "holds_pending_reservation", "pending_generation", "skus", "store_order_number",
               "error_attempts"]
    with connection.cursor() as cursor, cursor.connection.cursor() as raw_cursor, raw_cursor.copy(
            f"COPY channel_amazonorder ({', '.join(columns)}) FROM STDIN") as copy:
        for n in range(first, first + count):
            t = templates[n % len(templates)]
            f = t["fields"]
            purchased = start - step * n
            updated = purchased + dt.timedelta(minutes=10)
            oid = order_id(n)
            state = _state(n)
            number = f"{n + 1:09d}" if state == "imported" else ""
            reason = {"imported": number, "waiting": "out of stock: SKU DEMO-CAP-RED, salable 0, ordered 1",
                      "not_importable": "import disabled", "error": "import error: a plain message"}[state]
            raw = (t["raw"].replace("@orderId@", oid).replace("@createdTime@", _iso(purchased))
                   .replace("@lastUpdatedTime@", _iso(updated)))
            copy.write_row((
                (other if n % 10 == 9 else main).pk, oid, purchased, updated, f["status"], f["channel"],
                f["currency"], f["order_total"] if f["order_total"] is not None else Decimal(0),
                f["buyer_name"], f["is_prime"], f["is_business"], raw, updated, updated, True, state,
                "imported" if state == "imported" else "out_of_stock" if state == "waiting" else state,
                reason, False, 0, f["skus"], number, 0,
            ))


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _analyze() -> None:
    """What autovacuum does after a bulk insert: statistics, and the visibility map (index-only scans)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE channel_amazonorder")


def _pages(client: Any, main: Any, level: int, timed: int) -> dict[str, Any]:
    from django.urls import reverse

    from saleschannel.channel.models import AmazonOrder

    probe = AmazonOrder.objects.filter(account=main, import_state="imported").order_by("pk")[level // 2 // 10 * 9:][:1]
    sample = probe.first() or AmazonOrder.objects.first()
    assert sample is not None
    listing = reverse("dashboard:amazon_orders")
    pages = {
        "amazon_orders_first_page": listing,
        "search_amazon_order_id": f"{listing}?number={sample.amazon_order_id}",
        "search_store_order_number": f"{listing}?number={sample.store_order_number}",
        "store_dashboard": reverse("dashboard:store_dashboard", args=[main.pk]),
    }
    return {name: _time_page(client, url, timed) for name, url in pages.items()}


def _time_page(client: Any, url: str, timed: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first_ms = None
    for _ in range(WARM):
        started = time.perf_counter()
        response = client.get(url)
        first_ms = first_ms if first_ms is not None else (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(timed):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]), default=None)
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, -(-len(ordered) * 95 // 100) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
        # The first warm-up request: caches cold (the store dashboard recounts its large import states).
        "first_request_ms": round(first_ms or 0.0, 1),
        "queries": len(queries.captured_queries),
        "slowest_query_ms": round(float(slowest["time"]) * 1000, 1) if slowest else None,
        "slowest_query": (slowest["sql"][:300] if slowest else None),
        "url": url,
    }
