"""Charts drawn on the server: bars, step lines and supply/demand curves as inline SVG, the
money flow as HTML boxes.

Each function takes plain numbers and a formatter for its labels, and returns markup that
scales with its container (a ``viewBox`` and no fixed width). Colours come from CSS classes
(``series-0``, ``series-1``, …), so the stylesheet decides the palette. Every chart has a
title (an SVG ``<title>``, the flow's caption); the page shows the same figures in a table
beside it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 12, 40
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
Format = Callable[[int], str]


@dataclass(frozen=True)
class Series:
    """One named row of values, one per category or point."""

    name: str
    values: Sequence[int]


def nice_ceiling(value: int) -> int:
    """The smallest round number (1, 2, 4, 6 or 8 × 10^k) at least ``value`` (1 for
    nothing), so that axis ticks at its quarters are round too (never 37.5 or 112.5)."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for tenths in (10, 20, 40, 60, 80, 100):
        if tenths * magnitude >= value * 10:
            return tenths * magnitude // 10 or 1
    return 10 * magnitude  # pragma: no cover -- the loop always returns


def bar_chart(labels: Sequence[str], series: Sequence[Series], title: str, fmt: Format) -> Markup:
    """Grouped vertical bars: one group per label, one bar per series."""
    top = nice_ceiling(max((v for s in series for v in s.values), default=0))
    group = PLOT_W / max(len(labels), 1)
    bar = group * 0.8 / max(len(series), 1)
    parts = [*_y_axis(top, fmt), *_x_labels(labels, group)]
    for number, found in enumerate(series):
        for position, value in enumerate(found.values):
            height = PLOT_H * value / top
            x = LEFT + position * group + group * 0.1 + number * bar
            label = f"{labels[position]}: {fmt(value)}"
            parts.append(
                f'<rect class="series-{number}" x="{x:.1f}" y="{TOP + PLOT_H - height:.1f}" '
                f'width="{bar:.1f}" height="{height:.1f}"><title>{escape(found.name)} '
                f"{escape(label)}</title></rect>"
            )
    return _svg(title, parts, _legend([s.name for s in series]))


