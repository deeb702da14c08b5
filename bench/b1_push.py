"""B1 with push on: the import engine of B1 with Stock to Amazon enabled on the account, beside it off.

The same orders and store as B1 (``bench.b1_import``), taken through ``order_take`` the same
way, on each database (SQLite and PostgreSQL, as B1), each run in a process and database of
its own: push off as B1 does (no offers), and push on with every catalog SKU learned as an MFN
offer (as after T3's read), so that each FBM order recorded marks its offers due (T5) in its
own transaction. The two alternate, ``ROUNDS`` times each (one by default: at 10,000 orders a round takes
minutes), and the best of each is kept: other work only ever adds time. Only the engine is timed (B1's floors are
B1's). The figure is push on / push off by CPU time per order, the database server's CPU
included on PostgreSQL (wall time is shown too; on a shared machine CPU is the steadier figure).
With push on, the time spent in T5's marking statements (UPDATE of the offers) is measured
apart, so the table says how much of the difference is the marking itself.
"""

from __future__ import annotations

import time
from typing import Any

from bench import env

ORDERS, ORDERS_QUICK, ORDERS_TINY = 10_000, 1_000, 20
ROUNDS, ROUNDS_QUICK = 1, 1
TARGET_SLOWDOWN = 1.10


def run(*, size: int | None = None, quick: bool = False, tiny: bool = False) -> dict[str, Any]:
    orders = ORDERS_TINY if tiny else size or (ORDERS_QUICK if quick else ORDERS)
    rounds = ROUNDS_QUICK if quick or tiny else ROUNDS
    databases = {backend: _compare(backend, orders, rounds) for backend in env.backends_wanted()}
    return {
        "benchmark": "B1P",
        "title": "import engine with push on, beside push off",
        "orders": orders,
        "rounds": rounds,
        "databases": databases,
        "targets": {"on_over_off_at_most": TARGET_SLOWDOWN,
                    "met_within_10_percent": all(d["cpu_per_order_on_over_off"] <= TARGET_SLOWDOWN
                                                 for d in databases.values())},
    }


def _compare(backend: str, orders: int, rounds: int) -> dict[str, Any]:
    runs: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    for _ in range(rounds):
        for push in (False, True):
            runs[push].append(env.run_child("bench.b1_push", "measure",
                                            {"orders": orders, "push": push, "backend": backend}))
    off = min(runs[False], key=lambda r: r["cpu_ms_per_order"])
    on = min(runs[True], key=lambda r: r["cpu_ms_per_order"])
    return {
        "push_off": off,
        "push_on": on,
        "cpu_per_order_on_over_off": round(on["cpu_ms_per_order"] / off["cpu_ms_per_order"], 3),
        "wall_per_order_on_over_off": round(off["orders_per_s"] / on["orders_per_s"], 3),
        "all_cpu_ms_per_order": {"off": [r["cpu_ms_per_order"] for r in runs[False]],
                                 "on": [r["cpu_ms_per_order"] for r in runs[True]]},
    }


class MarkingTimer:
    """An ``execute_wrapper`` that adds up the wall time of the UPDATEs of the offers' table (T5's marks)."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.seconds = 0.0
        self.statements = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not (sql.lstrip().upper().startswith("UPDATE") and self.table in sql):
            return execute(sql, params, many, context)
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - t0
            self.statements += 1


def measure(*, orders: int, push: bool, backend: str = "sqlite") -> dict[str, Any]:
    with env.django_database(backend):
        from django.db import connection

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
        timer = MarkingTimer(Offer._meta.db_table)
        with connection.execute_wrapper(timer):
            engine, _ = _engine(account, parsed)
        marked = Offer.objects.filter(account=account, due_generation__gt=0).count()
    cpu = engine["cpu_ms_per_order"] + engine.get("db_server_cpu_ms_per_order", 0.0)
    return {"push": push, "database": backend, "orders_per_s": engine["orders_per_s"], "wall_s": engine["wall_s"],
            "cpu_ms_per_order": round(cpu, 3), "client_cpu_ms_per_order": engine["cpu_ms_per_order"],
            "db_server_cpu_ms_per_order": engine.get("db_server_cpu_ms_per_order"),
            "offers": len(plan) if push else 0, "offers_marked_due": marked,
            "marking_statements": timer.statements, "marking_wall_s": round(timer.seconds, 3),
            "marking_share_of_wall": round(timer.seconds / engine["wall_s"], 4) if engine["wall_s"] else 0.0}
