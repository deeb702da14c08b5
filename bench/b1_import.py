"""B1: the import engine, against the floors of writing the same rows by hand (C24).

For each database: 10,000 orders already fetched from Amazon (parsed, in memory) are
taken one by one by the sync's own per-order path, ``order_take`` (record the snapshot
and evaluate the import rules in one transaction: R16). Every INSERT the engine issues
is recorded with Django's ``execute_wrapper``. The two floors then write exactly those
rows again, with the database driver's plain ``executemany``, into a copy of the
database as it was before the import: (a) all in one transaction; (b) one transaction
per order, as R16 requires of the engine. Statements per order are counted by kind.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import shutil
import time
from collections import Counter, defaultdict
from typing import Any

from bench import env

DEFAULT_ORDERS = 10_000
QUICK_ORDERS = 1_000
TARGET_RATE = 1_000.0
TARGET_RATIO = 3.0
PAGE = 100  # searchOrders' page: the sync reads the store's configuration once per page


def run(*, size: int | None = None, quick: bool = False, tiny: bool = False) -> dict[str, Any]:
    orders = size or (QUICK_ORDERS if quick else DEFAULT_ORDERS)
    backends = ["sqlite"] if tiny else env.backends_wanted()
    results = {b: env.run_child("bench.b1_import", "measure", {"backend": b, "orders": orders}) for b in backends}
    sqlite = results.get("sqlite", {})
    return {
        "benchmark": "B1",
        "title": "import engine vs floors",
        "orders": orders,
        "results": results,
        "targets": {
            "sqlite_orders_per_s_at_least": TARGET_RATE,
            "per_order_floor_ratio_at_most": TARGET_RATIO,
            "met_rate": bool(sqlite) and sqlite["engine"]["orders_per_s"] >= TARGET_RATE,
            "met_ratio": bool(sqlite) and sqlite["ratios"]["per_order_floor_over_engine"] <= TARGET_RATIO,
        },
    }


class InsertRecorder:
    """An ``execute_wrapper`` that keeps each INSERT with the order it belongs to."""

    def __init__(self) -> None:
        self.order = -1
        self.inserts: dict[int, list[tuple[str, Any, bool]]] = defaultdict(list)
        self.kinds: Counter[str] = Counter()

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        kind = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
        self.kinds[kind] += len(params) if many and params is not None else 1
        if kind == "INSERT":
            self.inserts[self.order].append((sql, params, many))
        return execute(sql, params, many, context)


def measure(*, backend: str, orders: int) -> dict[str, Any]:
    with env.django_database(backend) as db:
        from bench import world
        from bench.orders import importable_orders, order_mix
        from saleschannel.spapi.models import read_order

        world.catalog_setup(orders)
        account = world.account_setup()
        bodies = list(importable_orders(orders))
        parsed = [read_order(body) for body in bodies]
        before = _snapshot(db, copies=2)
        engine, recorder = _engine(account, parsed)
        states = world.import_states(account)
        peak = env.peak_rss_mb()
        waiting = _waiting_again(account)
        floors = _floors(db, before, recorder)
    per_order = floors["per_order"]["orders_per_s"]
    one_tx = floors["one_transaction"]["orders_per_s"]
    return {
        "backend": backend,
        "order_mix": order_mix(bodies),
        "import_states": states,
        "engine": engine,
        "peak_rss_mb_after_import": peak,
        "waiting_evaluated_again": waiting,
        "statements_per_order": {k: round(v / orders, 2) for k, v in sorted(recorder.kinds.items())},
        "rows_inserted_per_order": round(sum(_rows(r) for rs in recorder.inserts.values() for r in rs) / orders, 2),
        "floors": floors,
        "ratios": {
            "per_order_floor_over_engine": round(per_order / engine["orders_per_s"], 2),
            "one_transaction_floor_over_engine": round(one_tx / engine["orders_per_s"], 2),
        },
    }


def _engine(account: Any, parsed: list[Any]) -> tuple[dict[str, Any], InsertRecorder]:
    from django.db import connection

    from saleschannel.channel.services.sync.base import order_take
    from saleschannel.commerce.memo import settings_remembered

    seen_at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    recorder = InsertRecorder()
    server = _server_cpu_start(connection)
    cpu0, t0 = time.process_time(), time.perf_counter()
    count = len(parsed)
    block = max(1, count // 10)
    marks = [t0]
    with connection.execute_wrapper(recorder):
        for start in range(0, count, PAGE):
            with settings_remembered():  # as the sync takes a page of searchOrders
                for n in range(start, min(start + PAGE, count)):
                    recorder.order = n
                    order_take(account=account, order=parsed[n], seen_at=seen_at)
                    if (n + 1) % block == 0:
                        marks.append(time.perf_counter())
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    figures = {
        "orders": count,
        "wall_s": round(wall, 3),
        "orders_per_s": round(count / wall, 1),
        "cpu_ms_per_order": round(cpu * 1000 / count, 3),
        "orders_per_s_by_tenth": [round(block / (b - a), 1) for a, b in itertools.pairwise(marks)],
        "note": "one order_take per order (record + evaluate, one transaction), in pages of 100 as the sync "
                "takes them; a recording hook on every statement",
    }
    if server is not None:
        figures["db_server_cpu_ms_per_order"] = round((_server_cpu(server) - server[1]) * 1000 / count, 3)
    return figures, recorder


def _waiting_again(account: Any) -> dict[str, Any]:
    """What every sync cycle's R9 step costs after this import: its pass over all the waiting orders."""
    from saleschannel.channel.services.imports.importer import waiting_orders_evaluate

    count = world_waiting(account)
    cpu0, t0 = time.process_time(), time.perf_counter()
    created = waiting_orders_evaluate(account=account)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {"waiting_orders": count, "created": created, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "note": "waiting_orders_evaluate(account) once, as each sync cycle's R9 step runs it, stock unchanged"}


