"""Throughput: invoices per minute, CPU per invoice and memory, naive vs arworker vs ceiling.

The same N invoices (:mod:`bench_book`) go to the stand-in Coupa portal (its own process) at
each added latency, in one run, through:

- ``naive``: a fresh browser per invoice, as a simple RPA script does (:mod:`raw_flows`);
- ``arworker``: the real thing, ``arworker submit`` (the queue drain of the nightly run, as a
  user runs it) on a copy of a seeded SQLite database whose invoices are queued, with
  ``browser.max_pages = K``;
- ``ceiling``: a minimal plain-Playwright flow of the same steps: one login, K contexts sharing
  its storage state, one page each (:mod:`raw_flows`).

Each configuration is one child process, run alone; the portal is reset between them and must
have received exactly the N invoices, each once. Usage::

    python benchmarks/throughput.py            # N=40, latencies 150 ms and 1 s, K = 1 2 4 8
    python benchmarks/throughput.py --quick    # smoke run: N=8, 150 ms, K = 1 4
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bench_book import (
    DEFAULT_BUYERS,
    DEFAULT_PDF_KB,
    DEFAULT_SEED,
    bench_book,
    write_database,
    write_invoice_file,
    write_secrets,
)
from measured_run import ChildMeasurement, measure_child
from process_tree import become_subreaper
from result_table import loadavg_text, render_table, write_results
from stand_in_portal import PortalActivity, PortalProcess
from worker_child import SUBMIT_COMMAND, parse_settings, unsubmitted, worker_environment

from config.settings import default_page_concurrency

BENCHMARKS = Path(__file__).resolve().parent
NAME = "throughput"
DEFAULT_INVOICES = 40
QUICK_INVOICES = 8
DEFAULT_LATENCIES_MS = (150, 1000)
QUICK_LATENCIES_MS = (150,)
DEFAULT_KS = (1, 2, 4, 8)
QUICK_KS = (1, 4)
VARIANTS = ("naive", "arworker", "ceiling")
#: time limit per configuration: fixed part + per invoice (+ per request of added latency)
TIMEOUT_BASE_S = 180.0
TIMEOUT_PER_INVOICE_S = 4.0
#: requests per invoice a naive run makes, at most (login pages, assets, upload)
NAIVE_REQUESTS_PER_INVOICE = 14
#: requests per invoice the worker makes, at most (search, form, upload, assets of a new page)
WORKER_REQUESTS_PER_INVOICE = 6


@dataclass(frozen=True, kw_only=True, slots=True)
class ThroughputRow:
    """One configuration's figures."""

    latency_ms: int
    variant: str
    k: int
    invoices: int
    received: int  #: distinct invoices the portal accepted
    duplicates: int
    logins: int
    wall_s: float
    per_min_whole: float | None  #: received / (spawn → exit)
    per_min_submit: float | None  #: received / (first login → last upload)
    cpu_s_per_invoice: float | None  #: whole tree, spawn → exit (exact, load-independent)
    machine_cpu_s_per_invoice: float | None  #: machine − portal − harness, submit phase
    machine_busy_pct: float | None  #: whole machine busy over the submit phase
    peak_pss_mb: float
    peak_rss_mb: float
    loadavg_before: tuple[float, float, float]
    loadavg_after: tuple[float, float, float]
    #: CPU seconds per invoice by kind of process (sampled per pid: shares, not totals)
    cpu_per_invoice_by_kind: dict[str, float]
    #: the worker's own JSON summary (arworker rows), or the flow's counts
    child_report: dict[str, Any]
    error: str | None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    become_subreaper()
    today = dt.date.today()
    book = bench_book(args.invoices, buyers=args.buyers, seed=args.seed, today=today)
    rows: list[ThroughputRow] = []
    with (
        tempfile.TemporaryDirectory(prefix="arw-throughput-") as tmp,
        PortalProcess(
            invoices=args.invoices, buyers=args.buyers, seed=args.seed, today=today
        ) as portal,
    ):
        work = Path(tmp)
        template = work / "template.db"
        write_database(book, f"sqlite:///{template}", portal_url=portal.url, pdf_kb=args.pdf_kb)
        write_secrets(book, work / "secrets")
        invoice_file = work / "raw" / "invoices.json"
        invoice_file.parent.mkdir()
        write_invoice_file(book, invoice_file, portal_url=portal.url, pdf_kb=args.pdf_kb)
        for latency_ms in args.latencies:
            portal.set_latency(latency_ms)
            for variant, k in _configurations(args.variants, args.k):
                portal.reset()
                run_dir = work / f"run-{latency_ms}-{variant}-{k}"
                run_dir.mkdir()
                row = _run(
                    variant,
                    k,
                    latency_ms=latency_ms,
                    invoices=args.invoices,
                    portal=portal,
                    run_dir=run_dir,
                    template=template,
                    secrets_dir=work / "secrets",
                    invoice_file=invoice_file,
                    worker_settings=parse_settings(args.worker_setting),
                )
                rows.append(row)
                _print_progress(row)
    _report(rows, args)
    return 0 if all(r.error is None for r in rows) else 1


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--invoices", type=int, help=f"N (default {DEFAULT_INVOICES})")
    parser.add_argument("--latencies", type=int, nargs="+", help="added ms per request")
    parser.add_argument("--k", type=int, nargs="+", help="page/context counts to try")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--buyers", type=int, default=DEFAULT_BUYERS, help="customer accounts")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--pdf-kb", type=int, default=DEFAULT_PDF_KB, help="invoice PDF size")
    parser.add_argument(
        "--worker-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra ARWORKER_* setting for the arworker runs, e.g. "
        "ARWORKER_BROWSER__TRACE_ON_FAILURE=false (repeatable)",
    )
    args = parser.parse_args(argv)
    args.invoices = args.invoices or (QUICK_INVOICES if args.quick else DEFAULT_INVOICES)
    args.latencies = args.latencies or list(
        QUICK_LATENCIES_MS if args.quick else DEFAULT_LATENCIES_MS
    )
    # the worker's default K is always measured, so its row answers the targets
    args.k = args.k or sorted(
        {*(QUICK_KS if args.quick else DEFAULT_KS), default_page_concurrency()}
    )
    return args


