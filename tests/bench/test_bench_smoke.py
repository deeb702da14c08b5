"""The benchmark runner must not rot: every benchmark runs at a tiny size and gives a well-formed result.

One test: the benchmarks run side by side (each in its own child processes, on
databases of their own), so that the whole check stays short. Figures at this size mean
nothing; only the shape of each result is checked. B5 and B6 say they were skipped when
PostgreSQL does not answer.
"""

from __future__ import annotations

import importlib
import json
from concurrent.futures import ThreadPoolExecutor

from bench import BENCHMARKS, env

TINY = 20
EXPECTED = {
    "B1": ("results", "orders"),
    "B2": ("engine", "baseline_v0", "fewer_calls_factor"),
    "B3": ("polling", "notification"),
    "B4": ("results", "growth_mb_smallest_to_largest"),
    "B5": ("levels",),
    "B6": ("results", "multi_machine_estimate_orders_per_s"),
    "B1P": ("databases", "rounds"),
    "B7": ("oversold_units", "runs", "conditions"),
    "B8": ("latency_s", "late", "amazon_calls", "throttled", "changes"),
    "B9": ("backlog", "feed_build_memory", "patches_alone_floor_s"),
    "B10": ("runs",),
}


def _run(name: str) -> dict:
    return importlib.import_module(BENCHMARKS[name]).run(size=TINY, quick=True, tiny=True)


def test_every_benchmark_runs_at_a_tiny_size_and_gives_a_well_formed_result(monkeypatch):
    monkeypatch.setenv("BENCH_BACKENDS", "sqlite,postgresql" if env.pg_available() else "sqlite")
    with env.templates(tuple(env.backends_wanted())), ThreadPoolExecutor(max_workers=len(BENCHMARKS)) as pool:
        results = dict(zip(BENCHMARKS, pool.map(_run, BENCHMARKS), strict=True))
    for name, result in results.items():
        assert result["benchmark"] == name
        assert "error" not in result, f"{name}: {result.get('error')}"
        assert {"title", "targets"} <= set(result), name
        assert all(isinstance(v, bool) for k, v in result["targets"].items() if k.startswith("met")), name
        if "skipped" not in result:
            assert set(EXPECTED[name]) <= set(result), (name, sorted(result))
        json.dumps(result)  # it can be saved
    _b10_shape(results["B10"])
    _b8_shape(results["B8"])
    _b1p_shape(results["B1P"])


def _b1p_shape(result: dict) -> None:
    """With push on every FBM order marks its offers due (T5), and the marking statements are timed; off, none is due."""
    assert set(result["databases"]) == set(env.backends_wanted())
    for d in result["databases"].values():
        assert d["push_off"]["offers_marked_due"] == 0
        assert d["push_on"]["offers_marked_due"] > 0 and d["push_on"]["marking_statements"] > 0


def _b10_shape(result: dict) -> None:
    """C45: one run per case (60 and 600 an hour, on and off, on with 30% lost), and a table row for each."""
    from bench import docs

    cases = {(r["notifications"], r["notifications_lost"]) for r in result["runs"]}
    assert len(result["runs"]) == 5 and cases == {(True, 0.0), (False, 0.0), (True, 0.3)}
    for run in result["runs"]:
        assert {"orders_per_hour", "calls_per_order", "calls", "throttled", "notified_p95_s", "missed",
                "notifications_lost"} <= set(run)
        assert run["missed"] == 0 and run["throttled"] == 0
    assert len(docs._b10({**result, "before": result["runs"]})) == 2 * len(result["runs"])


def _b8_shape(result: dict) -> None:
    """Every change of every kind reached the sandbox's listing, after its commit, within the deadline,
    each by one patch and no 429; and the table has its rows."""
    from bench import b8_latency, docs

    changes = result["changes"]
    assert len(changes) == result["conditions"]["changes"] >= 2 * len(b8_latency.KINDS)
    assert result["late"] == 0 and result["negative"] == 0 and result["throttled"] == 0, result
    for kind in ("all", *b8_latency.KINDS):
        figures = result["latency_s"][kind]
        assert figures["n"] >= (len(changes) if kind == "all" else 2), kind
        assert 0 < figures["p50"] <= figures["p95"] <= figures["max"] < b8_latency.DEADLINE_S, (kind, figures)
    for change in changes:
        assert change["expected"] != change["before"], change
        assert 0 <= change["latency_s"] < b8_latency.DEADLINE_S, change
    amazon_orders = sum(1 for c in changes if c["kind"] == "amazon_order")
    assert result["amazon_calls"].get("patchListingsItem", 0) >= len(changes), result["amazon_calls"]
    assert result["amazon_calls"].get("getOrder", 0) >= amazon_orders, result["amazon_calls"]
    assert len(docs._b8(result)) == 3
