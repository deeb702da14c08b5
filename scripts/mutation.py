#!/usr/bin/env python3
"""Mutation testing of the modules that hold RELIABILITY.md's promises, one module at a time.

For each module, mutmut (the ``mutation`` extra: ``pip install -e '.[mutation]'``) makes small
changes to its code one at a time (a ``<`` for a ``<=``, a constant changed, a call dropped) and
runs the tests that cover it against each; a mutant the tests do not fail "survived". The run
works in ``var/mutation/<module>/`` (a copy of saleschannel/, tests/ and pyproject.toml with its
own mutmut configuration), never in the working tree, on SQLite, under the CI hypothesis profile.

    .venv/bin/python scripts/mutation.py             # every module (long: about an hour on 2 cores)
    .venv/bin/python scripts/mutation.py rules retry  # some
    .venv/bin/python scripts/mutation.py --report     # the scores of the runs already made

Each run prints the module's score, (killed + timed out) / mutants, and its survivors; see them with
``cd var/mutation/<module> && ../../../.venv/bin/mutmut show <name>``. docs/mutation.md lists the
scores and says, for each survivor, why it is equivalent or which test now kills it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "mutation"
TARGET = 0.90

#: module key: (the file mutated, the tests run against its mutants)
MODULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "rules": ("saleschannel/channel/rules.py",
              ("tests/channel/test_rules.py", "tests/channel/test_import_matrix.py",
               "tests/channel/test_rules_mutants.py")),
    "desired": ("saleschannel/channel/stock/rules.py",
                ("tests/stock/test_rules.py",)),
    "retry": ("saleschannel/spapi/retry.py",
              ("tests/spapi/test_ratelimit.py", "tests/spapi/test_client.py", "tests/spapi/test_retry_mutants.py")),
    "ledger": ("saleschannel/commerce/inventory/services.py",
               ("tests/commerce/test_inventory.py", "tests/commerce/test_ledger_properties.py",
                "tests/commerce/test_sales.py", "tests/commerce/test_ledger_mutants.py",
                "tests/commerce/test_external_ref_once.py", "tests/commerce/test_inventory_versions.py")),
    "leases": ("saleschannel/workers/leases.py",
               ("tests/sync/test_leases.py", "tests/sync/test_lease_lost.py", "tests/sync/test_worker.py",
                "tests/sync/test_leases_mutants.py", "tests/sync/test_under_lease_mutants.py")),
    "recording": ("saleschannel/channel/services/imports/recording.py",
                  ("tests/channel/test_import.py", "tests/channel/test_bad_data.py",
                   "tests/channel/test_one_row_per_order.py", "tests/spapi/test_models.py",
                   "tests/channel/test_recording_mutants.py",
                   "tests/reliability/test_amazon_faults.py::test_a_nul_character_in_amazons_text_never_fails_the_page",
                   "tests/stock/test_plan.py::test_t5_an_amazon_order_marks_its_offers_due_from_the_time_it_was_seen")),
}


def mutmut() -> Path:
    found = Path(sys.executable).with_name("mutmut")
    if not found.exists():
        raise SystemExit("mutmut is not installed: .venv/bin/pip install -e '.[mutation]'")
    return found


def prepare(key: str) -> Path:
    module, tests = MODULES[key]
    work = WORK / key
    for old in ("saleschannel", "tests", "mutants"):  # the rest of the directory stays
        if (work / old).exists():
            shutil.rmtree(work / old)
    work.mkdir(parents=True, exist_ok=True)
    for name in ("saleschannel", "tests"):
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(ROOT / "pyproject.toml", work / "pyproject.toml")
    # An entry may name one test ("file.py::test"): the file is what must exist.
    existing = [t for t in tests if (ROOT / t.split("::")[0]).exists()]
    selection = "\n    ".join(existing)
    (work / "setup.cfg").write_text(
        "[mutmut]\n"
        "source_paths=saleschannel\n"
        f"only_mutate={module}\n"
        f"pytest_add_cli_args_test_selection={selection}\n"
        # The test database is made once per run and kept (--reuse-db): each mutant's tests would
        # otherwise spend most of their time migrating it. It lives in the run's own tmp/ (TMPDIR).
        "pytest_add_cli_args=-p no:cacheprovider --reuse-db\n"
        # A mutant that loops runs until its CPU limit, (estimate + constant) x multiplier x 2: at the default
        # 15 a few such mutants took most of a run. 5 still leaves a slow mutant ten times its tests' time.
        "timeout_multiplier=5\n"
        # The limit also covers each mutant's fresh pytest session (the test database checked, the
        # fixtures made), about ten CPU seconds for the ledger's tests whatever their own time, and
        # mutmut's wall-clock bound is half of it: with the constant at 1, tests of a few hundredths
        # of a second got (0.02 + 1) x 5 x 2 = 11 CPU seconds, 5.5 s of wall clock, and on a loaded
        # machine nearly every ledger mutant and many rules mutants "timed out" without looping.
        "timeout_constant=10\n"
        # Each mutant's tests run in a process forked from a server that never ran the suite: the
        # heartbeat's thread and the test database's connections are not inherited half-used (forked
        # from mutmut's own process, every mutant of the heartbeat counted as killed, wrongly).
        "process_isolation=forkserver\n",
        encoding="utf-8",
    )
    return work


def stats(work: Path) -> dict[str, int] | None:
    path = work / "mutants" / "mutmut-cicd-stats.json"
    return json.loads(path.read_text()) if path.exists() else None


def survivors(work: Path) -> list[str]:
    done = subprocess.run([str(mutmut()), "results"], cwd=work, capture_output=True, text=True)
    return [line.split(":")[0].strip() for line in done.stdout.splitlines() if line.strip().endswith(": survived")]


def report(key: str) -> bool:
    work = WORK / key
    figures = stats(work)
    if figures is None:
        print(f"{key:10} no run yet")
        return False
    detected = figures["killed"] + figures["timeout"]
    score = detected / figures["total"] if figures["total"] else 0.0
    print(f"{key:10} {MODULES[key][0]:45} {figures['total']:4} mutants, {figures['killed']} killed, "
          f"{figures['timeout']} timed out, {figures['survived']} survived, {figures['no_tests']} without tests: "
          f"{score:.1%}")
    for name in survivors(work):
        print(f"    survived: {name}")
    return score >= TARGET


def run(key: str) -> bool:
    work = prepare(key)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SALESCHANNEL_DB_TESTS_ONLY")}
    (work / "tmp").mkdir(exist_ok=True)
    env.update(CI="true", SALESCHANNEL_HOME=str(work / "home"), PYTHONPATH=str(work), TMPDIR=str(work / "tmp"))
    # One mutant at a time: the settings name the SQLite test database after the process id, read once
    # when they are imported, so mutants run side by side from one server would share one database file
    # and fail each other's tests (counted as killed, wrongly).
    subprocess.run([str(mutmut()), "run", "--max-children", "1"], cwd=work, env=env, stdout=subprocess.DEVNULL,
                   check=False)
    subprocess.run([str(mutmut()), "export-cicd-stats"], cwd=work, env=env, capture_output=True, check=False)
    return report(key)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help=f"modules to mutate, of {', '.join(MODULES)} (all by default)")
    parser.add_argument("--report", action="store_true", help="report the runs already made, run nothing")
    args = parser.parse_args()
    unknown = sorted(set(args.modules) - set(MODULES))
    if unknown:
        parser.error(f"no such module: {', '.join(unknown)}")
    keys = args.modules or list(MODULES)
    ok = [report(k) if args.report else run(k) for k in keys]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
