"""``python -m bench.docs``: write the figures of ``bench/results/*.json`` into ``docs/benchmarks.md``.

Only the part between the ``figures`` markers is replaced, so every number in the table
comes from a saved result, never from a hand.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from bench.env import RESULTS, ROOT

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"


def _yes(value: Any) -> str:
    return "yes" if value is True else "no" if value is False else "–"


def _load(name: str) -> dict[str, Any] | None:
    """The saved result; a ``--quick`` one when no full one was saved (its conditions say so)."""
    path = RESULTS / f"{name}.json"
    if not path.exists():
        path = RESULTS / f"{name}-quick.json"
    if not path.exists():
        return None
    result: dict[str, Any] = json.loads(path.read_text())
    return None if "error" in result else result


def rows() -> list[str]:
    out = ["| | figure | measured | target | met |", "|---|---|---|---|---|"]
    for name, render in (("b1", _b1), ("b1p", _b1p), ("b2", _b2), ("b3", _b3), ("b4", _b4), ("b5", _b5), ("b6", _b6),
                         ("b7", _b7), ("b8", _b8), ("b9", _b9), ("b10-quick", _b10), ("b10", _b10)):
        result = _load(name)
        if result is None and name == "b10-quick":
            continue  # B10's quick drive is shown when it was run: its full one takes long
        if result is None:
            out.append(f"| {name.upper()} | not measured yet | | | |")
            continue
        out.extend(render(result))
    return out


def _b1(r: dict[str, Any]) -> list[str]:
    t, lines = r["targets"], []
    for backend, b in sorted(r["results"].items(), key=lambda item: item[0] != "sqlite"):
        e, f, q = b["engine"], b["floors"], b["ratios"]
        is_sqlite = backend == "sqlite"
        lines += [
            f"| B1 {backend} | import engine, {r['orders']:,} orders | **{e['orders_per_s']:,.0f} orders/s**, "
            f"{e['cpu_ms_per_order']:.1f} ms CPU/order"
            + (f" (+{e['db_server_cpu_ms_per_order']:.1f} ms database server)" if "db_server_cpu_ms_per_order" in e
               else "")
            + f" | {'≥ 1,000/s' if is_sqlite else '–'} | {_yes(t['met_rate']) if is_sqlite else '–'} |",
            f"| B1 {backend} | floor: same rows, one transaction | {f['one_transaction']['orders_per_s']:,.0f} orders/s"
            f" ({q['one_transaction_floor_over_engine']}× the engine) | – | – |",
            f"| B1 {backend} | floor: same rows, one transaction per order | {f['per_order']['orders_per_s']:,.0f}"
            f" orders/s (**{q['per_order_floor_over_engine']}×** the engine) | {'≤ 3×' if is_sqlite else '–'} | "
            f"{_yes(t['met_ratio']) if is_sqlite else '–'} |",
        ]
        w = b.get("waiting_evaluated_again")
        if w:
            lines.append(f"| B1 {backend} | each sync cycle's R9 step afterwards: its pass over {w['waiting_orders']:,} "
                         f"waiting orders | {w['wall_s']} s ({w['cpu_s']} s CPU) per cycle | – | – |")
    return lines


def _b1p(r: dict[str, Any]) -> list[str]:
    lines = []
    for backend, d in r["databases"].items():
        off, on = d["push_off"], d["push_on"]
        server = " (database server's CPU included)" if on.get("db_server_cpu_ms_per_order") is not None else ""
        lines.append(
            f"| B1 push on {backend} | import engine with push enabled, {r['orders']:,} orders, best of {r['rounds']} | "
            f"{on['cpu_ms_per_order']} ms CPU/order vs {off['cpu_ms_per_order']} push off{server}: "
            f"**{d['cpu_per_order_on_over_off']}×** (wall {d['wall_per_order_on_over_off']}×); T5's marking "
            f"{on['marking_share_of_wall']:.1%} of the wall time ({on['marking_statements']:,} UPDATEs) | ≤ 1.10× | "
            f"{_yes(d['cpu_per_order_on_over_off'] <= r['targets']['on_over_off_at_most'])} |")
    return lines


def _b2(r: dict[str, Any]) -> list[str]:
    e, b, t = r["engine"], r["baseline_v0"], r["targets"]
    return [
        f"| B2 | SP-API calls per order, backlog of {r['orders']:,} | **{e['amazon_calls_per_order']}** "
        f"({e['sp_api_calls']} calls: {_ops(e['amazon_calls']['operations'])}; searchOrders alone "
        f"{e['amazon_calls']['operations']['searchOrders'] / r['orders']:.4f}; 429s received: "
        f"{e['amazon_calls']['throttled']}) | ≤ 0.011 | {_yes(t['met_calls'])} |",
        f"| B2 | v0-style baseline (getOrders + getOrderItems + getOrderAddress) | {b['calls_per_order']} calls/order;"
        f" engine makes **{r['fewer_calls_factor']}× fewer** | ≥ 100× fewer | {_yes(t['met_factor'])} |",
        f"| B2 | time to drain the backlog, default usage plans (simulated) | engine {e['drain_simulated_hours']} h;"
        f" baseline {b['simulated_hours']} h | – | – |",
    ]


def _ops(ops: dict[str, int]) -> str:
    return ", ".join(f"{op} {n}" for op, n in ops.items() if n and op != "token")


def _b3(r: dict[str, Any]) -> list[str]:
    p, n, t = r["polling"]["latency_s"], r["notification"]["latency_s"], r["targets"]
    return [
        f"| B3 | polling alone (simulated clock, {p['n']} store orders) | p50 {p.get('p50')} s, **p95 {p.get('p95')} s**"
        f" | p95 ≈ 240 s + 10 s | {_yes(t['met_polling'])} |",
        f"| B3 | with a notification (real clock, over HTTP, {n['n']} orders) | p50 {n.get('p50')} s, "
        f"**p95 {n.get('p95')} s** | p95 ≤ 5 s | {_yes(t['met_notification'])} |",
    ]


def _b4(r: dict[str, Any]) -> list[str]:
    t = r["targets"]
    peaks = ", ".join(f"{x['orders']:,}: {x['peak_mb']} MB" + (f" (stopped by the time budget at {x['fetched']:,})"
                                                                 if x.get("stopped_by_time_budget") else "")
                      for x in r["results"])
    return [f"| B4 | peak RSS of a backfill ({peaks}) | **{max(x['peak_mb'] for x in r['results'])} MB**, "
            f"growth {r['growth_mb_smallest_to_largest']} MB | < 150 MB, flat | "
            f"{_yes(t['met_peak'] and t['met_flat'])} |"]


def _b5(r: dict[str, Any]) -> list[str]:
    if "skipped" in r:
        return [f"| B5 | skipped: {r['skipped']} | | | |"]
    lines = []
    names = {"amazon_orders_first_page": "Amazon orders, first page", "search_amazon_order_id": "search by Amazon order id",
             "search_store_order_number": "search by store order number", "store_dashboard": "store dashboard (Recent Orders)"}
    last = r["levels"][-1]["amazon_orders"]
    for page, label in names.items():
        figures = ", ".join(f"{lv['amazon_orders']:,}: {lv['pages'][page]['p95_ms']} ms" for lv in r["levels"])
        largest = r["levels"][-1]["pages"][page]["p95_ms"]
        lines.append(f"| B5 | {label}, p95 server time | {figures} | < 200 ms at {last:,} | {_yes(largest < 200)} |")
    return lines


def _b6(r: dict[str, Any]) -> list[str]:
    if "skipped" in r:
        return [f"| B6 | skipped: {r['skipped']} | | | |"]
    runs = ", ".join(f"{x['workers']}: {x['orders_per_s']}/s" for x in r["results"])
    est = ", ".join(f"{k}: {v}/s" for k, v in sorted(r["multi_machine_estimate_orders_per_s"].items(),
                                                          key=lambda item: int(item[0])))
    return [f"| B6 | workers over 20 accounts, this machine (contention) | {runs} | – | – |",
            f"| B6 | estimate, one worker per machine | {est} | – | – |"]


def _b7(r: dict[str, Any]) -> list[str]:
    c, o, t = r["conditions"], r["oversold_units"], r["targets"]
    where = (f"{c['skus']} SKUs × {c['units_each']} units, buyers on both channels until sold out, "
             f"worst of {c['seeds']} seeds, simulated clock")
    others = (f"five-minute cron {o['cron_5min']}; whole-catalog feed every five minutes "
              f"({c['feed_delay_s'] / 60:.0f} min feed delay) {o['feed']}; no push {o['none']}")
    return [f"| B7 | oversold units across Amazon and the store, our push ({where}) | **{o['push']}** | 0 | "
            f"{_yes(t['met_push'])} |",
            f"| B7 | the same days, other ways | {others} | – | – |"]


def _b8(r: dict[str, Any]) -> list[str]:
    c, lat, t = r["conditions"], r["latency_s"], r["targets"]
    a = lat["all"]
    names = {"stock_set": "stock set", "store_order": "store order", "amazon_order": "Amazon order (from its import's commit)",
             "cancellation": "cancellation"}
    kinds = "; ".join(f"{names[k]} p50 {lat[k].get('p50')} s, p95 {lat[k].get('p95')} s, max {lat[k].get('max')} s"
                      for k in names if k in lat)
    where = (f"{c['changes']} changes one at a time over {c['skus']} SKUs; real processes over HTTP: the "
             f"sandbox, `serve`, a worker; {r['database']}")
    return [
        f"| B8 | store commit → Amazon's listing shows the quantity ({where}) | p50 {a.get('p50')} s, "
        f"**p95 {a.get('p95')} s**, max {a.get('max')} s; late (over {c['deadline_s']:.0f} s) **{r['late']}** | "
        f"p95 ≤ 3 s | {_yes(t['met_p95'])} |",
        f"| B8 | by kind | {kinds} | – | – |",
        f"| B8 | Amazon's calls during the changes, 429s | {_ops(r['amazon_calls'])}; **{r['throttled']}** 429s | – | – |",
    ]


def _b9(r: dict[str, Any]) -> list[str]:
    b, m, t = r["backlog"], r["feed_build_memory"], r["targets"]
    floor = r["patches_alone_floor_s"]
    ops = _ops(b["calls"])
    where = f"{r['offers']:,} offers due at once, a third to 0, feed delay {b['feed_delay_s'] / 60:.0f} min, simulated"
    return [
        f"| B9 | every to-zero on Amazon ({where}) | **{b['zeros_applied_s']} s** | ≤ 60 s | {_yes(t['met_zeros'])} |",
        f"| B9 | every desired quantity on Amazon | **{b['all_applied_s']} s** (patches alone: {floor:,.0f} s, the "
        f"floor at 5/s; feed: {b['feed_done_s']} s) | ≤ 0.6 × {floor:,.0f} s | {_yes(t['met_all'])} |",
        f"| B9 | calls, 429s, versions sent twice | {ops}; {b['pushes_by_feed']:,} by feed; **{b['throttled']}** 429s;"
        f" **{b['versions_patched_twice']}** twice | 0 429s, 0 twice | "
        f"{_yes(t['met_no_429'] and t['met_no_version_twice'])} |",
        f"| B9 | peak RSS growth of the feed build, {m['messages']:,} messages | **{m['rss_growth_mb']} MB** "
        f"({m['document_bytes'] / 1e6:.1f} MB document) | ≤ 20 MB | {_yes(t['met_feed_memory'])} |",
    ]


def _b10(r: dict[str, Any]) -> list[str]:
    t, hours = r["targets"], r["simulated_hours"]
    before = {(b["orders_per_hour"], b["notifications"], b["notifications_lost"]): b for b in r.get("before", [])}
    lines = []
    for x in r["runs"]:
        key = (x["orders_per_hour"], x["notifications"], x["notifications_lost"])
        was = before.get(key)
        case = (f"{x['orders_per_hour']}/h × {hours:g} h, notifications "
                + ("off" if not x["notifications"] else f"on, {x['notifications_lost']:.0%} lost"
                   if x["notifications_lost"] else "on"))
        peak = x["orders_per_hour"] == max(b["orders_per_hour"] for b in r["runs"])
        target = ("≤ 1.5" if x["notifications"] and not x["notifications_lost"] else "≤ 0.5"
                  if not x["notifications"] else "–") if peak else "–"
        met = (_yes(t["met_calls_notified"]) if x["notifications"] and not x["notifications_lost"]
               else _yes(t["met_calls_polling"]) if not x["notifications"] else "–") if peak else "–"
        lines.append(
            f"| B10 | {case}: calls/order ({x['orders']:,} orders) | **{x['calls_per_order']}** ({_ops(x['calls'])}); "
            f"getOrder budget {x['getorder_budget_used']:.0%}; 429s {x['throttled']}"
            + (f" — before: {was['calls_per_order']} ({_ops(was['calls'])}), budget {was['getorder_budget_used']:.0%}"
               if was else "") + f" | {target} | {met} |")
        lat = x["import_latency_s"]
        lost = x["lost_notification_latency_s"]
        lines.append(
            f"| B10 | {case}: change at Amazon → store order; missed | "
            + (f"notified **p95 {x['notified_p95_s']} s**; " if x["notifications"] else "")
            + f"all p50 {lat.get('p50')} s, p95 {lat.get('p95')} s"
            + (f"; notification lost: p95 {lost.get('p95')} s (n {lost['n']})" if lost.get("n") else "")
            + f"; missed **{x['missed']}**"
            + (f" — before: notified p95 {was['notified_p95_s']} s, all p95 {was['import_latency_s'].get('p95')} s, "
               f"missed {was['missed']}" if was else "")
            + (" | p95 ≤ 5 s; 0 missed | " + _yes(t["met_notified_p95"] and t["met_nothing_missed"])
               if x["notifications"] and not x["notifications_lost"] else " | 0 missed | "
               + _yes(x["missed"] == 0)) + " |")
    return lines


def machine_line() -> str:
    for name in ("b1", "b2", "b3", "b4", "b5", "b6"):
        result = _load(name)
        if result:
            m = result["machine"]
            return (f"{m['cpus']} CPUs ({m['cpu_model']}), {m['memory_total']} RAM, {m['platform']}; Python "
                    f"{m['python']}, Django {m.get('django', '?')}, SQLite {m['sqlite']}, PostgreSQL {m['postgresql']}")
    return "not measured yet"


def conditions() -> list[str]:
    out = []
    for name in ("b1", "b1p", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10-quick", "b10"):
        result = _load(name)
        if result:
            m = result["machine"]
            out.append(f"- {name.upper()}: measured {m['utc']}, load average {m['load_average_at_start'][0]} at the "
                       f"start and {m.get('load_average_at_end', ['?'])[0]} at the end, {result.get('elapsed_s')} s, "
                       f"`{result['command']}`"
                       + (f" with `BENCH_TIME_BUDGET_S={result['time_budget_s']:.0f}`" if result.get("time_budget_s")
                          else ""))
    return out


def main() -> int:
    text = DOC.read_text()
    if START not in text or END not in text:
        print(f"{DOC} has no figures markers", file=sys.stderr)
        return 1
    block = "\n".join([START, "", f"Machine: {machine_line()}.", "", *rows(), "", "Conditions:", "", *conditions(),
                       "", END])
    head, rest = text.split(START, 1)
    DOC.write_text(head + block + rest.split(END, 1)[1])
    print(f"updated {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
