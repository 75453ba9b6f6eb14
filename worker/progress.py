"""Progress and summaries for people at a terminal; quiet, periodic log lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

import structlog

from jobs.context import Progress

BAR_WIDTH = 30
LOG_EVERY_S = 10.0


class ProgressReporter:
    """Draws a bar on a terminal's stderr, or logs a line every few seconds when unattended."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last_log = 0.0
        self._log = structlog.get_logger("arworker.progress")

    def __call__(self, tick: Progress) -> None:
        if self.tty:
            total = tick.total or max(tick.done, 1)
            filled = min(BAR_WIDTH, int(BAR_WIDTH * tick.done / total))
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            of = f"/{tick.total}" if tick.total else ""
            self.stream.write(f"\r{tick.job} [{bar}] {tick.done}{of}  {tick.last:<20}")
            self.stream.flush()
        elif time.monotonic() - self._last_log >= LOG_EVERY_S:
            self._last_log = time.monotonic()
            self._log.info("job.progress", job=tick.job, done=tick.done, total=tick.total)

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def summary_table(summary: dict[str, Any], status_counts: dict[str, int]) -> str:
    """A plain-text summary of a run, for the terminal."""
    rows = [
        ("run", summary["run_id"]),
        ("enqueued", summary["enqueued"]),
        ("submitted", summary["submitted"]),
        ("already on portal", summary["already_submitted"]),
        ("rejected", summary["rejected"]),
        ("failed", summary["failed"]),
        ("retry scheduled", summary["retry_scheduled"]),
        ("notes written", summary["notes_written"]),
        ("duration", f"{summary['duration_s']:.1f} s"),
    ]
    for key, reason in summary.get("paused_logins", {}).items():
        rows.append((f"login paused {key}", reason))
    for key, reason in summary.get("paused_portals", {}).items():
        rows.append((f"portal paused {key}", reason))
    lines = [f"{summary['job']} {summary['status'].lower()}"]
    width = max(len(k) for k, _ in rows)
    lines += [f"  {k:<{width}}  {v}" for k, v in rows]
    if status_counts:
        lines.append(
            "  queue now: " + ", ".join(f"{k} {v}" for k, v in sorted(status_counts.items()))
        )
    return "\n".join(lines)
