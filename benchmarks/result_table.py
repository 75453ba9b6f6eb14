"""How every benchmark reports: a plain-text table on stdout and a JSON file with the context.

A figure without the machine it came from is a rumour, and this machine is shared: every
result file carries the core count, the load average before and after, and the software versions,
next to the figures, in ``benchmarks/results/<name>.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
VERSION_TIMEOUT_S = 10.0


def machine_context() -> dict[str, Any]:
    """Cores, memory, load and versions: what a reader needs to judge a figure."""
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    return {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "memory_gib": round(total_kb / 1024 / 1024, 1),
        "loadavg": [round(v, 2) for v in os.getloadavg()],
        "python": platform.python_version(),
        "kernel": platform.release(),
        "packages": {name: _version(name) for name in ("playwright", "sqlalchemy", "psycopg")},
        "chromium": _chromium_version(),
    }


def loadavg_text(values: Sequence[float]) -> str:
    return "/".join(f"{v:.1f}" for v in values)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown-compatible table: numbers right-aligned, everything else left."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    numeric = [
        all(_is_number(row[i]) for row in rows if row[i] is not None) and bool(rows)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "| " + " | ".join(parts) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if n else "-" * (w + 2)
            for w, n in zip(widths, numeric, strict=True)
        )
        + "|"
    )
    return "\n".join([line(list(headers)), rule, *(line(r) for r in cells)])


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """Write ``benchmarks/results/<name>.json`` (the machine context added) and return its path."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    document = {"benchmark": name, "machine": machine_context(), **payload}
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def _cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _chromium_version() -> str | None:
    from connectors.portals.chromium import ChromiumNotFound, find_chromium

    try:
        path = find_chromium(probe_playwright=False)
        answer = subprocess.run(
            [str(path), "--version"],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT_S,
            check=False,
        )
    except (ChromiumNotFound, OSError, subprocess.TimeoutExpired):
        return None
    lines = [ln for ln in answer.stdout.splitlines() if ln.strip()]
    return lines[-1].strip() if lines else None