def world_waiting(account: Any) -> int:
    from saleschannel.channel.models import AmazonOrder

    return AmazonOrder.objects.filter(account=account, import_state="waiting").count()


def _server_cpu_start(connection: Any) -> tuple[int, float] | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return pid, env.process_cpu_seconds(pid)


def _server_cpu(server: tuple[int, float]) -> float:
    return env.process_cpu_seconds(server[0])


# --- the floors ------------------------------------------------------------------------------


def _snapshot(db: dict[str, Any], *, copies: int) -> list[str]:
    """Copies of the database as it is now: SQLite files, or PostgreSQL databases from a template."""
    from django.db import connection

    names = []
    if db["backend"] == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        path = connection.settings_dict["NAME"]
        connection.close()
        for n in range(copies):
            target = os.path.join(db["home"], f"floor-{n}.sqlite3")
            shutil.copyfile(path, target)
            names.append(target)
        return names
    connection.close()
    for n in range(copies):
        name = f"{db['pg_name']}_floor{n}"
        env.pg_create(name, template=db["pg_name"])
        names.append(name)
    return names


def _floors(db: dict[str, Any], copies: list[str], recorder: InsertRecorder) -> dict[str, Any]:
    orders = sorted(k for k in recorder.inserts if k >= 0)
    one = [stmt for n in orders for stmt in recorder.inserts[n]]
    results = {}
    try:
        results["one_transaction"] = _replay(db["backend"], copies[0], [_grouped(one, keep_order=False)])
        results["per_order"] = _replay(db["backend"], copies[1],
                                       [_grouped(recorder.inserts[n], keep_order=True) for n in orders])
    finally:
        if db["backend"] == "postgresql":
            for name in copies:
                env.pg_drop(name)
    for figures in results.values():
        figures["orders_per_s"] = round(len(orders) / figures["wall_s"], 1)
    return results


_RETURNING = re.compile(r"\s+RETURNING\s+.*$", re.S | re.I)


def _rows(statement: tuple[str, Any, bool]) -> int:
    sql, params, many = statement
    if many:
        return len(params)
    values = sql.upper().split(" VALUES ", 1)
    return values[1].count("(") if len(values) == 2 else 1


def _grouped(statements: list[tuple[str, Any, bool]], *, keep_order: bool) -> list[tuple[str, list[Any]]]:
    """(sql, [params, ...]) for executemany: consecutive equal statements together, or all equal ones."""
    groups: list[tuple[str, list[Any]]] = []
    index: dict[str, int] = {}
    for sql, params, many in statements:
        sql = _RETURNING.sub("", sql)
        rows = list(params) if many else [params]
        if keep_order:
            if groups and groups[-1][0] == sql:
                groups[-1][1].extend(rows)
            else:
                groups.append((sql, rows))
        elif sql in index:
            groups[index[sql]][1].extend(rows)
        else:
            index[sql] = len(groups)
            groups.append((sql, rows))
    return groups


def _replay(backend: str, target: str, transactions: list[list[tuple[str, list[Any]]]]) -> dict[str, Any]:
    replay = _replay_sqlite if backend == "sqlite" else _replay_postgresql
    return replay(target, transactions)


def _replay_sqlite(path: str, transactions: list[list[tuple[str, list[Any]]]]) -> dict[str, Any]:
    import sqlite3

    qmark = re.compile(r"(?<!%)%s")
    converted = [[(qmark.sub("?", sql).replace("%%", "%"), rows) for sql, rows in tx] for tx in transactions]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    cpu0, t0 = time.process_time(), time.perf_counter()
    for tx in converted:
        conn.execute("BEGIN IMMEDIATE")
        for sql, rows in tx:
            conn.executemany(sql, rows)
        conn.execute("COMMIT")
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    conn.close()
    return {"transactions": len(transactions), "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "how": "sqlite3 executemany, BEGIN IMMEDIATE/COMMIT, WAL, synchronous=NORMAL, foreign keys on"}


def _replay_postgresql(name: str, transactions: list[list[tuple[str, list[Any]]]]) -> dict[str, Any]:
    import psycopg

    conn = psycopg.connect(f"{env.PG_SERVER}/{name}")
    pid = conn.info.backend_pid
    server0 = env.process_cpu_seconds(pid)
    cpu0, t0 = time.process_time(), time.perf_counter()
    with conn.cursor() as cursor:
        for tx in transactions:
            for sql, rows in tx:
                cursor.executemany(sql, rows)  # type: ignore[arg-type]
            conn.commit()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    server = env.process_cpu_seconds(pid) - server0
    conn.close()
    return {"transactions": len(transactions), "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "db_server_cpu_s": round(server, 3), "how": "psycopg 3 executemany, one commit per transaction"}
