#!/usr/bin/env python3
"""Break the code on purpose, one promise at a time, and check that the tests named for it fail.

Each break below is one small edit of the code (a line removed, a condition turned off, a
constraint dropped) that would break a promise of RELIABILITY.md. For each, this script copies the
files git tracks (as they are in the working tree) to a directory of its own (a temporary one
unless ``--workdir`` names one), applies the break there, and runs the tests that must catch it, as ``make test`` runs
them under ``CI=true`` (the CI hypothesis profile): on SQLite, and on PostgreSQL when the break
is one PostgreSQL shows. The break is caught when pytest reports failed tests (exit code 1); an
error of collection or usage (exit codes 2 to 5) is no catch. Before the breaks, the same tests
run on an unbroken copy and must pass (``--no-control`` skips that).

    .venv/bin/python scripts/breaks.py                  # all ten
    .venv/bin/python scripts/breaks.py oversell lease-lost  # some
    .venv/bin/python scripts/breaks.py --list

The working tree is never touched. When the code moves and a break's line is no longer found,
the script says so and fails: update the break, do not drop it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


@dataclass(frozen=True)
class Edit:
    path: str
    old: str
    new: str


@dataclass(frozen=True)
class Break:
    name: str
    what: str
    edits: tuple[Edit, ...]
    tests: tuple[str, ...]
    databases: tuple[str, ...] = ("sqlite",)
    extra_env: dict[str, str] = field(default_factory=dict)


SERVICES = "saleschannel/commerce/inventory/services.py"
LEASES = "saleschannel/workers/leases.py"
RULES = "saleschannel/channel/rules.py"
RETRY = "saleschannel/spapi/retry.py"

BREAKS: tuple[Break, ...] = (
    Break(
        "oversell", "(1) the salable check before reserving removed: reservations oversell",
        (Edit(SERVICES, "        if check_salable:\n            short = shortages_of(",
              "        if False:\n            short = shortages_of("),),
        ("tests/commerce/test_ledger_properties.py::test_ledger_matches_its_model",),
    ),
    Break(
        "lease-lost", "(2) the heartbeat no longer marks a lost lease: the worker keeps writing",
        (Edit(LEASES, "                        self.lost.set()\n", "                        pass\n"),),
        ("tests/sync/test_lease_lost.py::test_a_worker_that_loses_its_lease_mid_cycle_writes_nothing_further",),
        ("sqlite", "postgresql"),
    ),
    Break(
        "order-row-unique", "(3) the unique constraint on (account, Amazon order id) dropped",
        (Edit("saleschannel/channel/models.py",
              '            models.UniqueConstraint(fields=["account", "amazon_order_id"], '
              'name="channel_amazonorder_account_id"),\n', ""),
         Edit("saleschannel/channel/migrations/0001_initial.py",
              "        migrations.AddConstraint(\n            model_name='amazonorder',\n"
              "            constraint=models.UniqueConstraint(fields=('account', 'amazon_order_id'), "
              "name='channel_amazonorder_account_id'),\n        ),\n", "")),
        ("tests/channel/test_one_row_per_order.py",),
        ("sqlite", "postgresql"),
    ),
    Break(
        "creation-matrix", "(4) the creation matrix: FBA Shipped out of stock creates a store order",
        (Edit(RULES, "    _row(FBA, (OUT_OF_STOCK,), Status.SHIPPED, NO, NO),",
              "    _row(FBA, (OUT_OF_STOCK,), Status.SHIPPED, YES, NO),"),),
        ("tests/channel/test_import_matrix.py",),
    ),
    Break(
        "r8-stock-check", "(5) R8's stock check: every managed item counts as in stock",
        (Edit(RULES, "        if available >= ordered:\n", "        if True:\n"),),
        ("tests/channel/test_import_matrix.py",),
    ),
    Break(
        "store-order-unique", "(6) the unique guard on store orders (one per Amazon order) dropped",
        (Edit("saleschannel/commerce/sales/models.py",
              '            models.UniqueConstraint(\n'
              '                fields=["external_channel", "external_account", "external_id"],\n'
              '                condition=Q(external_id__isnull=False),\n'
              '                name="sales_order_external_ref_once",\n'
              '            ),\n', ""),
         Edit("saleschannel/commerce/sales/migrations/0001_initial.py",
              "constraint=models.UniqueConstraint(condition=models.Q(('external_id__isnull', False)), "
              "fields=('external_channel', 'external_account', 'external_id'), "
              "name='sales_order_external_ref_once')",
              "constraint=models.UniqueConstraint(condition=models.Q(('external_id__isnull', False)), "
              "fields=('external_channel', 'external_account', 'external_id', 'id'), "
              "name='sales_order_external_ref_once')")),
        ("tests/commerce/test_external_ref_once.py",
         "tests/channel/test_concurrency.py::test_r15_two_workers_evaluating_one_order_make_one_store_order_and_one_reservation"),
        ("sqlite", "postgresql"),
    ),
    Break(
        "backoff-cap", "(7) the back-off cap: the delay doubles past max_delay",
        (Edit(RETRY, "        ceiling = min(self.max_delay, self.base_delay * (2**attempt))",
              "        ceiling = self.base_delay * (2**attempt)"),),
        ("tests/spapi/test_ratelimit.py::test_backoff_is_capped_full_jitter_and_retry_after_is_a_floor",),
    ),
    Break(
        "attempts-cap", "(8) the cap on attempts: the last retryable error is not the one raised",
        (Edit(RETRY, "            if not exc.retryable or n + 1 >= policy.max_attempts:",
              "            if not exc.retryable:"),),
        ("tests/spapi/test_client.py::test_retries_are_bounded_and_end_in_the_right_error",
         "tests/spapi/test_ratelimit.py::test_retries_are_bounded_and_stop_before_the_deadline"),
    ),
    Break(
        "retry-deadline", "(9) the deadline: a retry sleeps past the caller's deadline",
        (Edit(RETRY, "            if deadline is not None and clock.monotonic() + wait > deadline:",
              "            if False:"),),
        ("tests/spapi/test_ratelimit.py::test_retries_are_bounded_and_stop_before_the_deadline",),
    ),
    Break(
        "lease-takeover", "(10) lease takeover: an expired lease is never taken over",
        (Edit(LEASES, ' | Q(expires_at__isnull=True) | Q(expires_at__lt=now)', ' | Q(expires_at__isnull=True)'),),
        ("tests/sync/test_leases.py::test_a_held_lease_is_refused_to_another_until_it_expires",
         "tests/sync/test_worker.py::test_a_held_lease_keeps_a_second_worker_away_until_it_expires"),
        ("sqlite", "postgresql"),
    ),
)


def fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True)
    return [name for name in listed.stdout.decode().split("\0") if name]


def copy_tree(into: Path, files: list[str]) -> None:
    for name in files:
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)


def apply(brk: Break, tree: Path) -> None:
    for edit in brk.edits:
        path = tree / edit.path
        text = path.read_text(encoding="utf-8")
        count = text.count(edit.old)
        if count != 1:
            raise SystemExit(f"break {brk.name}: its line occurs {count} times in {edit.path}, not once; "
                             "the code moved: update the break")
        path.write_text(text.replace(edit.old, edit.new), encoding="utf-8")


def postgres_answers() -> bool:
    probe = "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()"
    return subprocess.run([sys.executable, "-c", probe, PG_URL], capture_output=True).returncode == 0


def run_tests(tree: Path, tests: tuple[str, ...], database: str, timeout: float) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "SALESCHANNEL_DB_TESTS_ONLY", "HYPOTHESIS_PROFILE", "SALESCHANNEL_RUN_SLOW")}
    env.update(CI="true", PYTHONPATH=str(tree), SALESCHANNEL_HOME=str(tree / "home"))
    if database == "postgresql":
        env.update(DATABASE_URL=PG_URL, SALESCHANNEL_DB_TESTS_ONLY="1")
    where = subprocess.run([sys.executable, "-c", "import saleschannel; print(saleschannel.__file__)"],
                           cwd=tree, env=env, capture_output=True, text=True, timeout=60).stdout.strip()
    if not where.startswith(str(tree)):
        raise SystemExit(f"the copy's code is not the one imported ({where}): the run would prove nothing")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                          cwd=tree, env=env, capture_output=True, text=True, timeout=timeout)
    return done.returncode, done.stdout[-1500:] + done.stderr[-1500:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="the breaks to run (all by default)")
    parser.add_argument("--list", action="store_true", help="list the breaks and exit")
    parser.add_argument("--no-control", action="store_true", help="skip the run on the unbroken copy")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds for one pytest run")
    parser.add_argument("--workdir", type=Path, help="make the copies in this directory, kept afterwards (default: a temporary one)")
    args = parser.parse_args()
    if args.list:
        for brk in BREAKS:
            print(f"{brk.name:20} {brk.what}\n{'':20} caught by {', '.join(brk.tests)} on {', '.join(brk.databases)}")
        return 0
    unknown = set(args.names) - {b.name for b in BREAKS}
    if unknown:
        parser.error(f"no such break: {', '.join(sorted(unknown))}")
    chosen = [b for b in BREAKS if not args.names or b.name in args.names]
    have_pg = postgres_answers()
    if not have_pg and any("postgresql" in b.databases for b in chosen):
        print(f"!! PostgreSQL does not answer at {PG_URL}: the PostgreSQL runs are missed and count as failures")
    results: list[tuple[str, str, str]] = []
    files = tracked_files()
    with contextlib.ExitStack() as stack:
        tmp = args.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="saleschannel-breaks-")))
        sound = fresh(tmp / "sound")
        copy_tree(sound, files)
        for brk in chosen:
            tree = fresh(tmp / brk.name)
            copy_tree(tree, files)
            apply(brk, tree)
            for database in brk.databases:
                if database == "postgresql" and not have_pg:
                    results.append((brk.name, database, "NOT RUN (no PostgreSQL)"))
                    continue
                started = time.monotonic()
                if not args.no_control:
                    code, out = run_tests(sound, brk.tests, database, args.timeout)
                    if code != 0:
                        print(out)
                        results.append((brk.name, database, f"CONTROL FAILED (exit {code}): the sound tree fails"))
                        continue
                code, out = run_tests(tree, brk.tests, database, args.timeout)
                verdict = "caught" if code == 1 else f"SURVIVED (exit {code})"
                if code != 1:
                    print(out)
                took = time.monotonic() - started
                results.append((brk.name, database, verdict))
                print(f"{brk.name:20} {database:10} {verdict:24} {took:6.1f} s  {brk.what}", flush=True)
    missed = [r for r in results if r[2] != "caught"]
    print(f"\n{len(results) - len(missed)} of {len(results)} break runs caught")
    for name, database, verdict in missed:
        print(f"  {name} on {database}: {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
