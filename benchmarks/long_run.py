"""Long run: 2,000 invoices through one worker, its memory (PSS of the whole tree) over time.

A renderer that lives for the whole night grows ≈ 1.5 MB per invoice; the worker recycles a
context after ``recycle_after_invoices`` and keeps few idle pages, so its footprint should stay
flat however long the run. One ``arworker submit`` (the drain of the nightly run, on a copy of
a seeded SQLite database whose invoices are queued) uploads the whole benchmark book to the
stand-in portal (its own process) while the benchmark samples the PSS of every process of the
worker's tree. The run is cut in quarters by uploads (the portal's arrival times): the peak of
the last quarter is compared with the peak of the first. Usage::

    python benchmarks/long_run.py                  # 2,000 invoices, default K
    python benchmarks/long_run.py --invoices 300   # a shorter run
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench_book import DEFAULT_BUYERS, DEFAULT_PDF_KB, DEFAULT_SEED, bench_book, write_database
from bench_book import write_secrets as write_book_secrets
from measured_run import ChildMeasurement, measure_child
from process_tree import become_subreaper
from result_table import loadavg_text, render_table, write_results
from stand_in_portal import PortalActivity, PortalProcess
from worker_child import SUBMIT_COMMAND, parse_settings, unsubmitted, worker_environment

from config.settings import default_page_concurrency

NAME = "long_run"
DEFAULT_INVOICES = 2_000
QUICK_INVOICES = 200
#: the issue's target: the last quarter's peak PSS within 10 % of the first quarter's
TARGET_GROWTH = 0.10
TIMEOUT_BASE_S = 300.0
TIMEOUT_PER_INVOICE_S = 3.0
#: rows of the progress table (peak PSS per tenth of the uploads)
PROGRESS_STEPS = 10


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_INVOICES} invoices")
    parser.add_argument("--invoices", type=int, help=f"default {DEFAULT_INVOICES:,}")
    parser.add_argument("--k", type=int, default=default_page_concurrency(), help="max_pages")
    parser.add_argument("--latency-ms", type=int, default=0, help="added ms per request")
    parser.add_argument("--buyers", type=int, default=DEFAULT_BUYERS, help="customer accounts")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--pdf-kb", type=int, default=DEFAULT_PDF_KB)
    parser.add_argument(
        "--worker-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra ARWORKER_* setting, e.g. ARWORKER_BROWSER__RECYCLE_AFTER_INVOICES=50",
    )
    args = parser.parse_args(argv)
    invoices = args.invoices or (QUICK_INVOICES if args.quick else DEFAULT_INVOICES)
    become_subreaper()
    today = dt.date.today()
    book = bench_book(invoices, buyers=args.buyers, seed=args.seed, today=today)
    with (
        tempfile.TemporaryDirectory(prefix="arw-long-run-") as tmp,
        PortalProcess(invoices=invoices, buyers=args.buyers, seed=args.seed, today=today) as portal,
    ):
        work = Path(tmp)
        database = work / "arworker.db"
        print(f"building a book of {invoices:,} invoices ...", flush=True)
        write_database(book, f"sqlite:///{database}", portal_url=portal.url, pdf_kb=args.pdf_kb)
        write_book_secrets(book, work / "secrets")
        portal.set_latency(args.latency_ms)
        portal.reset()
        env = worker_environment(
            work,
            database,
            work / "secrets",
            max_pages=args.k,
            extra=parse_settings(args.worker_setting),
        )
        print(f"uploading with K={args.k} at {args.latency_ms} ms ...", flush=True)
        measurement = measure_child(
            SUBMIT_COMMAND,
            env=env,
            portal=portal,
            timeout_s=TIMEOUT_BASE_S + invoices * TIMEOUT_PER_INVOICE_S,
            cwd=str(work),
        )
        activity = portal.activity()
        problems = unsubmitted(database)
    report = _report(invoices, args, measurement, activity, problems)
    return 0 if report["ok"] else 1


def quarter_peaks(m: ChildMeasurement, activity: PortalActivity) -> dict[str, float | None]:
    """Peak PSS while the first quarter of the uploads arrived, and while the last quarter did."""
    arrivals = sorted(activity.received_at)
    if len(arrivals) < 4:
        return {"first_quarter_mb": None, "last_quarter_mb": None, "growth": None}
    quarter = len(arrivals) // 4
    first = m.peak_pss_mb(since=m.started_at, until=arrivals[quarter - 1])
    last = m.peak_pss_mb(since=arrivals[len(arrivals) - quarter], until=arrivals[-1])
    return {
        "first_quarter_mb": first,
        "last_quarter_mb": last,
        "growth": (last - first) / first if first else None,
    }


def _progress_rows(m: ChildMeasurement, activity: PortalActivity) -> list[tuple[object, ...]]:
    """Peak PSS and processes in each tenth of the uploads: the memory curve."""
    arrivals = sorted(activity.received_at)
    rows: list[tuple[object, ...]] = []
    start = m.started_at
    for step in range(1, PROGRESS_STEPS + 1):
        index = max(0, len(arrivals) * step // PROGRESS_STEPS - 1)
        if not arrivals:
            break
        end = arrivals[index]
        inside = [s for s in m.samples if start <= s.at <= end]
        pss = [s.pss_mb for s in inside if s.pss_mb is not None]
        rows.append(
            (
                f"{(step - 1) * 100 // PROGRESS_STEPS}–{step * 100 // PROGRESS_STEPS} %",
                index + 1,
                round(end - m.started_at),
                max(pss, default=None),
                max((s.rss_mb for s in inside), default=None),
                max((s.processes for s in inside), default=None),
            )
        )
        start = end
    return rows


def _report(
    invoices: int,
    args: argparse.Namespace,
    m: ChildMeasurement,
    activity: PortalActivity,
    problems: list[str],
) -> dict[str, Any]:
    received = len(set(activity.received))
    peaks = quarter_peaks(m, activity)
    print()
    print(
        render_table(
            ("uploads", "upload #", "at s", "peak PSS MB", "peak RSS-sum MB", "processes"),
            _progress_rows(m, activity),
        )
    )
    first, last, growth = peaks["first_quarter_mb"], peaks["last_quarter_mb"], peaks["growth"]
    print()
    print(
        render_table(
            (
                "invoices",
                "received",
                "duplicates",
                "minutes",
                "inv/min",
                "CPU-s/inv",
                "first-quarter peak PSS MB",
                "last-quarter peak PSS MB",
                "growth %",
                "load before",
                "load after",
            ),
            [
                (
                    invoices,
                    received,
                    activity.duplicates,
                    m.wall_s / 60,
                    received / m.wall_s * 60 if m.wall_s else None,
                    m.tree_cpu_s / received if received else None,
                    first,
                    last,
                    growth * 100 if growth is not None else None,
                    loadavg_text(m.loadavg_before),
                    loadavg_text(m.loadavg_after),
                )
            ],
        )
    )
    ok = m.returncode == 0 and received == invoices and not activity.duplicates
    if growth is not None:
        verdict = "met" if growth <= TARGET_GROWTH else "NOT met"
        print(f"\ntarget: last-quarter peak within {TARGET_GROWTH:.0%} of the first: {verdict}")
    if not ok:
        print(
            f"! exit {m.returncode}, received {received} of {invoices}; {'; '.join(problems[:5])}"
        )
        print(m.stderr_tail[-1500:])
    path = write_results(
        NAME,
        {
            "parameters": {
                "invoices": invoices,
                "k": args.k,
                "latency_ms": args.latency_ms,
                "buyers": args.buyers,
                "pdf_kb": args.pdf_kb,
                "worker_settings": args.worker_setting,
            },
            "ok": ok,
            "received": received,
            "duplicates": activity.duplicates,
            "wall_s": m.wall_s,
            "tree_cpu_s": m.tree_cpu_s,
            "cpu_by_kind_s": m.cpu_by_kind,
            "quarters": peaks,
            "target_growth": TARGET_GROWTH,
            "loadavg_before": m.loadavg_before,
            "loadavg_after": m.loadavg_after,
            "problems": problems,
            "samples": [
                {
                    "at_s": round(s.at - m.started_at, 2),
                    "pss_mb": s.pss_mb,
                    "rss_mb": round(s.rss_mb, 1),
                    "processes": s.processes,
                }
                for s in m.samples
            ],
        },
    )
    print(f"written {path}")
    return {"ok": ok}


if __name__ == "__main__":
    raise SystemExit(main())
