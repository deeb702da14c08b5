"""B7: units oversold when the store and Amazon sell the same SKUs at once, four ways of pushing.

50 SKUs with 20 units each in the store, all listed MFN on Amazon (the sandbox's listings,
20 each). One simulated trading day on the shared fake clock (``bench.simulate``): buyers
arrive at random (seeded, one every ``ARRIVAL_MEAN_S`` seconds on average), each on
Amazon or in the store with even odds, and buy one or two units of a SKU their channel
shows: Amazon's buyers through the sandbox's ``sell`` (it refuses more than the listing
shows), the store's through the store core's order service (the order reserves like any
order), only while the store shows the units salable. The day ends when no SKU shows a
unit on either channel. Oversold units = the sum over SKUs of max(0, units sold on both
channels - the 20 the store had).

The same day and seed run four ways:

- ``push``: ours, as in production: push enabled on the account, the worker loop's push
  step, and the sandbox's notifications (ORDER_CHANGE and LISTINGS_ITEM_MFN_QUANTITY_CHANGE)
  taken by the notification endpoint's services at the simulated moment they are sent;
- ``cron_5min``: the source's way: every five minutes a patch of every SKU with the store's
  salable quantity (push disabled, orders imported by the worker's polling);
- ``feed``: Odoo's way: every five minutes a whole-catalog ``JSON_LISTINGS_FEED`` with the
  store's salable quantities, which Amazon applies after its feed delay (30 minutes);
- ``none``: nothing pushed; orders imported by polling.

Time: the worker runs between buyers, its simulated time being only Amazon's usage plans
(rate-limit waits) and its one-second push step (T5), as in B2/B3; the machine's own work
takes no simulated time (B8 measures the real path's latency on the real clock).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from bench import env

WAYS = ("push", "cron_5min", "feed", "none")
SKUS, UNITS = 50, 20
SEEDS, SEEDS_QUICK, SEEDS_TINY = 10, 2, 1
ARRIVAL_MEAN_S = 6.0  # about 10 buyers a minute across both channels
CRON_EVERY_S = 300.0
FEED_DELAY_S = 1800.0  # cli.md --feed-delay: 30 simulated minutes
MAX_DAY_S = 24 * 3600.0
TARGET_PUSH = 0
#: After a buyer, the worker ticks each second for this long, then the clock jumps to the next event.
SETTLE_S = 2.0
SECRET = "bench-notification-secret"


def run(*, size: int | None = None, quick: bool = False, tiny: bool = False) -> dict[str, Any]:
    seeds = SEEDS_TINY if tiny else size or (SEEDS_QUICK if quick else SEEDS)
    skus, units = (6, 3) if tiny else (SKUS, UNITS)
    def one(way: str) -> dict[str, Any]:
        return env.run_child("bench.b7_oversell", "measure",
                             {"way": way, "seeds": list(range(1, seeds + 1)), "skus": skus, "units": units})

    with ThreadPoolExecutor(max_workers=len(WAYS)) as pool:  # a process per way, side by side
        runs = list(pool.map(one, WAYS))
    worst = {r["way"]: max(s["oversold_units"] for s in r["seeds"]) for r in runs}
    return {
        "benchmark": "B7",
        "title": "units oversold across Amazon and the store, four ways of pushing stock",
        "conditions": {"skus": skus, "units_each": units, "seeds": seeds, "arrival_mean_s": ARRIVAL_MEAN_S,
                       "cron_every_s": CRON_EVERY_S, "feed_delay_s": FEED_DELAY_S, "database": "sqlite",
                       "clock": "simulated (FakeClock shared by the sandbox, the client, the buckets and the worker)"},
        "oversold_units": worst,  # C44: the worst over the seeds, per way
        "runs": runs,
        "targets": {
            "push_oversold_at_most": TARGET_PUSH,
            "met_push": worst["push"] <= TARGET_PUSH,
            # C49: a run that cannot tell the ways apart measures nothing
            "met_cron_shows_oversell": tiny or worst["cron_5min"] > 0,
        },
    }


# --- one way, every seed, in a child process ------------------------------------------------


def measure(*, way: str, seeds: list[int], skus: int, units: int) -> dict[str, Any]:
    os.environ["SALESCHANNEL_NOTIFY_SECRET"] = SECRET
    results = []
    with env.django_database("sqlite"):
        for seed in seeds:
            results.append(_day(way, seed, skus, units))
            _wipe()
    return {"way": way, "seeds": results}


def _wipe() -> None:
    """Empty every table between seeds (one migrated database serves them all)."""
    from django.apps import apps
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                cursor.execute(f'DELETE FROM "{model._meta.db_table}"')
        cursor.execute("PRAGMA foreign_keys = ON")


@dataclasses.dataclass(frozen=True)
class _Push:
    """What ``payloads`` reads of a push: the cron and feed ways send the store's salable quantity."""

    sku: str
    quantity: int
    product_type: str = "PRODUCT"
    handling_time: int | None = None