def step_chart(
    days: Sequence[int], labels: Sequence[str], series: Sequence[Series], title: str, fmt: Format
) -> Markup:
    """Step lines over time: each series holds its value from one day (``days``: day numbers,
    ascending) until the next; the last step runs on for a tenth of the span."""
    if not days:
        return _svg(title, [], "")
    span = max(days[-1] - days[0], 1)
    end = days[-1] + max(span // 10, 30)
    top = nice_ceiling(max((v for s in series for v in s.values), default=0))

    def x_of(day: int) -> float:
        return LEFT + PLOT_W * (day - days[0]) / (end - days[0])

    parts, last_label = _y_axis(top, fmt), -100.0
    for day, label in zip(days, labels, strict=True):
        if x_of(day) - last_label < 90:
            continue
        last_label = x_of(day)
        parts.append(
            f'<text class="tick" x="{x_of(day):.1f}" y="{HEIGHT - 22}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for number, found in enumerate(series):
        points = []
        for position, value in enumerate(found.values):
            y = TOP + PLOT_H - PLOT_H * value / top
            following = days[position + 1] if position + 1 < len(days) else end
            points += [f"{x_of(days[position]):.1f},{y:.1f}", f"{x_of(following):.1f},{y:.1f}"]
        parts.append(f'<polyline class="line series-{number}" points="{" ".join(points)}"/>')
    return _svg(title, parts, _legend([s.name for s in series]))


@dataclass(frozen=True)
class Curve:
    """A step curve: (price, cumulative quantity) at the end of each step."""

    name: str
    steps: Sequence[tuple[int, int]]


def curves_chart(
    supply: Curve,
    demand: Curve,
    clearing: tuple[int, int],
    title: str,
    *,
    fmt_price: Format,
    fmt_quantity: Format,
) -> Markup:
    """Supply rising and demand falling as step curves, with the clearing point marked."""
    price, quantity = clearing
    right = nice_ceiling(max([quantity, *(q for c in (supply, demand) for _, q in c.steps)]))
    top = nice_ceiling(max([price, *(p for c in (supply, demand) for p, _ in c.steps)]))

    def point(q: int, p: int) -> str:
        return f"{LEFT + PLOT_W * q / right:.1f},{TOP + PLOT_H - PLOT_H * p / top:.1f}"

    parts = [*_y_axis(top, fmt_price), *_x_ticks(right, fmt_quantity)]
    for number, curve in enumerate((supply, demand)):
        path, previous = [], 0
        for p, q in curve.steps:
            path += [point(previous, p), point(q, p)]
            previous = q
        parts.append(f'<polyline class="line series-{number}" points="{" ".join(path)}"/>')
    x, y = point(quantity, price).split(",")
    parts += [
        f'<line class="guide" x1="{LEFT}" y1="{y}" x2="{x}" y2="{y}"/>',
        f'<line class="guide" x1="{x}" y1="{y}" x2="{x}" y2="{TOP + PLOT_H}"/>',
        f'<circle class="clearing" cx="{x}" cy="{y}" r="6"><title>'
        f"{escape(fmt_price(price))}; {escape(fmt_quantity(quantity))}</title></circle>",
    ]
    return _svg(title, parts, _legend([supply.name, demand.name]))


def horizontal_bars(rows: Sequence[tuple[str, int]], title: str, fmt: Format) -> Markup:
    """One labelled horizontal bar per row, its value written at its end."""
    top = nice_ceiling(max((v for _, v in rows), default=0))
    height = 30 * max(len(rows), 1) + 10
    parts = []
    for number, (label, value) in enumerate(rows):
        y = 8 + 30 * number
        width = (WIDTH - 260) * value / top
        parts += [
            f'<text class="tick" x="0" y="{y + 15}">{escape(label)}</text>',
            f'<rect class="series-{number % 6}" x="170" y="{y}" width="{width:.1f}" height="20"/>',
            f'<text class="tick" x="{176 + width:.1f}" y="{y + 15}">{escape(fmt(value))}</text>',
        ]
    return _svg(title, parts, "", height)


def flow_diagram(
    stages: Sequence[tuple[str, int]], title: str, fmt: Format, share: Callable[[int, int], str]
) -> Markup:
    """Boxes left to right (budget → accruals → payments → services), each with its amount and
    ``share(amount, budget)``, joined by arrows as thick as the amount that reaches the next box.

    Drawn in HTML rather than SVG so the figures keep the page's type size: on a narrow screen
    the boxes stack and the arrows point down (the stylesheet's ``.flow``)."""
    if not stages:
        return Markup("")
    budget = stages[0][1]
    top = max(1, *(v for _, v in stages))
    items = []
    for number, (label, value) in enumerate(stages):
        if number:
            thickness = 2 + 14 * value // top
            items.append(
                f'<li class="flow-arrow" aria-hidden="true">'
                f'<span style="--thickness: {thickness}px"></span></li>'
            )
        note = f'<span class="flow-share">{escape(share(value, budget))}</span>' if number else ""
        items.append(
            f'<li class="flow-box"><span class="flow-label">{escape(label)}</span>'
            f'<span class="flow-value">{escape(fmt(value))}</span>{note}</li>'
        )
    return Markup(  # noqa: S704 -- every text inside was escaped above
        f'<figure class="chart flow-chart"><figcaption class="small">{escape(title)}</figcaption>'
        f'<ol class="flow">{"".join(items)}</ol></figure>'
    )


def _svg(title: str, parts: Sequence[str], legend: str, height: int = HEIGHT) -> Markup:
    body = "".join(parts)
    return Markup(  # noqa: S704 -- every text inside was escaped above
        f'<figure class="chart"><svg viewBox="0 0 {WIDTH} {height}" role="img" '
        f'preserveAspectRatio="xMidYMid meet"><title>{escape(title)}</title>{body}</svg>'
        f"{legend}</figure>"
    )


def _legend(names: Sequence[str]) -> str:
    items = "".join(
        f'<li><span class="swatch series-{n}"></span>{escape(name)}</li>'
        for n, name in enumerate(names)
    )
    return f'<ul class="legend">{items}</ul>' if len(names) > 1 else ""


def _y_axis(top: int, fmt: Format) -> list[str]:
    parts = [
        f'<line class="axis" x1="{LEFT}" y1="{TOP + PLOT_H}" x2="{WIDTH - RIGHT}" '
        f'y2="{TOP + PLOT_H}"/>'
    ]
    for quarter in range(5):
        value = top * quarter // 4
        y = TOP + PLOT_H - PLOT_H * quarter / 4
        parts += [
            f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>',
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(fmt(value))}</text>",
        ]
    return parts


def _x_ticks(right: int, fmt: Format) -> list[str]:
    return [
        f'<text class="tick" x="{LEFT + PLOT_W * quarter / 4:.1f}" y="{HEIGHT - 22}" '
        f'text-anchor="{"end" if quarter == 4 else "middle"}">'
        f"{escape(fmt(right * quarter // 4))}</text>"
        for quarter in range(5)
    ]


def _x_labels(labels: Sequence[str], group: float) -> list[str]:
    every = max(1, len(labels) // 12)
    return [
        f'<text class="tick" x="{LEFT + group * (n + 0.5):.1f}" y="{HEIGHT - 22}" '
        f'text-anchor="middle">{escape(label)}</text>'
        for n, label in enumerate(labels)
        if n % every == 0
    ]