def _configurations(variants: Sequence[str], ks: Sequence[int]) -> list[tuple[str, int]]:
    """Naive first, then arworker and the ceiling interleaved per K (drift hits both alike)."""
    configs: list[tuple[str, int]] = []
    if "naive" in variants:
        configs.append(("naive", 1))
    for k in ks:
        configs += [(v, k) for v in ("arworker", "ceiling") if v in variants]
    return configs


def _run(
    variant: str,
    k: int,
    *,
    latency_ms: int,
    invoices: int,
    portal: PortalProcess,
    run_dir: Path,
    template: Path,
    secrets_dir: Path,
    invoice_file: Path,
    worker_settings: dict[str, str],
) -> ThroughputRow:
    latency_s = latency_ms / 1000
    env = {name: value for name, value in os.environ.items() if not name.startswith("ARWORKER_")}
    if variant == "arworker":
        database = run_dir / "arworker.db"
        shutil.copyfile(template, database)
        env = worker_environment(run_dir, database, secrets_dir, max_pages=k, extra=worker_settings)
        command = list(SUBMIT_COMMAND)
        per_invoice_s = TIMEOUT_PER_INVOICE_S + WORKER_REQUESTS_PER_INVOICE * latency_s
    else:
        command = [sys.executable, str(BENCHMARKS / "raw_flows.py"), variant]
        command += ["--book", str(invoice_file), "--k", str(k)]
        requests = NAIVE_REQUESTS_PER_INVOICE if variant == "naive" else WORKER_REQUESTS_PER_INVOICE
        per_invoice_s = TIMEOUT_PER_INVOICE_S + requests * latency_s
    measurement = measure_child(
        command,
        env=env,
        portal=portal,
        timeout_s=TIMEOUT_BASE_S + invoices * per_invoice_s,
        cwd=str(run_dir),
    )
    activity = portal.activity()
    row = _row(variant, k, latency_ms, invoices, measurement, activity)
    if variant == "arworker" and row.error:
        problems = unsubmitted(run_dir / "arworker.db")
        if problems:
            row = replace(row, error=f"{row.error}; worker says: {'; '.join(problems[:3])}")
    return row


def _row(
    variant: str,
    k: int,
    latency_ms: int,
    invoices: int,
    m: ChildMeasurement,
    activity: PortalActivity,
) -> ThroughputRow:
    received = len(set(activity.received))
    error = _error(variant, invoices, m, activity)
    per_min_submit = None
    machine_cpu = None
    busy = None
    first, last = activity.first_login_at, activity.last_received_at
    if first is not None and last is not None and last > first and received:
        per_min_submit = received / (last - first) * 60
        window = m.cpu_window(first, last)
        if window is not None:
            machine_cpu = window.client_cpu_s / received
            busy = window.machine_busy_fraction * 100
    return ThroughputRow(
        latency_ms=latency_ms,
        variant=variant,
        k=k,
        invoices=invoices,
        received=received,
        duplicates=activity.duplicates,
        logins=activity.logins_ok,
        wall_s=m.wall_s,
        per_min_whole=received / m.wall_s * 60 if received else None,
        per_min_submit=per_min_submit,
        cpu_s_per_invoice=m.tree_cpu_s / received if received else None,
        machine_cpu_s_per_invoice=machine_cpu,
        machine_busy_pct=busy,
        peak_pss_mb=m.peak_pss_mb(),
        peak_rss_mb=m.peak_rss_mb(),
        loadavg_before=m.loadavg_before,
        loadavg_after=m.loadavg_after,
        cpu_per_invoice_by_kind={
            kind: round(seconds / received, 3) for kind, seconds in m.cpu_by_kind.items()
        }
        if received
        else {},
        child_report=_child_report(m.stdout),
        error=error,
    )


