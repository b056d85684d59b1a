"""Small line charts of one figure over 24 hours or 7 days, drawn on the server as inline SVG.

Same conventions as `web/charts.py` (whose `Chart` they return): a <title> and <desc>, colours
from CSS classes, no style attributes, and the numbers again as rows for a hidden table. Minutes
without data leave a gap in the line instead of a made-up value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo

from markupsafe import Markup, escape

from lifeworld.ops.figures import ChartPoint
from lifeworld.ops.wording import amount
from lifeworld.web.charts import Chart, nice_max

W, H = 320, 132
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 10, 22


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _label(value: float) -> str:
    return f"{value / 1000:g}k" if value >= 10_000 else f"{value:g}"


def _when(instant: datetime, tz: tzinfo, daily: bool) -> str:
    local = instant.astimezone(tz)
    return f"{local.day} {local:%b}" if daily else f"{local:%H:%M}"


def line_chart(
    points: Sequence[ChartPoint],
    value: Callable[[ChartPoint], float | None],
    *,
    title: str,
    unit: str,
    tz: tzinfo,
    uid: str,
    threshold: float | None = None,
    ceiling: float | None = None,
) -> Chart:
    """One figure as a line, its threshold as a dashed rule (when given)."""
    daily = len(points) > 1 and (points[1].start - points[0].start).total_seconds() >= 3600
    values = [value(p) for p in points]
    known = [v for v in values if v is not None]
    # Scaled to the data, so a quiet figure still shows its shape; the threshold is drawn when
    # it fits (the seed's are far above what a household reaches) and named in the summary.
    top = ceiling or nice_max(max([*known, 1]))
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def y(v: float) -> float:
        return TOP + plot_h - min(v, top) / top * plot_h

    body: list[str] = []
    for fraction in (0, 0.5, 1):
        gy = _n(TOP + plot_h - fraction * plot_h)
        body.append(f'<line class="chart-grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{gy}" y2="{gy}"/>')
        body.append(
            f'<text class="chart-label" x="{LEFT - 4}" y="{gy}" dy="3.5" '
            f'text-anchor="end">{escape(_label(top * fraction))}</text>'
        )
    if threshold is not None and threshold <= top:
        ty = _n(y(threshold))
        body.append(
            f'<line class="chart-grid" stroke-dasharray="4 3" x1="{LEFT}" x2="{W - RIGHT}" '
            f'y1="{ty}" y2="{ty}"/>'
        )
    segment: list[str] = []
    for index, v in enumerate([*values, None]):
        if v is not None:
            segment.append(f"{_n(LEFT + index * step)},{_n(y(v))}")
            continue
        if len(segment) == 1:
            x, y1 = segment[0].split(",")
            body.append(f'<circle class="chart-dot" cx="{x}" cy="{y1}" r="2"/>')
        elif segment:
            body.append(f'<polyline class="chart-line" points="{" ".join(segment)}"/>')
        segment = []
    if points:
        picks = sorted({0, len(points) // 2, len(points) - 1})
        anchors = {0: "start", len(points) - 1: "end"}
        body += [
            f'<text class="chart-label" x="{_n(LEFT + i * step)}" y="{H - 6}" '
            f'text-anchor="{anchors.get(i, "middle")}">'
            f"{escape(_when(points[i].start, tz, daily))}</text>"
            for i in picks
        ]
    summary = _summary(values, unit, threshold, drawn=threshold is not None and threshold <= top)
    svg = Markup(
        f'<svg class="chart chart-figure" viewBox="0 0 {W} {H}" role="img" '
        f'aria-labelledby="chart-{uid}-title chart-{uid}-desc" focusable="false">'
        f'<title id="chart-{uid}-title">{escape(title)}</title>'
        f'<desc id="chart-{uid}-desc">{escape(summary)}</desc>' + "".join(body) + "</svg>"
    )
    rows = [
        (f"{p.start.astimezone(tz):%-d %b %H:%M}", _fmt(v, unit))
        for p, v in zip(points, values, strict=True)
    ]
    return Chart(svg=svg, title=title, summary=summary, headers=("From", title), rows=rows)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "no data"
    return amount(value, unit).strip()


def _summary(
    values: Sequence[float | None], unit: str, threshold: float | None, *, drawn: bool
) -> str:
    known = [v for v in values if v is not None]
    text = (
        f"Latest {_fmt(known[-1], unit)}, highest {_fmt(max(known), unit)}."
        if known
        else "No data yet for this period."
    )
    if threshold is not None and drawn:
        text += f" The dashed line is the threshold ({_fmt(threshold, unit)})."
    elif threshold is not None:
        text += f" The threshold ({_fmt(threshold, unit)}) is far above."
    return text
