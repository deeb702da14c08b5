"""B9: a catalog change makes 20,000 offers due at once; how long until Amazon shows them all.

20,000 store products with 10 units each, each listed MFN in the sandbox with 10, learned
by the push (T3) and in sync. Then one catalog change: a third of the SKUs set to 0, the
rest to 7. The real worker loop pushes (T6, T9: more due than five minutes of the patch
budget go by one ``JSON_LISTINGS_FEED``, the zeros by patch at once) under the default
usage plans, on the simulated clock shared by the sandbox (feed delay 30 minutes), the
client, the database buckets and the worker. The sandbox reports every change of a
listing's ``DEFAULT`` quantity; the time a SKU reaches its desired quantity is the
simulated time of the first change to it after the catalog change.

Compared with: patches alone (20,000 at 5 a second: 4,000 s, the floor, computed) and a
feed alone (its delay plus the polling of ``getFeed``, as measured for the feed here).
Peak RSS growth of the feed build is measured apart, in a process of its own, for 25,000
messages (``write_quantity_feed``, the builder the push uses).
"""

from __future__ import annotations

import resource
import time
from decimal import Decimal
from typing import Any

from bench import env

OFFERS, OFFERS_QUICK, OFFERS_TINY = 20_000, 3_000, 60
FEED_MESSAGES = 25_000
FEED_DELAY_S = 1800.0
PATCH_RATE = 5.0
TARGET_ZEROS_S = 60.0
TARGET_FACTOR = 0.6
TARGET_FEED_RSS_MB = 20.0


def run(*, size: int | None = None, quick: bool = False, tiny: bool = False) -> dict[str, Any]:
    offers = OFFERS_TINY if tiny else size or (OFFERS_QUICK if quick else OFFERS)
    backlog = env.run_child("bench.b9_backlog", "measure", {"offers": offers, "feed_delay_s": 60.0 if tiny
                                                             else FEED_DELAY_S})
    memory = env.run_child("bench.b9_backlog", "feed_memory", {"messages": 500 if tiny else FEED_MESSAGES})
    patches_alone = offers / PATCH_RATE
    everything, zeros = backlog["all_applied_s"], backlog["zeros_applied_s"]
    return {
        "benchmark": "B9",
        "title": f"a backlog of {offers:,} offers due at once",
        "offers": offers,
        "backlog": backlog,
        "feed_build_memory": memory,
        "patches_alone_floor_s": patches_alone,
        "feed_alone_s": backlog.get("feed_done_s"),
        "targets": {
            "zeros_within_s": TARGET_ZEROS_S,
            "all_within_factor_of_patches_alone": TARGET_FACTOR,
            "feed_build_rss_growth_at_most_mb": TARGET_FEED_RSS_MB,
            "met_zeros": zeros is not None and zeros <= TARGET_ZEROS_S,
            "met_all": everything is not None and everything <= TARGET_FACTOR * patches_alone,
            "met_no_429": backlog["throttled"] == 0,
            "met_no_version_twice": backlog["versions_patched_twice"] == 0,
            "met_feed_memory": memory["rss_growth_mb"] <= TARGET_FEED_RSS_MB,
        },
    }


def _hwm_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def feed_memory(*, messages: int) -> dict[str, Any]:
    """Peak RSS growth of building one feed of ``messages`` quantity updates, as the push builds it."""
    import io

    from saleschannel.spapi.feeds import QuantityUpdate, write_quantity_feed

    updates = [QuantityUpdate(sku=f"B9-{i:06d}", product_type="PRODUCT", quantity=i % 11) for i in range(messages)]
    before = _hwm_mb()
    started = time.perf_counter()
    document = io.BytesIO()
    write_quantity_feed(document, seller_id="A001BENCHSELLER", updates=updates)
    size = document.tell()
    return {"messages": messages, "document_bytes": size, "build_s": round(time.perf_counter() - started, 2),
            "peak_rss_before_mb": round(before, 1), "peak_rss_after_mb": round(_hwm_mb(), 1),
            "rss_growth_mb": round(_hwm_mb() - before, 1),
            "how": "ru_maxrss before and after write_quantity_feed into an in-memory document; the updates "
                   "themselves are made before"}


