"""Inline SVG charts, drawn in Python (the HTML report loads no chart library).

Colours come from the stylesheet (classes ``c0``…``c5``), so the charts follow light and dark
mode. Every label is escaped: queue names, forms and log types come from the log.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

W, H = 720, 250  # view box of the time and histogram charts
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 34
PALETTE = 6
# Record types keep their colour in every chart; other series take the palette in order.
TYPE_COLOURS = {"API": 0, "SQL": 1, "FLTR": 2, "ESCL": 3}


def _colour(name: str, index: int) -> int:
    return TYPE_COLOURS.get(name, index) % PALETTE


def _nice_max(value: float) -> float:
    """A round axis maximum >= value (1, 2, 2.5, 5 x 10^k)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value)


def _num(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def _legend(names: Sequence[str]) -> str:
    items = "".join(
        f'<span><i style="background:var(--s{_colour(name, i)})"></i>{escape(name)}</span>'
        for i, name in enumerate(names)
    )
    return f'<div class="legend">{items}</div>'


def _figure(title: str, svg: str, legend: str = "", note: str = "") -> str:
    note_html = f'<div class="note">{escape(note)}</div>' if note else ""
    return f"<figure><figcaption>{escape(title)}</figcaption>{legend}{svg}{note_html}</figure>"


def _y_axis(top: float, unit: str) -> str:
    plot_h = H - TOP - BOTTOM
    parts = []
    for step in range(5):
        value = top * step / 4
        y = TOP + plot_h - plot_h * step / 4
        parts.append(f'<line class="ax" x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        label = escape(_num(round(value, 3)) + unit)
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    return "".join(parts)


def _x_labels(labels: Sequence[str], xs: Sequence[float]) -> str:
    if not labels:
        return ""
    every = max(1, math.ceil(len(labels) / 8))
    return "".join(
        f'<text x="{x:.1f}" y="{H - 12}" text-anchor="middle">{escape(label)}</text>'
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % every == 0
    )


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    unit: str = "",
    note: str = "",
) -> str:
    """One line per series over the same x positions (e.g. minutes)."""
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    top = _nice_max(max((v for _, values in series for v in values), default=0.0))
    count = len(x_labels)
    xs = [LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2) for i in range(count)]
    body = [_y_axis(top, unit), _x_labels(x_labels, xs)]
    for index, (name, values) in enumerate(series):
        points = " ".join(
            f"{x:.1f},{TOP + plot_h - plot_h * v / top:.1f}"
            for x, v in zip(xs, values, strict=True)
        )
        body.append(
            f'<polyline class="c{_colour(name, index)}" points="{points}">'
            f"<title>{escape(name)}</title></polyline>"
        )
    svg = (
        f'<svg viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}">{"".join(body)}</svg>'
    )
    return _figure(title, svg, _legend([name for name, _ in series]), note)


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    unit: str = "",
    note: str = "",
) -> str:
    """Grouped vertical bars: one group per category, one bar per series."""
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    top = _nice_max(max((v for _, values in series for v in values), default=0.0))
    slot = plot_w / max(1, len(categories))
    bar = slot * 0.8 / max(1, len(series))
    xs = [LEFT + slot * (i + 0.5) for i in range(len(categories))]
    body = [_y_axis(top, unit), _x_labels(categories, xs)]
    for s_index, (name, values) in enumerate(series):
        for c_index, value in enumerate(values):
            height = plot_h * value / top
            x = LEFT + slot * c_index + slot * 0.1 + bar * s_index
            tip = escape(f"{name} {categories[c_index]}: {_num(value)}{unit}")
            y = TOP + plot_h - height
            body.append(
                f'<rect class="c{_colour(name, s_index)}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{bar:.1f}" height="{height:.1f}"><title>{tip}</title></rect>'
            )
    svg = (
        f'<svg viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}">{"".join(body)}</svg>'
    )
    return _figure(title, svg, _legend([name for name, _ in series]), note)


def hbar_chart(
    title: str,
    items: Sequence[tuple[str, float, int]],
    *,
    maximum: float,
    unit: str,
    note: str = "",
) -> str:
    """Horizontal bars (label, value, colour index), e.g. busy % per thread."""
    row, label_w, width = 18, 190, W
    height = TOP + row * max(1, len(items)) + 8
    plot_w = width - label_w - 60
    top = maximum if maximum > 0 else 1.0
    body = []
    for index, (label, value, colour) in enumerate(items):
        y = TOP + row * index
        length = plot_w * min(value, top) / top
        shown = escape(f"{value:.2f}{unit}")
        body.append(
            f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="c{colour % PALETTE}" x="{label_w}" y="{y + 2}" width="{length:.1f}" '
            f'height="{row - 5}"><title>{escape(label)}: {shown}</title></rect>'
            f'<text x="{label_w + length + 4:.1f}" y="{y + 12}">{shown}</text>'
        )
    svg = (
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"{''.join(body)}</svg>"
    )
    return _figure(title, svg, note=note)
