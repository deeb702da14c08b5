"""One-line summaries of benchmark results, for the terminal."""

from __future__ import annotations

from typing import Any


def summary_lines(result: dict[str, Any]) -> list[str]:
    if "error" in result:
        return [f"{result['benchmark']}: FAILED: {result['error']}"]
    summarise = _SUMMARIES.get(result["benchmark"])
    lines = summarise(result) if summarise else []
    return [*lines, f"({result.get('elapsed_s', '?')} s)"]


def _b1(result: dict[str, Any]) -> list[str]:
    lines = []
    for backend, r in result["results"].items():
        e, f = r["engine"], r["floors"]
        lines.append(
            f"B1 {backend}: {e['orders_per_s']:.0f} orders/s, {e['cpu_ms_per_order']:.2f} ms CPU/order; "
            f"floors: one transaction {f['one_transaction']['orders_per_s']:.0f}/s, "
            f"per order {f['per_order']['orders_per_s']:.0f}/s; "
            f"per-order floor / engine = {r['ratios']['per_order_floor_over_engine']}x, "
            f"one-transaction floor / engine = {r['ratios']['one_transaction_floor_over_engine']}x"
        )
    return lines


def _b2(result: dict[str, Any]) -> list[str]:
    e, b = result["engine"], result["baseline_v0"]
    return [
        f"B2 engine: {e['sp_api_calls']} SP-API calls for {e['orders']} orders = {e['amazon_calls_per_order']} "
        f"calls/order ({e['amazon_calls']['operations']}), backlog drained in {e['drain_simulated_hours']} h simulated",
        f"B2 v0 baseline: {b['calls_total']} calls = {b['calls_per_order']} calls/order, "
        f"drained in {b['simulated_hours']} h simulated; engine makes {result['fewer_calls_factor']}x fewer calls",
    ]


def _b3(result: dict[str, Any]) -> list[str]:
    p, n = result["polling"]["latency_s"], result["notification"]["latency_s"]
    return [
        f"B3 polling (simulated clock): p50 {p.get('p50')} s, p95 {p.get('p95')} s over {p['n']} store orders",
        f"B3 notification (real, over HTTP): p50 {n.get('p50')} s, p95 {n.get('p95')} s over {n['n']} orders",
    ]


def _b4(result: dict[str, Any]) -> list[str]:
    peaks = ", ".join(f"{r['orders']:,} orders ({r['fetched']:,} read): {r['peak_mb']} MB" for r in result["results"])
    return [f"B4 peak RSS: {peaks}; growth {result['growth_mb_smallest_to_largest']} MB"]


def _b5(result: dict[str, Any]) -> list[str]:
    if "skipped" in result:
        return [f"B5 skipped: {result['skipped']}"]
    lines = []
    for level in result["levels"]:
        pages = ", ".join(f"{name} p95 {p['p95_ms']} ms" for name, p in level["pages"].items())
        lines.append(f"B5 {level['amazon_orders']:,} orders (loaded in {level['load_s']} s): {pages}")
    return lines


def _b6(result: dict[str, Any]) -> list[str]:
    if "skipped" in result:
        return [f"B6 skipped: {result['skipped']}"]
    runs = ", ".join(f"{r['workers']} worker(s): {r['orders_per_s']} orders/s" for r in result["results"])
    return [f"B6 on this machine (contention): {runs}",
            f"B6 multi-machine estimate: {result['multi_machine_estimate_orders_per_s']} ({result['estimate_how']})"]


def _b10(result: dict[str, Any]) -> list[str]:
    lines = []
    for r in result["runs"]:
        lost = f", {r['notifications_lost']:.0%} lost" if r["notifications_lost"] else ""
        lines.append(f"B10 {r['orders_per_hour']}/h, notifications {'on' if r['notifications'] else 'off'}{lost}: "
                     f"{r['calls_per_order']} calls/order ({r['calls']}), getOrder budget {r['getorder_budget_used']:.0%},"
                     f" 429s {r['throttled']}, notified p95 {r['notified_p95_s']} s, missed {r['missed']}")
    return lines



def _b7(result: dict[str, Any]) -> list[str]:
    c = result["conditions"]
    ways = ", ".join(f"{way} {n}" for way, n in result["oversold_units"].items())
    return [f"B7 oversold units, worst of {c['seeds']} seeds ({c['skus']} SKUs x {c['units_each']} units): {ways}"]


def _b8(result: dict[str, Any]) -> list[str]:
    lat = result["latency_s"]
    kinds = "; ".join(f"{kind} p50 {v.get('p50')} s, p95 {v.get('p95')} s, max {v.get('max')} s"
                      for kind, v in lat.items() if kind != "all")
    a = lat["all"]
    return [f"B8 store change -> Amazon's listing ({a['n']} changes, real processes over HTTP): p50 {a.get('p50')} s, "
            f"p95 {a.get('p95')} s, max {a.get('max')} s; late {result['late']}; 429s {result['throttled']}; "
            f"calls {result['amazon_calls']}",
            f"B8 by kind: {kinds}"]


def _b9(result: dict[str, Any]) -> list[str]:
    b, m = result["backlog"], result["feed_build_memory"]
    return [f"B9 {result['offers']:,} offers due: zeros on Amazon within {b['zeros_applied_s']} s, all within "
            f"{b['all_applied_s']} s (patches alone: {result['patches_alone_floor_s']:.0f} s); calls {b['calls']}; "
            f"429s {b['throttled']}; versions sent twice {b['versions_patched_twice']}; feed build of "
            f"{m['messages']:,} messages: +{m['rss_growth_mb']} MB peak RSS"]


def _b1p(result: dict[str, Any]) -> list[str]:
    lines = []
    for backend, d in result["databases"].items():
        off, on = d["push_off"], d["push_on"]
        lines.append(f"B1 push {backend}: off {off['cpu_ms_per_order']} ms CPU/order ({off['orders_per_s']}/s); on "
                     f"{on['cpu_ms_per_order']} ms CPU/order ({on['orders_per_s']}/s); on/off "
                     f"{d['cpu_per_order_on_over_off']}; marking {on['marking_share_of_wall']:.1%} of the wall")
    return lines


_SUMMARIES = {"B1": _b1, "B1P": _b1p, "B2": _b2, "B3": _b3, "B4": _b4, "B5": _b5, "B6": _b6, "B7": _b7, "B8": _b8, "B9": _b9,
              "B10": _b10}
