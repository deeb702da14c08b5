"""Databases and processes of a benchmark: every measurement gets a database of its own.

The runner process never imports Django. A measurement runs in a child process
(``python -m bench.child <module> <function> <kwargs> <out>``) that, before Django is
set up, makes a fresh ``SALESCHANNEL_HOME`` in a temporary folder and, for PostgreSQL,
creates a database ``bench_saleschannel_<pid>``; it migrates, measures, writes its
result as JSON, and drops what it made, also on failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
#: Where the benchmark databases live; never the ``test`` database.
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
BACKENDS = ("sqlite", "postgresql")


def backends_wanted() -> list[str]:
    """The backends to measure on: ``BENCH_BACKENDS`` (comma-separated) or both; PostgreSQL if it answers."""
    wanted = [b.strip() for b in os.environ.get("BENCH_BACKENDS", ",".join(BACKENDS)).split(",") if b.strip()]
    return [b for b in wanted if b in BACKENDS and (b == "sqlite" or pg_available())]


def pg_admin(sql: str) -> None:
    """Run one statement on the server's ``postgres`` database, outside a transaction."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def pg_available() -> bool:
    try:
        pg_admin("SELECT 1")
    except Exception:
        return False
    return True


def pg_drop(name: str) -> None:
    _check_name(name)
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_create(name: str, template: str | None = None) -> None:
    _check_name(name)
    pg_drop(name)
    if template:
        _check_name(template)
        pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    else:
        pg_admin(f'CREATE DATABASE "{name}"')


def _check_name(name: str) -> None:
    if not re.fullmatch(r"bench_saleschannel_[a-z0-9_]+", name):
        raise ValueError(f"refusing to touch database {name!r}: not a benchmark database")


@contextlib.contextmanager
def django_database(backend: str, *, migrate: bool = True) -> Iterator[dict[str, Any]]:
    """Set up Django on a database of its own; yields facts about it. Call before importing Django."""
    home = tempfile.mkdtemp(prefix="bench-saleschannel-")
    os.environ["SALESCHANNEL_HOME"] = home
    os.environ["DJANGO_SETTINGS_MODULE"] = "saleschannel.settings"
    os.environ.setdefault("SALESCHANNEL_LOG_LEVEL", "ERROR")
    name = f"bench_saleschannel_{os.getpid()}"
    template = os.environ.get(TEMPLATE_VARS[backend]) if backend in TEMPLATE_VARS else None
    if backend == "postgresql":
        pg_create(name, template=template)
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{name}"
    elif backend == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        if template:
            shutil.copyfile(template, os.path.join(home, "saleschannel.sqlite3"))
    else:
        raise ValueError(f"backend: {backend!r}")
    try:
        import django

        django.setup()
        if migrate and not template:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        yield {"backend": backend, "home": home, "pg_name": name if backend == "postgresql" else None}
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if backend == "postgresql":
            pg_drop(name)
        shutil.rmtree(home, ignore_errors=True)


#: A database migrated once per run, copied by every measurement (``templates``).
TEMPLATE_VARS = {"sqlite": "BENCH_SQLITE_TEMPLATE", "postgresql": "BENCH_POSTGRES_TEMPLATE"}


def make_template(*, backend: str, target: str) -> dict[str, Any]:
    """Child side: migrate a fresh database and keep it as the run's template."""
    os.environ.pop(TEMPLATE_VARS[backend], None)
    with django_database(backend) as db:
        from django.db import connection

        if backend == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
            shutil.copyfile(connection.settings_dict["NAME"], target)
        else:
            connection.close()
            pg_create(target, template=db["pg_name"])
    return {"backend": backend, "template": target}


@contextlib.contextmanager
def templates(backends: tuple[str, ...] = BACKENDS) -> Iterator[None]:
    """Migrate once per backend for the whole run; measurements copy the result (seconds saved each)."""
    made: dict[str, str] = {}
    folder = tempfile.mkdtemp(prefix="bench-saleschannel-templates-")
    try:
        for backend in backends:
            if backend == "postgresql" and not pg_available():
                continue
            target = (os.path.join(folder, "template.sqlite3") if backend == "sqlite"
                      else f"bench_saleschannel_tpl_{os.getpid()}")
            run_child("bench.env", "make_template", {"backend": backend, "target": target})
            made[backend] = target
            os.environ[TEMPLATE_VARS[backend]] = target
        yield
    finally:
        for backend, target in made.items():
            os.environ.pop(TEMPLATE_VARS[backend], None)
            if backend == "postgresql":
                pg_drop(target)
        shutil.rmtree(folder, ignore_errors=True)


def run_child(module: str, function: str, kwargs: dict[str, Any], *, timeout: float = 7200) -> dict[str, Any]:
    """Run ``module.function(**kwargs)`` in a fresh Python process; return its JSON result."""
    fd, out = tempfile.mkstemp(prefix="bench-result-", suffix=".json")
    os.close(fd)
    try:
        cmd = [sys.executable, "-m", "bench.child", module, function, json.dumps(kwargs), out]
        proc = subprocess.run(cmd, cwd=ROOT, timeout=timeout, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{module}.{function} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
        with open(out) as fh:
            return json.load(fh)
    finally:
        os.unlink(out)


def machine() -> dict[str, Any]:
    """The machine and the versions a figure was measured on."""
    import sqlite3

    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_total": _mem_total(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(terse=True),
        "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    try:
        import django

        info["django"] = django.get_version()
    except ImportError:
        pass
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres") as conn:
            row = conn.execute("SHOW server_version").fetchone()
            info["postgresql"] = row[0] if row else None
    except Exception:
        info["postgresql"] = None
    return info


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _mem_total() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                return f"{kib / 1024 / 1024:.1f} GiB"
    return "unknown"


def peak_rss_mb() -> float:
    """This process's resident-memory high-water mark (``VmHWM``), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of another process (a PostgreSQL backend), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