class _InProcessNotifier:
    """The sandbox's notifications, taken at once by the endpoint's services at the simulated moment."""

    def __init__(self, clock: Any) -> None:
        self.clock, self.sent, self.failed = clock, 0, 0

    def publish(self, event: dict[str, Any]) -> None:
        from saleschannel.channel.services.notifications import notification_accept
        from saleschannel.channel.stock.notifications import listings_notification_accept

        body = json.dumps(event).encode()
        try:
            if listings_notification_accept(body=body, api_key=SECRET, now=self.clock.now()) is None:
                notification_accept(body=body, api_key=SECRET, now=self.clock.now())
            self.sent += 1
        except Exception:  # refused or unknown: dropped, as the endpoint would answer 4xx
            self.failed += 1

    def flush(self, timeout: float = 0.0) -> None:
        pass

    def close(self) -> None:
        pass


def _day(way: str, seed: int, n_skus: int, units: int) -> dict[str, Any]:
    from bench import simulate, world
    from bench.orders import MARKETPLACE, T0
    from saleschannel.channel.stock.services import stock_settings_update
    from saleschannel.commerce.catalog.services import product_create
    from saleschannel.commerce.stores.services import stores_init

    skus = [f"B7-SKU-{i:02d}" for i in range(n_skus)]
    stores_init()
    for sku in skus:
        product_create(sku=sku, name=sku.title(), price=Decimal("19.99"), manage_stock=True, qty=units)
    clock = simulate.at(T0)
    account = world.account_setup(endpoint=simulate.SANDBOX_URL, token_url=f"{simulate.SANDBOX_URL}/auth/o2/token",
                                  now=T0 - dt.timedelta(minutes=5))
    app = simulate.sandbox(clock, seed=seed, rate_limits=True, skus=skus, listings=n_skus, listing_quantity=units,
                           feed_delay=FEED_DELAY_S, seller_id=account.seller_id)
    if way == "push":
        app.notifier = _InProcessNotifier(clock)
        stock_settings_update(account=account, changes={"push_stock": "enabled"}, actor="benchmark", now=clock.now())
    worker = simulate.worker(clock, app)
    day = _Day(way, seed, skus, units, clock, app, worker, account, MARKETPLACE.marketplace_id)
    try:
        return day.run()
    finally:
        for client in worker._clients.values():
            client.close()
        day.client.close()
        app.close()


