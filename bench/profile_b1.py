"""``python -m bench.profile_b1 [orders]``: where B1's import engine spends its time.

Runs the same import as B1 (``order_take`` per order, SQLite, mixed stock) under
pyinstrument (not a project dependency: ``.venv/bin/pip install pyinstrument``) and
writes the call tree to ``bench/results/b1-profile.txt``, with the statements per order
by kind. Proportions, not speed: the profiler slows everything down alike.
"""

from __future__ import annotations

import datetime as dt
import sys

from bench import env


def main(orders: int) -> str:
    with env.django_database("sqlite"):
        from django.db import connection
        from pyinstrument import Profiler

        from bench import world
        from bench.b1_import import InsertRecorder
        from bench.orders import importable_orders
        from saleschannel.channel.services.sync.base import order_take
        from saleschannel.commerce.memo import settings_remembered
        from saleschannel.spapi.models import read_order

        world.catalog_setup(orders)
        account = world.account_setup()
        parsed = [read_order(body) for body in importable_orders(orders)]
        seen_at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        counter = InsertRecorder()
        profiler = Profiler(interval=0.0005)
        with connection.execute_wrapper(counter):
            profiler.start()
            for start in range(0, len(parsed), 100):
                with settings_remembered():  # as the sync takes a page of searchOrders
                    for order in parsed[start:start + 100]:
                        order_take(account=account, order=order, seen_at=seen_at)
            profiler.stop()
        kinds = ", ".join(f"{k} {v / orders:.1f}" for k, v in sorted(counter.kinds.items()))
        tree = profiler.output_text(unicode=False, color=False, show_all=False)
    tree = tree.replace(str(env.ROOT) + "/", "")  # relative paths only
    return f"B1 import engine under pyinstrument, {orders} orders, SQLite\nstatements per order: {kinds}\n\n{tree}"


if __name__ == "__main__":
    text = main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    env.RESULTS.mkdir(exist_ok=True)
    (env.RESULTS / "b1-profile.txt").write_text(text)
    print(text)
