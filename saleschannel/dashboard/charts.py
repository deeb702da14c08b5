"""Bar charts drawn as inline SVG on the server: numbers in, geometry out (no JS, no library)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 170
LEFT, BOTTOM, TOP = 34, 20, 10


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    over: bool
    show_label: bool
    # The part of the bar drawn darker (e.g. searchOrders calls within all calls); 0 for none.
    part_y: float = 0.0
    part_height: float = 0.0
    part_value: int = 0
    # What the bar's value is made of, in words (e.g. the calls by purpose); "" for nothing to tell.
    breakdown: str = ""


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    top_value: int
    width: int
    height: int
    left: int
    baseline: float
    limit_y: float | None
    limit_value: float | None
    total: int
    title: str
    stacked: bool = False


def _nice_top(value: float) -> int:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def bar_chart(
    points: list[tuple[str, int]],
    *,
    title: str,
    limit: float | None = None,
    label_every: int = 1,
    parts: list[int] | None = None,
    breakdowns: list[str] | None = None,
) -> Chart:
    """Bars for ``points`` (label, value), oldest first; ``limit`` draws a dashed line.

    ``parts`` (one per point) draws that share of each bar darker; the limit then applies to the
    part (a usage plan of one operation among all calls), else to the whole bar. ``breakdowns``
    (one per point) tells in words what each bar is made of (its tooltip).
    """
    top = _nice_top(max([v for _, v in points] + [limit or 0, 1]))
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(points), 1)
    bars = []
    for i, (label, value) in enumerate(points):
        h = plot_h * value / top
        part = parts[i] if parts else 0
        part_h = plot_h * part / top
        measured = part if parts else value
        bars.append(
            Bar(
                x=round(LEFT + i * slot + slot * 0.12, 2),
                y=round(TOP + plot_h - h, 2),
                width=round(slot * 0.76, 2),
                height=round(h, 2),
                label=label,
                value=value,
                over=limit is not None and measured > limit,
                show_label=i % max(label_every, 1) == 0,
                part_y=round(TOP + plot_h - part_h, 2),
                part_height=round(part_h, 2),
                part_value=part,
                breakdown=breakdowns[i] if breakdowns else "",
            )
        )
    limit_y = round(TOP + plot_h - plot_h * limit / top, 2) if limit is not None else None
    return Chart(
        bars=bars,
        top_value=top,
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        baseline=TOP + plot_h,
        limit_y=limit_y,
        limit_value=limit,
        total=sum(v for _, v in points),
        title=title,
        stacked=bool(parts),
    )