class _Day:
    def __init__(self, way: str, seed: int, skus: list[str], units: int, clock: Any, app: Any, worker: Any,
                 account: Any, market: str) -> None:
        from saleschannel.channel.services.sync.client import account_client
        from saleschannel.commerce.inventory.selectors import stock_for_store
        from saleschannel.commerce.stores.selectors import store_default

        self.way, self.seed, self.skus, self.units = way, seed, skus, units
        self.clock, self.app, self.worker, self.account, self.market = clock, app, worker, account, market
        self.rng = random.Random(seed)
        self.store = store_default()
        self.stock = stock_for_store(store=self.store)
        self.client = account_client(account=account, clock=clock, transport=app.transport())
        self.store_sold = dict.fromkeys(skus, 0)
        self.turned_away = {"amazon": 0, "store": 0}
        self.sales = {"amazon": 0, "store": 0}
        self.pushes = 0
        self.wall_start = time.perf_counter()

    # -- the two channels as buyers see them --
    def amazon_shows(self) -> dict[str, int]:
        return {sku: max(0, self.app.listings.get(self.market, sku).quantity() or 0) for sku in self.skus}

    def store_shows(self) -> dict[str, int]:
        from saleschannel.commerce.inventory.selectors import salable_quantities

        salable = salable_quantities(stock=self.stock, skus=self.skus)
        return {sku: max(0, int(salable.get(sku, 0))) for sku in self.skus}

    def store_buys(self, sku: str, qty: int) -> bool:
        from saleschannel.commerce.sales.services import order_create, order_number_next, order_reserve
        from saleschannel.commerce.sales.types import OrderLine, OrderTotals

        if self.store_shows()[sku] < qty:
            return False
        total = Decimal("19.99") * qty
        order = order_create(store=self.store, number=order_number_next(store=self.store),
                             lines=[OrderLine(sku=sku, name=sku.title(), qty=Decimal(qty), price=Decimal("19.99"))],
                             email="buyer@example.com", firstname="Store", lastname="Buyer", currency="USD",
                             totals=OrderTotals(subtotal=total, grand_total=total), payment_method="checkmo")
        order_reserve(order=order)
        self.store_sold[sku] += qty
        return True

    # -- the worker and the pushes of each way --
    def settle(self, seconds: float) -> None:
        """Let the worker work for ``seconds`` of simulated time (ticking each second)."""
        end = self.clock.monotonic() + seconds
        while True:
            for _ in range(50):
                if not self.worker.tick():
                    break
            self.app.process_feeds()
            if self.clock.monotonic() >= end:
                return
            self.clock.advance(min(1.0, end - self.clock.monotonic()))

    def cron_push(self) -> None:
        shows = self.store_shows()
        for sku in self.skus:
            push = _Push(sku, shows[sku])
            from saleschannel.channel.stock.payloads import availability_patches

            self.client.patch_listings_item(sku, marketplace_ids=[self.market], product_type=push.product_type,
                                            patches=availability_patches(push), included_data=("issues",))
            self.pushes += 1

    def feed_push(self) -> None:
        from saleschannel.channel.stock.payloads import feed_document

        shows = self.store_shows()
        document = feed_document(seller_id=self.account.seller_id, pushes=[_Push(s, shows[s]) for s in self.skus])
        upload = self.client.create_feed_document()
        self.client.upload_feed_document(upload, json.dumps(document).encode())
        self.client.create_feed(input_feed_document_id=upload.feed_document_id, marketplace_ids=[self.market])
        self.pushes += 1

    def run(self) -> dict[str, Any]:
        # Before the day: the first sync and (for ours) the first push cycle, offers learned.
        self.settle(60.0)
        start = self.clock.monotonic()
        next_cron = start
        next_buyer = start + self.rng.expovariate(1.0 / ARRIVAL_MEAN_S)
        while self.clock.monotonic() - start < MAX_DAY_S:
            if self.way in ("cron_5min", "feed") and self.clock.monotonic() >= next_cron:
                self.cron_push() if self.way == "cron_5min" else self.feed_push()
                next_cron += CRON_EVERY_S
            if self.clock.monotonic() >= next_buyer:
                amazon, store = self.amazon_shows(), self.store_shows()
                if not any(amazon.values()) and not any(store.values()):
                    break
                channel = "amazon" if self.rng.random() < 0.5 else "store"
                shows = amazon if channel == "amazon" else store
                qty = 1 if self.rng.random() < 0.8 else 2
                offered = [sku for sku in self.skus if shows[sku] >= qty] or [s for s in self.skus if shows[s]]
                if offered:
                    sku = self.rng.choice(offered)
                    qty = min(qty, shows[sku])
                    if channel == "amazon":
                        ok = self.app.sell(self.market, sku, qty, fba=False) is not None
                    else:
                        ok = self.store_buys(sku, qty)
                    self.sales[channel] += ok
                else:
                    self.turned_away[channel] += 1
                next_buyer += self.rng.expovariate(1.0 / ARRIVAL_MEAN_S)
            wait = max(0.0, min(next_buyer, next_cron if self.way in ("cron_5min", "feed") else next_buyer)
                       - self.clock.monotonic())
            self.settle(min(wait, SETTLE_S))
            if wait > SETTLE_S:
                self.clock.advance(wait - SETTLE_S)
        day_s = self.clock.monotonic() - start
        amazon_sold = {sku: self.app.listings.get(self.market, sku).sold.get("DEFAULT", 0) for sku in self.skus}
        oversold = {sku: max(0, amazon_sold[sku] + self.store_sold[sku] - self.units) for sku in self.skus}
        calls = self.app.calls()
        return {
            "seed": self.seed,
            "oversold_units": sum(oversold.values()),
            "skus_oversold": sum(1 for v in oversold.values() if v),
            "units_sold": {"amazon": sum(amazon_sold.values()), "store": sum(self.store_sold.values())},
            "orders": self.sales,
            "simulated_day_h": round(day_s / 3600, 2),
            "pushes_sent": self.pushes if self.way != "push" else calls["operations"].get("patchListingsItem", 0),
            "amazon_calls": calls["operations"],
            "wall_s": round(time.perf_counter() - self.wall_start, 1),
            "throttled": calls["throttled"],
        }