def _error(
    variant: str, invoices: int, m: ChildMeasurement, activity: PortalActivity
) -> str | None:
    problems = []
    if m.returncode is None:
        problems.append("timed out")
    elif m.returncode != 0:
        problems.append(f"exit {m.returncode}: {m.stderr_tail[-500:]}")
    if len(set(activity.received)) != invoices:
        problems.append(f"portal received {len(set(activity.received))} of {invoices}")
    if activity.duplicates:
        problems.append(f"{activity.duplicates} duplicate uploads")
    if m.killed_orphans:
        problems.append(f"killed {len(m.killed_orphans)} lingering processes")
    if variant != "arworker" and m.stdout.strip():
        try:
            reported = json.loads(m.stdout.strip().splitlines()[-1])
            if reported.get("errors"):
                problems.append("; ".join(reported["errors"][:3]))
        except ValueError:
            problems.append("unreadable child output")
    return "; ".join(problems) or None


def _child_report(stdout: str) -> dict[str, Any]:
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        return {}
    try:
        report = json.loads(lines[-1])
    except ValueError:
        return {"unreadable": lines[-1][:500]}
    return report if isinstance(report, dict) else {"value": report}


def _print_progress(row: ThroughputRow) -> None:
    rate = f"{row.per_min_whole:.0f}/min" if row.per_min_whole else "–"
    status = row.error or "ok"
    shares = ", ".join(
        f"{kind} {s:.2f}" for kind, s in list(row.cpu_per_invoice_by_kind.items())[:5]
    )
    print(
        f"  {row.latency_ms:>5} ms  {row.variant:<8} K={row.k:<2} {rate:>9}  "
        f"load {loadavg_text(row.loadavg_before)}  {status}  CPU-s/inv: {shares}",
        flush=True,
    )


def _report(rows: list[ThroughputRow], args: argparse.Namespace) -> None:
    default_k = default_page_concurrency()
    headers = (
        "latency ms",
        "variant",
        "K",
        "ok",
        "inv/min whole",
        "inv/min submit",
        "CPU-s/inv tree",
        "CPU-s/inv machine",
        "machine busy %",
        "peak PSS MB",
        "peak RSS-sum MB",
        "load 1/5/15",
    )
    table = [
        (
            r.latency_ms,
            r.variant + (" (default K)" if r.variant == "arworker" and r.k == default_k else ""),
            r.k,
            f"{r.received}/{r.invoices}",
            r.per_min_whole,
            r.per_min_submit,
            r.cpu_s_per_invoice,
            r.machine_cpu_s_per_invoice,
            r.machine_busy_pct,
            r.peak_pss_mb,
            r.peak_rss_mb,
            loadavg_text(r.loadavg_before),
        )
        for r in rows
    ]
    print()
    print(render_table(headers, table))
    ratios = ratio_rows(rows)
    if ratios:
        print()
        print(
            render_table(
                (
                    "latency ms",
                    "K",
                    "arworker/naive whole",
                    "arworker/naive submit",
                    "arworker/ceiling whole",
                    "arworker/ceiling submit",
                ),
                [tuple(r.values()) for r in ratios],
            )
        )
    errors = [r for r in rows if r.error]
    for r in errors:
        print(f"! {r.latency_ms} ms {r.variant} K={r.k}: {r.error}")
    path = write_results(
        NAME,
        {
            "parameters": {
                "invoices": args.invoices,
                "latencies_ms": args.latencies,
                "k": args.k,
                "buyers": args.buyers,
                "pdf_kb": args.pdf_kb,
                "quick": args.quick,
                "worker_settings": args.worker_setting,
                "default_k": default_k,
            },
            "rows": [asdict(r) for r in rows],
            "ratios": ratios,
        },
    )
    print(f"\nwritten {path}")


def ratio_rows(rows: Sequence[ThroughputRow]) -> list[dict[str, Any]]:
    """arworker at each K against the naive baseline and against the ceiling at the same K."""
    ratios = []
    for r in rows:
        if r.variant != "arworker":
            continue
        naive = next(
            (n for n in rows if n.variant == "naive" and n.latency_ms == r.latency_ms), None
        )
        top = next(
            (
                c
                for c in rows
                if c.variant == "ceiling" and c.latency_ms == r.latency_ms and c.k == r.k
            ),
            None,
        )
        ratios.append(
            {
                "latency_ms": r.latency_ms,
                "k": r.k,
                "vs_naive_whole": _ratio(r.per_min_whole, naive.per_min_whole if naive else None),
                "vs_naive_submit": _ratio(
                    r.per_min_submit, naive.per_min_submit if naive else None
                ),
                "vs_ceiling_whole": _ratio(r.per_min_whole, top.per_min_whole if top else None),
                "vs_ceiling_submit": _ratio(r.per_min_submit, top.per_min_submit if top else None),
            }
        )
    return ratios


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


if __name__ == "__main__":
    raise SystemExit(main())
