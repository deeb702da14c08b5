"""Benchmarks of the sales channel: speed, Amazon API economy, latency, memory.

Run them with ``make bench`` (``python -m bench [--only B1,B2] [--quick]``). Each
benchmark is a module with ``run(*, size=None, quick=False) -> dict``; the ones that need a
database run their measurements in a child process with a database of their own
(``bench.env``), created for the run and dropped after it. Results are JSON under
``bench/results/``; ``docs/benchmarks.md`` says how each figure is made.
"""

BENCHMARKS = {
    "B1": "bench.b1_import",
    "B2": "bench.b2_api",
    "B3": "bench.b3_latency",
    "B4": "bench.b4_memory",
    "B5": "bench.b5_dashboard",
    "B6": "bench.b6_scaleout",
    "B1P": "bench.b1_push",
    "B7": "bench.b7_oversell",
    "B8": "bench.b8_latency",
    "B9": "bench.b9_backlog",
    "B10": "bench.b10_steady",
}
