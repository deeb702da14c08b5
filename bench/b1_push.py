"""B1 with push on: the import engine of B1 with Stock to Amazon enabled on the account, beside it off.

The same orders and store as B1 (``bench.b1_import``), taken through ``order_take`` the same
way, twice, each in a process and database of its own: once as B1 does (push off, no
offers), once with push enabled and every catalog SKU learned as an MFN offer (as after T3's
read), so that each FBM order recorded marks its offers due (T5) in its own transaction.
Only the engine is timed (B1's floors are B1's). The figure is push on / push off, by
CPU time per order (wall time is shown too; on a shared machine CPU is the steadier figure).
"""

from __future__ import annotations

from typing import Any

from bench import env

ORDERS, ORDERS_QUICK, ORDERS_TINY = 10_000, 1_000, 20
TARGET_SLOWDOWN = 1.10


def run(*, size: int | None = None, quick: bool = False, tiny: bool = False) -> dict[str, Any]:
    orders = ORDERS_TINY if tiny else size or (ORDERS_QUICK if quick else ORDERS)
    off = env.run_child("bench.b1_push", "measure", {"orders": orders, "push": False})
    on = env.run_child("bench.b1_push", "measure", {"orders": orders, "push": True})
    cpu_ratio = round(on["cpu_ms_per_order"] / off["cpu_ms_per_order"], 3)
    wall_ratio = round(off["orders_per_s"] / on["orders_per_s"], 3)
    return {
        "benchmark": "B1P",
        "title": "import engine with push on, beside push off (SQLite)",
        "orders": orders,
        "database": "sqlite",
        "push_off": off,
        "push_on": on,
        "cpu_per_order_on_over_off": cpu_ratio,
        "wall_per_order_on_over_off": wall_ratio,
        "targets": {"on_over_off_at_most": TARGET_SLOWDOWN, "met_within_10_percent": cpu_ratio <= TARGET_SLOWDOWN},
    }


def measure(*, orders: int, push: bool) -> dict[str, Any]:
    with env.django_database("sqlite"):
        from bench import world
        from bench.b1_import import _engine
        from bench.orders import importable_orders
        from saleschannel.channel.stock.models import Offer
        from saleschannel.channel.stock.services import stock_settings_update
        from saleschannel.spapi.models import read_order

        plan = world.catalog_setup(orders)
        account = world.account_setup()
        if push:
            stock_settings_update(account=account, changes={"push_stock": "enabled"}, actor="benchmark")
            Offer.objects.bulk_create(Offer(account=account, sku=sku, product_type="PRODUCT", mfn=True,
                                            state=Offer.State.IN_SYNC) for sku in plan)
        parsed = [read_order(body) for body in importable_orders(orders)]
        engine, _ = _engine(account, parsed)
        marked = Offer.objects.filter(account=account, due_generation__gt=0).count()
    return {"push": push, "orders_per_s": engine["orders_per_s"], "cpu_ms_per_order": engine["cpu_ms_per_order"],
            "offers": len(plan) if push else 0, "offers_marked_due": marked}
