"""CSV for machines, JSON for scripts: one table per CSV (one header row), streamed row by row."""

from __future__ import annotations

import csv
import json
from typing import TextIO

from jobs.reports.cells import json_value, plain_text
from jobs.reports.document import ReportDocument, ReportTable, TableRole


def csv_table(document: ReportDocument, *, detail: bool) -> ReportTable:
    """The table a CSV holds: the main one, or the detail (per invoice) when asked."""
    if detail:
        table = document.table(TableRole.DETAIL)
        if table is not None:
            return table
    table = document.table(TableRole.MAIN)
    assert table is not None, f"report {document.report} has no main table"
    return table


def write_csv(document: ReportDocument, out: TextIO, *, detail: bool = False) -> int:
    """Write one header row and the rows; returns how many rows."""
    table = csv_table(document, detail=detail)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    count = 0
    kinds = [c.kind for c in table.columns]
    for row in table.rows():
        writer.writerow([plain_text(v, k) for v, k in zip(row, kinds, strict=True)])
        count += 1
    return count


def write_json(document: ReportDocument, out: TextIO, *, detail: bool = False) -> None:
    """One JSON object: parameters, figures, definitions and the tables (the detail when asked),
    written a row at a time so a long detail never sits in memory."""
    head = {
        "report": document.report,
        "title": document.title,
        "as_of": document.as_of.isoformat(),
        "generated_at": document.generated_at.isoformat(timespec="seconds"),
        "parameters": dict(document.parameters),
        "figures": [
            {
                "label": f.label,
                "value": json_value(f.value, f.kind),
                "currency": f.currency,
            }
            for f in document.figures
        ],
        "definitions": list(document.definitions),
    }
    out.write(json.dumps(head)[:-1] + ', "tables": {')
    tables = [t for t in document.tables if detail or t.role is not TableRole.DETAIL]
    for position, table in enumerate(tables):
        out.write(("" if position == 0 else ", ") + f"{json.dumps(_key(table))}: [")
        kinds = [(c.key, c.kind) for c in table.columns]
        for n, row in enumerate(table.rows()):
            record = {key: json_value(v, kind) for (key, kind), v in zip(kinds, row, strict=True)}
            out.write(("" if n == 0 else ", ") + json.dumps(record))
        out.write("]")
    out.write("}}\n")


def _key(table: ReportTable) -> str:
    return table.name.lower().replace(" ", "_")