def measure(*, offers: int, feed_delay_s: float) -> dict[str, Any]:
    with env.django_database("sqlite"):
        from django.db.models import Count

        from bench import simulate, world
        from bench.orders import MARKETPLACE, T0
        from saleschannel.channel.stock.models import StockPush
        from saleschannel.channel.stock.services import stock_settings_update
        from saleschannel.commerce.catalog.services import product_create
        from saleschannel.commerce.inventory.services import source_item_set
        from saleschannel.commerce.stores.services import stores_init
        from saleschannel.spapi.sandbox.listings import MFN

        skus = [f"B9-{i:06d}" for i in range(offers)]
        setup_started = time.perf_counter()
        stores_init()
        for sku in skus:
            product_create(sku=sku, name=sku, price=Decimal("9.99"), manage_stock=True, qty=10)
        clock = simulate.at(T0)
        account = world.account_setup(endpoint=simulate.SANDBOX_URL,
                                      token_url=f"{simulate.SANDBOX_URL}/auth/o2/token", now=T0)
        app = simulate.sandbox(clock, rate_limits=True, skus=skus[:1], feed_delay=feed_delay_s,
                               seller_id=account.seller_id)
        for sku in skus:
            app.listings.put(sku=sku, marketplace_id=MARKETPLACE.marketplace_id, product_type="PRODUCT",
                             channels={MFN: 10}, status=["BUYABLE", "DISCOVERABLE"], now=clock.now())
        stock_settings_update(account=account, changes={"push_stock": "enabled"}, actor="benchmark", now=clock.now())
        worker = simulate.worker(clock, app)
        simulate.drive(clock, [worker], done=lambda: False, max_simulated=offers / 20 / 5 + 600, max_wall=3600)
        setup_s = time.perf_counter() - setup_started
        calls_before = app.calls()
        # The catalog change: a third to zero, the rest to 7.
        desired = {sku: 0 if i % 3 == 0 else 7 for i, sku in enumerate(skus)}
        for sku, qty in desired.items():
            source_item_set(source=None, sku=sku, quantity=qty)
        reached: dict[str, float] = {}
        start = clock.monotonic()
        notify = app.listings._on_quantity

        def seen(listing: Any) -> None:
            if listing.sku not in reached and listing.quantity() == desired.get(listing.sku):
                reached[listing.sku] = clock.monotonic() - start
            if notify is not None:
                notify(listing)

        app.listings._on_quantity = seen
        app.feeds.listings._on_quantity = seen
        wall = time.perf_counter()
        drive = simulate.drive(clock, [worker], done=lambda: len(reached) == offers,
                               max_simulated=offers / PATCH_RATE + 3600, max_wall=5400)
        zeros = [reached.get(s) for s, q in desired.items() if q == 0]
        rest = [reached.get(s) for s, q in desired.items() if q != 0]
        calls_after = app.calls()
        ops = {op: n - calls_before["operations"].get(op, 0) for op, n in calls_after["operations"].items()}
        # A version sent twice by patch: a patch row sent more than once, or a version both fed and patched.
        pushes = StockPush.objects.filter(account=account)
        twice = pushes.filter(method=StockPush.Method.PATCH, attempts__gt=1).count() + (
            pushes.values("offer_id", "stock_version").annotate(n=Count("method", distinct=True))
            .filter(n__gt=1).count())
        feed_pushes = StockPush.objects.filter(account=account, method=StockPush.Method.FEED).count()
        app.close()

        def worst(values: list[float | None]) -> float | None:
            return None if not values or any(v is None for v in values) else round(max(values), 1)  # type: ignore[type-var]

        return {
            "offers": offers,
            "to_zero": len(zeros),
            "feed_delay_s": feed_delay_s,
            "setup_wall_s": round(setup_s, 1),
            "drive": {**drive, "wall_s": round(time.perf_counter() - wall, 1)},
            "zeros_applied_s": worst(zeros),
            "others_applied_s": worst(rest),
            "all_applied_s": worst(zeros + rest),
            "feed_done_s": worst(rest) if feed_pushes else None,
            "applied": len(reached),
            "calls": ops,
            "throttled": calls_after["throttled"] - calls_before["throttled"],
            "pushes_by_feed": feed_pushes,
            "versions_patched_twice": twice,
        }

