"""B6: orders per second with 1, 2 and 4 workers over 20 accounts, on PostgreSQL (C26).

For each worker count, a fresh PostgreSQL database: the store with mixed stock (shared by
all accounts, so workers compete for the same SKUs' reservation locks) and 20 connected
accounts. Each worker is its own OS process running the real ``Worker.tick`` loop on the
real clock; each holds its own in-process copy of every account's Amazon (a sandbox per
account, the same orders in each copy, rate limits advertised as off so that the figure is
the engine's, not Amazon's). All workers get ready, then start together; the clock stops
when every order is kept and evaluated. CPU is counted for the workers and for the
PostgreSQL backends serving this database (``ServerCpu``, from /proc).

On a machine with two cores shared by the workers, the database server and the rest,
this measures contention, not scale-out (C26). The multi-machine estimate assumes one
worker per machine running at the single-worker rate, capped by what a two-core database
server can do at the measured server CPU per order: min(k x r1, 2 / server_cpu_per_order).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import time
from typing import Any

from bench import env

ACCOUNTS = 20
WORKERS = (1, 2, 4)
ORDERS_PER_ACCOUNT, QUICK_PER_ACCOUNT = 100, 25
DB_SERVER_CORES = 2


def run(*, size: int | None = None, quick: bool = False, tiny: bool = False) -> dict[str, Any]:
    if not env.pg_available():
        return {"benchmark": "B6", "title": "scale-out", "skipped": "PostgreSQL is not available",
                "targets": {}}
    per_account = 1 if tiny else max(1, size // ACCOUNTS) if size else QUICK_PER_ACCOUNT if quick else ORDERS_PER_ACCOUNT
    counts = (1,) if tiny else WORKERS
    results = [env.run_child("bench.b6_scaleout", "measure", {"workers": k, "per_account": per_account},
                             timeout=3 * 3600) for k in counts]
    single = results[0]
    r1 = single["orders_per_s"]
    server = single["db_server_cpu_ms_per_order"] / 1000
    cap = DB_SERVER_CORES / server if server > 0 else None
    estimate = {str(k): round(min(k * r1, cap) if cap else k * r1, 1) for k in (1, 2, 4, 8, 16)}
    return {
        "benchmark": "B6",
        "title": "workers over 20 accounts on PostgreSQL: contention on this machine, and an estimate",
        "accounts": ACCOUNTS,
        "orders": ACCOUNTS * per_account,
        "results": results,
        "speedup_vs_one_worker": {str(r["workers"]): round(r["orders_per_s"] / r1, 2) for r in results},
        "multi_machine_estimate_orders_per_s": estimate,
        "estimate_how": f"min(k x {r1} orders/s, {DB_SERVER_CORES} cores / {single['db_server_cpu_ms_per_order']} "
                        f"ms of database server CPU per order)",
        "targets": {"note": "no target: C26 asks for the figures and the estimate"},
    }


class ServerCpu:
    """CPU seconds spent by this database's PostgreSQL backends, sampled from /proc.

    Only backends connected to this benchmark's database count (other databases on the
    server are other people's). A backend's last sample before it exits is what counts
    for it, so up to one sampling interval of its work can be missed.
    """

    def __init__(self) -> None:
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def sample(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid()")
            pids = [row[0] for row in cursor.fetchall()]
        for pid in pids:
            with contextlib.suppress(OSError, ValueError, IndexError):
                cpu = env.process_cpu_seconds(pid)
                self.last[pid] = cpu

    def start(self) -> None:
        self.sample()
        self.first = dict(self.last)  # what existing backends did before counts for nothing

    def seconds(self) -> float:
        return sum(cpu - self.first.get(pid, 0.0) for pid, cpu in self.last.items())


def measure(*, workers: int, per_account: int) -> dict[str, Any]:
    with env.django_database("postgresql"):
        from bench import world
        from saleschannel.channel.models import AmazonOrder

        total = ACCOUNTS * per_account
        world.catalog_setup(total)
        for n in range(1, ACCOUNTS + 1):
            world.account_setup(n=n, endpoint=f"https://sandbox-{n}.bench",
                                token_url=f"https://sandbox-{n}.bench/auth/o2/token")
        procs = [_spawn(per_account, f"bench-worker-{i + 1}") for i in range(workers)]
        for proc in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != "ready":
                raise RuntimeError(f"a worker did not get ready: {line!r} {proc.stderr.read() if proc.stderr else ''}")
        evaluated = AmazonOrder.objects.exclude(evaluated_at=None)
        server_cpu = ServerCpu()
        server_cpu.start()
        started = time.perf_counter()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        while evaluated.count() < total and time.perf_counter() - started < 3 * 3600:
            server_cpu.sample()
            time.sleep(0.1)
        wall = time.perf_counter() - started
        server = server_cpu.seconds()
        stats = [_finish(proc) for proc in procs]
        states = world.import_states()
    client_cpu = sum(s["cpu_s"] for s in stats)
    return {
        "workers": workers,
        "orders": total,
        "wall_s": round(wall, 2),
        "orders_per_s": round(total / wall, 1),
        "worker_cpu_ms_per_order": round(client_cpu * 1000 / total, 2),
        "db_server_cpu_ms_per_order": round(server * 1000 / total, 2),
        "per_worker": stats,
        "import_states": states,
    }


def _spawn(per_account: int, holder: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "bench.b6_scaleout", str(per_account), holder]
    return subprocess.Popen(cmd, cwd=env.ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))


def _finish(proc: subprocess.Popen[str]) -> dict[str, Any]:
    assert proc.stdin is not None
    proc.stdin.write("stop\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"a worker failed: {err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


# --- one worker process ------------------------------------------------------------------------


def worker_main(per_account: int, holder: str) -> None:
    """Set up this worker's Amazon copies, say ready, wait for go, tick until told to stop."""
    import select

    import django

    django.setup()
    from django.db import close_old_connections

    from bench.orders import MARKETPLACE, T0, importable_orders
    from saleschannel.channel.models import Account
    from saleschannel.channel.services.sync.client import account_client
    from saleschannel.channel.services.sync.scheduler import SyncPolicy
    from saleschannel.spapi.clock import SystemClock
    from saleschannel.spapi.sandbox import SandboxApp
    from saleschannel.workers.loop import Worker

    clock = SystemClock()
    transports = {}
    for account in Account.objects.order_by("pk"):
        n = int(account.name.split("-")[1])
        app = SandboxApp(clock=clock, seed=n, marketplaces=[MARKETPLACE], rate_limits=False)
        for body in importable_orders(per_account, seed=1000 + n, start=T0 + _hours(1), spacing=30.0):
            app.put_order(body)
        transports[account.pk] = app.transport()

    def client_factory(account: Any, worker_clock: Any) -> Any:
        return account_client(account=account, clock=worker_clock, transport=transports[account.pk])

    policy = dataclasses.replace(SyncPolicy.from_settings(), lease_wait=0.0)
    worker = Worker(clock=clock, policy=policy, client_factory=client_factory, holder=holder)
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    cpu0 = time.process_time()
    busy_ticks = idle_ticks = 0
    while not select.select([sys.stdin], [], [], 0)[0]:
        close_old_connections()
        if worker.tick():
            busy_ticks += 1
        else:
            idle_ticks += 1
            time.sleep(0.05)
    print(json.dumps({"holder": holder, "cpu_s": round(time.process_time() - cpu0, 3), "cycles": worker.cycles,
                      "busy_ticks": busy_ticks, "idle_ticks": idle_ticks}), flush=True)


def _hours(n: float) -> Any:
    import datetime as dt

    return dt.timedelta(hours=n)


if __name__ == "__main__":
    worker_main(int(sys.argv[1]), sys.argv[2])
