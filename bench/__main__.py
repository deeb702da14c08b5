"""``python -m bench [--only B1,B2] [--quick] [--size N]``: run the benchmarks, print and save the figures."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import sys
import time
import traceback
from typing import Any

from bench import BENCHMARKS, env
from bench.report import summary_lines


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated benchmarks, e.g. B1,B2 (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a look rather than a figure")
    parser.add_argument("--size", type=int, default=None, help="override the main size of each benchmark")
    parser.add_argument("--no-save", action="store_true", help="print only; write nothing under bench/results")
    return parser.parse_args(argv)


def selected(only: str) -> list[str]:
    if not only:
        return list(BENCHMARKS)
    names = [name.strip().upper() for name in only.split(",") if name.strip()]
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    return names


def run_one(name: str, *, size: int | None, quick: bool) -> dict[str, Any]:
    module = importlib.import_module(BENCHMARKS[name])
    started = time.perf_counter()
    try:
        result = module.run(size=size, quick=quick)
    except Exception as exc:
        result = {"benchmark": name, "error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()[-3000:]}
    result["elapsed_s"] = round(time.perf_counter() - started, 1)
    return result


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # so that the databases made for the run are dropped


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    args = parse(sys.argv[1:] if argv is None else argv)
    machine = env.machine()
    print(f"machine: {machine['cpus']} CPUs ({machine['cpu_model']}), {machine['memory_total']}, "
          f"Python {machine['python']}, SQLite {machine['sqlite']}, PostgreSQL {machine.get('postgresql')}, "
          f"load {machine['load_average_at_start']}", flush=True)
    failed = False
    with env.templates(tuple(env.backends_wanted())):
        for name in selected(args.only):
            failed = _run_and_save(name, args, argv, machine) or failed
    return 1 if failed else 0


def _run_and_save(name: str, args: argparse.Namespace, argv: list[str] | None, machine: dict[str, Any]) -> bool:
    """Run one benchmark, print its summary, save its JSON; True when it failed."""
    print(f"\n== {name} ==", flush=True)
    result = run_one(name, size=args.size, quick=args.quick)
    result["machine"] = {**machine, "load_average_at_end": [round(x, 2) for x in os.getloadavg()]}
    result["command"] = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
    for line in summary_lines(result):
        print(line, flush=True)
    if "error" in result:
        print(result["trace"], file=sys.stderr)
    if not args.no_save:
        env.RESULTS.mkdir(exist_ok=True)
        suffix = "-quick" if args.quick else ""
        path = env.RESULTS / f"{name.lower()}{suffix}.json"
        path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
        print(f"saved bench/results/{path.name}")
    return "error" in result

if __name__ == "__main__":
    sys.exit(main())
