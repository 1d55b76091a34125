"""Chart geometry for server-rendered inline SVG: stacked day columns and horizontal bars.

Returns plain shapes; the `_charts.html` template draws them with autoescaped labels and no script or style
attributes, so the strict Content-Security-Policy holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PALETTE = ("#2f6db5", "#d9822b", "#3a9e5c", "#b83a4b", "#7b5ea7", "#4a9aa8", "#a67c2d", "#6b6b6b")


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    color: str
    tip: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass
class Chart:
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    empty: bool = False


def stacked_days(series: dict[str, dict[str, int]], days: list[str], width: int = 720, height: int = 220) -> Chart:
    """One column per day, one coloured block per series (platform or decision)."""
    chart = Chart(width, height)
    names = sorted(series)
    chart.legend = [(n, PALETTE[i % len(PALETTE)]) for i, n in enumerate(names)]
    totals = [sum(series[n].get(d, 0) for n in names) for d in days]
    peak = max(totals, default=0)
    if not peak:
        chart.empty = True
        return chart
    left, bottom, top = 40.0, 20.0, 10.0
    plot_h = height - bottom - top
    step = (width - left) / max(len(days), 1)
    for i, day in enumerate(days):
        y = height - bottom
        for name, color in chart.legend:
            n = series[name].get(day, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            chart.rects.append(Rect(left + i * step + 1, y, max(step - 2, 1), h, color, f"{day} {name}: {n}"))
        if i % max(len(days) // 6, 1) == 0:
            chart.labels.append(Label(left + i * step, height - 5, day[5:]))
    chart.labels.append(Label(left - 4, top + 8, str(peak), "end"))
    chart.labels.append(Label(left - 4, height - bottom, "0", "end"))
    return chart


def horizontal_bars(rows: list[tuple[str, int]], width: int = 520, bar_h: int = 18) -> Chart:
    """A ranked list as bars: label on the left, bar and count on the right."""
    chart = Chart(width, max(len(rows), 1) * (bar_h + 6) + 4)
    if not rows:
        chart.empty = True
        return chart
    peak = max(n for _, n in rows) or 1
    label_w = 200.0
    for i, (name, n) in enumerate(rows):
        y = 4 + i * (bar_h + 6)
        w = (width - label_w - 50) * n / peak
        shown = name if len(name) <= 24 else name[:23] + "…"
        chart.labels.append(Label(label_w - 6, y + bar_h - 5, shown, "end"))
        chart.rects.append(Rect(label_w, y, max(w, 1), bar_h, PALETTE[0], f"{name}: {n}"))
        chart.labels.append(Label(label_w + w + 4, y + bar_h - 5, str(n)))
    return chart
