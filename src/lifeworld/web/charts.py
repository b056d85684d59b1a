"""Pictures drawn on the server as inline SVG: pure functions from numbers to markup.

No chart library and nothing fetched: each function takes the numbers a service returned and
gives a `Chart` — the SVG (with <title> and <desc>, colours from CSS classes so light and dark
themes apply, no `style` attributes so the CSP holds) and the same numbers as table rows for a
visually hidden data table. Nothing here knows a game rule; it only draws what it is given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

from lifeworld.web.formats import number
from lifeworld.web.labels import CLOUD_LABELS


@dataclass(frozen=True)
class Chart:
    """An accessible picture: the SVG, a one-line summary and the data behind it."""

    svg: Markup
    title: str
    summary: str
    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]] = ()


def _n(value: float) -> str:
    """A coordinate with at most one decimal (small markup, stable output)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_max(value: float) -> int:
    """A round axis maximum ≥ value: 1, 2 or 5 times a power of ten (at least 10)."""
    if value <= 10:
        return 10
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return int(step * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def _svg(
    width: int, height: int, title: str, desc: str, body: list[str], css: str, uid: str
) -> Markup:
    """The <svg>, labelled by its <title> and <desc> (ids "chart-…": never a card heading's)."""
    return Markup(
        f'<svg class="chart {css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-{uid}-title chart-{uid}-desc" focusable="false">'
        f'<title id="chart-{uid}-title">{escape(title)}</title>'
        f'<desc id="chart-{uid}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def _days(end: date, length: int) -> list[date]:
    return [end - timedelta(days=length - 1 - i) for i in range(length)]


# --- XP over time ------------------------------------------------------------------------

W, H = 320, 168
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 10, 24


def _y_axis(plot_h: int, maximum: int) -> list[str]:
    parts = []
    for fraction in (0, 0.5, 1):
        y = _n(TOP + plot_h - fraction * plot_h)
        value = int(maximum * fraction)
        label = f"{value / 1000:g}k" if value >= 10_000 else f"{value}"
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{y}" y2="{y}"/>')
        parts.append(
            f'<text class="chart-label" x="{LEFT - 4}" y="{y}" dy="3.5" '
            f'text-anchor="end">{label}</text>'
        )
    return parts


def _x_labels(days: Sequence[date], x_of: list[float]) -> list[str]:
    picks = sorted({0, len(days) // 2, len(days) - 1})
    anchors = {0: "start", len(days) - 1: "end"}
    return [
        f'<text class="chart-label" x="{_n(x_of[i])}" y="{H - 6}" '
        f'text-anchor="{anchors.get(i, "middle")}">{escape(_day_label(days[i]))}</text>'
        for i in picks
    ]


def xp_over_time(daily: Mapping[date, int], *, end: date, days: int = 30, uid: str = "xp") -> Chart:
    """Daily XP as bars and the running total as a line, for the `days` days ending `end`."""
    span = _days(end, days)
    values = [int(daily.get(d, 0)) for d in span]
    running: list[int] = []
    total = 0
    for v in values:
        total += v
        running.append(total)
    maximum = nice_max(max(total, 1))
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = plot_w / days
    x_of = [LEFT + step * (i + 0.5) for i in range(days)]

    def y(v: float) -> float:
        return TOP + plot_h - (v / maximum) * plot_h

    body = _y_axis(plot_h, maximum)
    bar_w = max(1.0, step * 0.6)
    for i, v in enumerate(values):
        if v:
            body.append(
                f'<rect class="chart-bar" x="{_n(x_of[i] - bar_w / 2)}" y="{_n(y(v))}" '
                f'width="{_n(bar_w)}" height="{_n(TOP + plot_h - y(v))}"/>'
            )
    points = " ".join(f"{_n(x_of[i])},{_n(y(r))}" for i, r in enumerate(running))
    body.append(f'<polyline class="chart-line" points="{points}"/>')
    last_x, last_y = _n(x_of[-1]), _n(y(running[-1]))
    body.append(f'<circle class="chart-dot" cx="{last_x}" cy="{last_y}" r="3"/>')
    body += _x_labels(span, x_of)
    active = sum(1 for v in values if v)
    title = f"XP earned over the last {days} days"
    summary = f"{number(total)} XP earned on {active} of the last {days} days."
    desc = summary + " Bars show each day's XP; the line is the running total."
    rows = [
        (_day_label(d), number(v), number(r)) for d, v, r in zip(span, values, running, strict=True)
    ]
    return Chart(
        svg=_svg(W, H, title, desc, body, "chart-xp", uid),
        title=title,
        summary=summary,
        headers=("Day", "XP that day", "Running total"),
        rows=rows,
    )


# --- energy over the last days -----------------------------------------------------------


def energy_over_days(
    spent: Mapping[date, int],
    restored: Mapping[date, int],
    *,
    end: date,
    days: int = 14,
    uid: str = "energy",
) -> Chart:
    """Energy spent on activities and restored by sleep, side by side for each day."""
    span = _days(end, days)
    used = [int(spent.get(d, 0)) for d in span]
    slept = [int(restored.get(d, 0)) for d in span]
    maximum = nice_max(max([*used, *slept, 1]))
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = plot_w / days
    x_of = [LEFT + step * (i + 0.5) for i in range(days)]
    bar_w = max(1.0, step * 0.36)

    def bar(x: float, value: int, css: str) -> str:
        top = TOP + plot_h - (value / maximum) * plot_h
        return (
            f'<rect class="{css}" x="{_n(x)}" y="{_n(top)}" width="{_n(bar_w)}" '
            f'height="{_n(TOP + plot_h - top)}"/>'
        )

    body = _y_axis(plot_h, maximum)
    for i in range(days):
        if used[i]:
            body.append(bar(x_of[i] - bar_w, used[i], "chart-bar chart-spent"))
        if slept[i]:
            body.append(bar(x_of[i], slept[i], "chart-bar chart-restored"))
    body += _x_labels(span, x_of)
    title = f"Energy over the last {days} days"
    summary = (
        f"{number(sum(used))} energy spent and {number(sum(slept))} restored by sleep "
        f"in the last {days} days."
    )
    rows = [
        (_day_label(d), number(u), number(s)) for d, u, s in zip(span, used, slept, strict=True)
    ]
    return Chart(
        svg=_svg(W, H, title, summary, body, "chart-energy", uid),
        title=title,
        summary=summary,
        headers=("Day", "Energy spent", "Restored by sleep"),
        rows=rows,
    )


# --- the five clouds as a radar ----------------------------------------------------------

R_WIDTH, R_HEIGHT, R_CX, R_CY, R_RADIUS = 340, 250, 170, 128, 80


def _vertex(index: int, total: int, radius: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / total
    return R_CX + radius * math.cos(angle), R_CY + radius * math.sin(angle)


def _ring(total: int, radius: float) -> str:
    return " ".join(
        f"{_n(x)},{_n(y)}" for x, y in (_vertex(i, total, radius) for i in range(total))
    )


def _cloud_name(name: str) -> str:
    """The name pages give a cloud ("Oxygen cloud", never a bare "Oxygen": a resource has it)."""
    return CLOUD_LABELS.get(name, name.title())


def _radar_label(index: int, total: int, name: str, value: int) -> str:
    x, y = _vertex(index, total, R_RADIUS + 14)
    anchor = "middle" if abs(x - R_CX) < 8 else ("start" if x > R_CX else "end")
    top = y - 18 if y < R_CY - R_RADIUS / 2 else y + 2  # the top label sits above its axis
    return (
        f'<text class="radar-label" x="{_n(x)}" y="{_n(top)}" text-anchor="{anchor}">'
        f"<tspan>{escape(_cloud_name(name))}</tspan>"
        f'<tspan class="radar-value" x="{_n(x)}" dy="15">{value}</tspan></text>'
    )


def clouds_radar(values: Mapping[str, int], *, maximum: int = 100, uid: str = "radar") -> Chart:
    """One axis per cloud (0 at the centre, `maximum` at the rim), the player's shape filled."""
    names = list(values)
    total = len(names)
    body: list[str] = []
    for level in (0.25, 0.5, 0.75, 1.0):
        body.append(f'<polygon class="radar-grid" points="{_ring(total, R_RADIUS * level)}"/>')
    for i in range(total):
        x, y = _vertex(i, total, R_RADIUS)
        body.append(f'<line class="radar-axis" x1="{R_CX}" y1="{R_CY}" x2="{_n(x)}" y2="{_n(y)}"/>')
    shape = []
    for i, name in enumerate(names):
        share = min(max(values[name], 0), maximum) / maximum if maximum else 0
        shape.append(_vertex(i, total, R_RADIUS * share))
    points = " ".join(f"{_n(x)},{_n(y)}" for x, y in shape)
    body.append(f'<polygon class="radar-shape" points="{points}"/>')
    for name, (x, y) in zip(names, shape, strict=True):
        body.append(
            f'<circle class="radar-dot tone-{escape(name)}" cx="{_n(x)}" cy="{_n(y)}" r="4"/>'
        )
    body += [_radar_label(i, total, name, values[name]) for i, name in enumerate(names)]
    listing = ", ".join(f"{_cloud_name(name)} {values[name]}" for name in names)
    title = "Your five clouds"
    summary = f"Out of {maximum}: {listing}."
    return Chart(
        svg=_svg(R_WIDTH, R_HEIGHT, title, summary, body, "chart-radar", uid),
        title=title,
        summary=summary,
        headers=("Cloud", f"Value (of {maximum})"),
        rows=[(_cloud_name(name), str(values[name])) for name in names],
    )
