"""The benchmark runner must not rot: each benchmark runs at a tiny size and gives a well-formed result.

Figures at this size mean nothing; only the shape of the result is checked. Benchmarks
that need PostgreSQL run only when the server answers.
"""

from __future__ import annotations

import json
import os

import pytest

from bench import BENCHMARKS, env

TINY = 20
PG_ONLY = {"B5", "B6"}


@pytest.fixture(scope="module")
def templates():
    os.environ["BENCH_BACKENDS"] = "sqlite,postgresql" if env.pg_available() else "sqlite"
    with env.templates(tuple(env.backends_wanted())):
        yield
    os.environ.pop("BENCH_BACKENDS", None)


def _required_keys(name: str) -> set[str]:
    return {"benchmark", "title", "targets"}


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_benchmark_runs_at_a_tiny_size(name, templates):
    import importlib

    if name in PG_ONLY and not env.pg_available():
        pytest.skip("needs PostgreSQL")
    result = importlib.import_module(BENCHMARKS[name]).run(size=TINY, quick=True, tiny=True)
    assert "error" not in result, result.get("error")
    assert _required_keys(name) <= set(result)
    assert result["benchmark"] == name
    assert all(isinstance(v, bool) for k, v in result["targets"].items() if k.startswith("met"))
    json.dumps(result)  # it can be saved
