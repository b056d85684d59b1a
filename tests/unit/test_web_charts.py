"""The server-drawn charts: geometry from the numbers given, accessible markup, no inline style."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from lifeworld.web import charts, labels

SVG = "{http://www.w3.org/2000/svg}"
END = date(2026, 3, 31)


def parse(markup: str) -> ET.Element:
    """The chart as XML (it must be well-formed to be drawn inline)."""
    return ET.fromstring(
        str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    )


def points(polyline: ET.Element) -> list[tuple[float, float]]:
    return [
        (float(x), float(y)) for x, y in (p.split(",") for p in polyline.get("points", "").split())
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 10),
        (7, 10),
        (10, 10),
        (11, 20),
        (20, 20),
        (21, 50),
        (499, 500),
        (501, 1000),
        (9_999, 10_000),
    ],
)
def test_nice_max_rounds_up_to_1_2_5(value: int, expected: int) -> None:
    assert charts.nice_max(value) == expected


def test_xp_chart_running_total_climbs_by_each_days_xp() -> None:
    daily = {END - timedelta(days=2): 300, END: 200}
    chart = charts.xp_over_time(daily, end=END, days=30)
    root = parse(chart.svg)
    line = root.find(f"{SVG}polyline")
    assert line is not None
    ys = [y for _, y in points(line)]
    assert len(ys) == 30
    # Flat at 0 for 27 days, then up by 300, flat, then up by 200 (axis maximum 500).
    bottom, top = ys[0], ys[-1]
    assert ys[:27] == [bottom] * 27
    assert ys[27] == ys[28]
    assert bottom - ys[27] == pytest.approx((bottom - top) * 300 / 500, abs=0.1)
    assert top == pytest.approx(10)  # the plot's top edge: 500 of 500
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 2  # only days with XP get a bar
    assert chart.summary == "500 XP earned on 2 of the last 30 days."
    assert chart.rows[-1] == ("31 Mar", "200", "500")
    assert chart.rows[0] == ("2 Mar", "0", "0")


def test_energy_chart_has_a_bar_per_figure_and_a_table() -> None:
    spent = {END: 48, END - timedelta(days=1): 30}
    restored = {END: 29}
    chart = charts.energy_over_days(spent, restored, end=END, days=14)
    root = parse(chart.svg)
    spent_bars = [r for r in root.iter(f"{SVG}rect") if "chart-spent" in r.get("class", "")]
    restored_bars = [r for r in root.iter(f"{SVG}rect") if "chart-restored" in r.get("class", "")]
    assert len(spent_bars) == 2 and len(restored_bars) == 1
    # Heights are proportional to the values on a 0–50 axis.
    heights = sorted(float(r.get("height", "0")) for r in spent_bars)
    assert heights[1] / heights[0] == pytest.approx(48 / 30, rel=0.01)
    assert chart.headers == ("Day", "Energy spent", "Restored by sleep")
    assert chart.rows[-1] == ("31 Mar", "48", "29")
    assert chart.summary == "78 energy spent and 29 restored by sleep in the last 14 days."


def test_radar_puts_each_cloud_on_its_axis_at_its_value() -> None:
    values = {"capacity": 100, "engines": 50, "oxygen": 0, "meaning": 25, "optionality": 75}
    chart = charts.clouds_radar(values)
    root = parse(chart.svg)
    shape = next(p for p in root.iter(f"{SVG}polygon") if p.get("class") == "radar-shape")
    corners = points(shape)
    cx, cy, radius = charts.R_CX, charts.R_CY, charts.R_RADIUS
    distances = [math.dist((cx, cy), corner) for corner in corners]
    assert distances == pytest.approx([radius, radius / 2, 0, radius / 4, radius * 3 / 4], abs=0.1)
    assert corners[0] == pytest.approx((cx, cy - radius), abs=0.1)  # capacity points up
    assert chart.summary == (
        "Out of 100: Capacity 100, Engines 50, Oxygen cloud 0, Meaning 25, Optionality 75."
    )


def test_radar_never_names_a_bare_oxygen() -> None:
    values = {"capacity": 1, "engines": 2, "oxygen": 3, "meaning": 4, "optionality": 5}
    chart = charts.clouds_radar(values)
    labels = [
        "".join(t.itertext()).removesuffix(str(values[name]))
        for t, name in zip(
            (t for t in parse(chart.svg).iter(f"{SVG}text") if t.get("class") == "radar-label"),
            values,
            strict=True,
        )
    ]
    assert labels[2] == "Oxygen cloud"  # the resource "Oxygen (cash buffer)" is another thing
    assert ("Oxygen cloud", "3") in chart.rows


def test_radar_clamps_values_outside_the_scale() -> None:
    chart = charts.clouds_radar({"a": 150, "b": -5, "c": 50})
    shape = next(
        p for p in parse(chart.svg).iter(f"{SVG}polygon") if p.get("class") == "radar-shape"
    )
    distances = [math.dist((charts.R_CX, charts.R_CY), c) for c in points(shape)]
    assert distances == pytest.approx([charts.R_RADIUS, 0, charts.R_RADIUS / 2], abs=0.1)


@pytest.mark.parametrize(
    "chart",
    [
        charts.xp_over_time({END: 10}, end=END, uid="a"),
        charts.energy_over_days({END: 5}, {}, end=END, uid="b"),
        charts.clouds_radar({"capacity": 50, "engines": 60}, uid="c"),
    ],
)
def test_charts_are_labelled_images_without_inline_style(chart: charts.Chart) -> None:
    root = parse(chart.svg)
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == chart.title
    assert " style=" not in chart.svg and "<style" not in chart.svg  # the CSP: style-src 'self'
    assert not re.search(r"\son[a-z]+=", chart.svg)


def test_chart_text_is_escaped() -> None:
    chart = charts.clouds_radar({"<b>x</b>": 10})
    assert "<b>" not in chart.svg
    assert "&lt;B&gt;X&lt;/B&gt;" in chart.svg or "&lt;b&gt;x&lt;/b&gt;" in chart.svg


@pytest.mark.parametrize(
    ("value", "text"),
    [("WORK_PROJECT", "Work"), ("FIRST_ASSET", "First asset"), ("ARMOR_ABILITY", "Armor ability")],
)
def test_labels_name_codes(value: str, text: str) -> None:
    assert labels.label(value) == text


def test_labels_format_numbers() -> None:
    assert labels.money(1234.5) == "$1,234.50"  # outside a request: English, US dollars
    assert labels.decimal("2.50") == "2.5" and labels.decimal(3) == "3"
    assert labels.signed(-3) == "\u22123" and labels.signed(12) == "+12" and labels.signed(0) == "0"
    assert labels.benefit("energy_cost_reduction", "0.15") == "−15%"
    assert labels.benefit("xp_gain", "0.58") == "+58%"
    assert labels.benefit("capacity", 20) == "+20"
    assert labels.hours_minutes("3.25") == "3 h 15 min"
    assert labels.hours_minutes("0.5") == "30 min"
    assert labels.hours_minutes(2) == "2 h"
    assert (
        labels.next_rank("RECRUIT") is not None and labels.next_rank("RECRUIT").value == "PRIVATE"
    )
    assert labels.next_rank("COMMAND_SERGEANT_MAJOR") is None
