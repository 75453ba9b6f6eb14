"""HTML that reads well in an e-mail client and mounts in a web page.

E-mail clients drop ``<style>`` blocks, scripts and anything fetched, so every style is inline,
the chart is inline SVG, and nothing refers outside the document. Every value from EBS or a
portal is escaped. :func:`report_fragment` is a ``<section>`` a page of the web workspace can
mount as is; :func:`email_document` wraps fragments into a whole message body.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from html import escape
from itertools import islice

from jobs.reports.cells import display_text
from jobs.reports.document import ColumnKind, ReportDocument, ReportTable, TableRole
from jobs.reports.svg_chart import bar_chart_svg

FONT = "font-family:Arial,Helvetica,sans-serif;color:#222"
TABLE = "border-collapse:collapse;margin:8px 0 16px 0;font-size:12px"
HEAD_CELL = "background:#e8eef3;border:1px solid #c5d1da;padding:4px 6px;text-align:left"
CELL = "border:1px solid #dde3e8;padding:3px 6px;vertical-align:top"
NUMBER_CELL = CELL + ";text-align:right;white-space:nowrap"
FIGURE_BOX = (
    "display:inline-block;margin:0 12px 8px 0;padding:6px 10px;border:1px solid #c5d1da;"
    "background:#f6f9fb"
)
NOTE = "font-size:11px;color:#555"
NUMBER_KINDS = frozenset({ColumnKind.MONEY, ColumnKind.DAYS, ColumnKind.INTEGER})
ALL_ROLES = frozenset(TableRole)


def report_fragment(
    document: ReportDocument,
    *,
    roles: Collection[TableRole] = ALL_ROLES,
    max_rows: int | None = None,
    heading_level: int = 2,
) -> str:
    """One report as a ``<section>``: title, parameters, headline figures, charts, the tables
    of ``roles`` (at most ``max_rows`` rows each, saying how many more), and its definitions."""
    h = f"h{heading_level}"
    parts = [
        f'<section style="{FONT}">',
        f'<{h} style="font-size:18px;margin:16px 0 4px 0">{escape(document.title)}</{h}>',
        f'<p style="{NOTE};margin:0 0 8px 0">'
        + " · ".join(f"{escape(k)}: {escape(v)}" for k, v in document.parameters)
        + "</p>",
        "<div>"
        + "".join(_figure(f.label, f.value, f.kind, f.currency) for f in document.figures)
        + "</div>",
    ]
    for chart in document.charts:
        parts.append(f'<div style="margin:8px 0">{bar_chart_svg(chart)}</div>')
    for table in document.tables:
        if table.role in roles:
            parts.append(_table(table, max_rows))
    parts.append(
        f'<div style="{NOTE};margin-top:8px">'
        + "".join(f'<p style="margin:2px 0">{escape(text)}</p>' for text in document.definitions)
        + f'<p style="margin:2px 0">Generated {escape(_stamp(document))} by arworker.</p>'
        + "</div>"
    )
    parts.append("</section>")
    return "\n".join(parts)


def email_document(title: str, intro: str, fragments: Sequence[str]) -> str:
    """A whole HTML message body around report fragments; nothing external."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head>\n"
        f'<body style="{FONT};margin:0;padding:16px;background:#ffffff">\n'
        f'<p style="font-size:13px">{escape(intro)}</p>\n'
        + "\n".join(fragments)
        + "\n</body></html>\n"
    )


def _figure(label: str, value: object, kind: ColumnKind, currency: str | None) -> str:
    return (
        f'<span style="{FIGURE_BOX}"><span style="{NOTE}">{escape(label)}</span><br>'
        f'<b style="font-size:15px">{escape(display_text(value, kind, currency))}</b></span>'
    )


def _table(table: ReportTable, max_rows: int | None) -> str:
    head = "".join(
        f'<th style="{HEAD_CELL}">{escape(column.heading)}</th>' for column in table.columns
    )
    body: list[str] = []
    rows = iter(table.rows())
    shown = rows if max_rows is None else islice(rows, max_rows)
    for row in shown:
        cells = []
        for column, value in zip(table.columns, row, strict=True):
            style = NUMBER_CELL if column.kind in NUMBER_KINDS else CELL
            text = display_text(value, column.kind)
            cells.append(f'<td style="{style}">{escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = 0 if max_rows is None else sum(1 for _ in rows)
    footer = (
        f'<p style="{NOTE}">… and {more:,} more rows (see the attached workbook).</p>'
        if more
        else ""
    )
    if not body:
        body.append(f'<tr><td style="{CELL}" colspan="{len(table.columns)}">none</td></tr>')
    return (
        f'<h3 style="font-size:14px;margin:12px 0 2px 0">{escape(table.title)}</h3>'
        f'<table style="{TABLE}" cellspacing="0" cellpadding="0"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{footer}"
    )


def _stamp(document: ReportDocument) -> str:
    return display_text(document.generated_at, ColumnKind.DATETIME)
