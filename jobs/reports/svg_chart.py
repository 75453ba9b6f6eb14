"""A bar chart as inline SVG: no script, no font file, no image, nothing fetched.

E-mail clients and the web workspace both show it as is; the labels come from EBS (bucket
headings), so they are escaped like any other text.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from jobs.reports.document import BarChart

WIDTH_PX = 560
HEIGHT_PX = 240
MARGIN_TOP_PX = 40
MARGIN_BOTTOM_PX = 44
MARGIN_SIDE_PX = 12
BAR_COLOUR = "#2f6f9f"
NEGATIVE_COLOUR = "#b04a3a"
TEXT_STYLE = "font-family:Arial,Helvetica,sans-serif;font-size:11px;fill:#222"


def bar_chart_svg(chart: BarChart) -> str:
    """The chart, one bar per label, values written above (below when negative) each bar."""
    values = [float(v) for v in chart.values] or [0.0]
    top, bottom = max(max(values), 0.0), min(min(values), 0.0)
    span = (top - bottom) or 1.0
    plot_h = HEIGHT_PX - MARGIN_TOP_PX - MARGIN_BOTTOM_PX
    zero_y = MARGIN_TOP_PX + plot_h * top / span
    slot = (WIDTH_PX - 2 * MARGIN_SIDE_PX) / max(len(chart.labels), 1)
    bar_w = slot * 0.62
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_PX}" height="{HEIGHT_PX}" '
        f'viewBox="0 0 {WIDTH_PX} {HEIGHT_PX}" role="img" aria-label="{escape(chart.title)}">',
        f'<text x="{MARGIN_SIDE_PX}" y="16" style="{TEXT_STYLE};font-weight:bold">'
        f"{escape(chart.title)}</text>",
        f'<line x1="{MARGIN_SIDE_PX}" y1="{zero_y:.1f}" x2="{WIDTH_PX - MARGIN_SIDE_PX}" '
        f'y2="{zero_y:.1f}" stroke="#999" stroke-width="1"/>',
    ]
    for index, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        x = MARGIN_SIDE_PX + index * slot + (slot - bar_w) / 2
        height = plot_h * abs(float(value)) / span
        y = zero_y - height if value >= 0 else zero_y
        colour = BAR_COLOUR if value >= 0 else NEGATIVE_COLOUR
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" '
            f'fill="{colour}"/>'
        )
        value_y = y - 4 if value >= 0 else y + height + 12
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{value_y:.1f}" text-anchor="middle" '
            f'style="{TEXT_STYLE}">{escape(_short(value))}</text>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT_PX - MARGIN_BOTTOM_PX + 16}" '
            f'text-anchor="middle" style="{TEXT_STYLE}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _short(value: Decimal) -> str:
    """Bar labels stay short: 12.3k, 1.2M, 45.5."""
    number = float(value)
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(number) >= limit:
            return f"{number / limit:.1f}{suffix}"
    return f"{number:.0f}" if abs(number) >= 100 else f"{number:.1f}"
