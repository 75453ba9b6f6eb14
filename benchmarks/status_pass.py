"""Status pass: reading verdicts invoice by invoice vs from the portal's list pages.

The book of submitted invoices a status pass watches grows to (invoices per night) × (days to
pay). This benchmark uploads a benchmark book (default 2,000 invoices, 8 customer accounts) to
the stand-in Coupa portal once, gives the invoices a spread of verdicts on the portal (pending,
approved with a projected pay date, paid with a payment number, disputed with a reason:
45/35/15/5 % by default, ``--spread``), then,
at each added latency (150 ms and 1 s per request), runs ``arworker status --all`` on two copies
of the same database: **per-invoice** (``queue.status_list_max_pages = 0``: the invoice's own
pages) and **list** (the default: list pages, an invoice's own page only for what the list does
not settle). Each pass is one child process, measured whole (wall time, CPU of the whole process
tree). Page loads are what the portal served (static assets not counted). Afterwards the two
copies must hold identical verdicts and identical notes. Usage::

    python benchmarks/status_pass.py                  # 2,000 invoices, 150 ms and 1 s
    python benchmarks/status_pass.py --quick          # 200 invoices, 150 ms
    python benchmarks/status_pass.py --latency-ms 150 --latency-ms 1000 --invoices 3000
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench_book import DEFAULT_BUYERS, DEFAULT_SEED, BenchBook, bench_book, write_database
from bench_book import write_secrets as write_book_secrets
from measured_run import ChildMeasurement, measure_child
from process_tree import become_subreaper
from result_table import loadavg_text, render_table, write_results
from stand_in_portal import PortalProcess
from worker_child import SUBMIT_COMMAND, unsubmitted, worker_environment

from config.settings import default_page_concurrency

NAME = "status_pass"
DEFAULT_INVOICES = 2_000
QUICK_INVOICES = 200
DEFAULT_LATENCIES_MS = (150, 1_000)
STATUS_COMMAND = (sys.executable, "-m", "worker", "status", "--all", "--json")
TIMEOUT_BASE_S = 600.0
TIMEOUT_PER_INVOICE_S = 3.0
#: the issue's goals at 1 s: this many times fewer page loads, and less wall time
GOAL_PAGES = 10.0
GOAL_WALL = 5.0
MODES = {"per-invoice": {"ARWORKER_QUEUE__STATUS_LIST_MAX_PAGES": "0"}, "list": {}}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_INVOICES} invoices, 150 ms")
    parser.add_argument("--invoices", type=int, help=f"default {DEFAULT_INVOICES:,}")
    parser.add_argument(
        "--latency-ms", type=int, action="append", help="added ms per request (repeatable)"
    )
    parser.add_argument("--k", type=int, default=default_page_concurrency(), help="max_pages")
    parser.add_argument("--buyers", type=int, default=DEFAULT_BUYERS, help="customer accounts")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--spread",
        type=_spread,
        default=DEFAULT_SPREAD,
        help="verdicts on the portal in percent, default "
        + ",".join(f"{k}={v}" for k, v in DEFAULT_SPREAD.items()),
    )
    args = parser.parse_args(argv)
    invoices = args.invoices or (QUICK_INVOICES if args.quick else DEFAULT_INVOICES)
    latencies = args.latency_ms or ([150] if args.quick else list(DEFAULT_LATENCIES_MS))
    become_subreaper()
    today = dt.date.today()
    book = bench_book(invoices, buyers=args.buyers, seed=args.seed, today=today)
    rows: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="arw-status-pass-") as tmp,
        PortalProcess(invoices=invoices, buyers=args.buyers, seed=args.seed, today=today) as portal,
    ):
        work = Path(tmp)
        submitted = _submitted_book(work, book, portal, args.k)
        if submitted is None:
            return 1
        spread = _give_verdicts(book, portal, today, args.spread)
        print(f"verdicts on the portal: {spread}", flush=True)
        for latency in latencies:
            portal.set_latency(latency)
            for mode, settings in MODES.items():
                run_dir = work / f"{mode}-{latency}"
                run_dir.mkdir()
                database = run_dir / "arworker.db"
                shutil.copy(submitted, database)
                env = worker_environment(
                    run_dir, database, work / "secrets", max_pages=args.k, extra=settings
                )
                print(f"{mode} pass at {latency} ms ...", flush=True)
                pages_before = portal.pages_served()
                measured = measure_child(
                    STATUS_COMMAND,
                    env=env,
                    portal=portal,
                    timeout_s=TIMEOUT_BASE_S + invoices * TIMEOUT_PER_INVOICE_S,
                    cwd=str(run_dir),
                )
                rows.append(
                    _row(mode, latency, measured, portal.pages_served() - pages_before, database)
                )
    return _report(invoices, rows, spread)


def _submitted_book(work: Path, book: BenchBook, portal: PortalProcess, k: int) -> Path | None:
    """Upload the whole book once (no added latency); the database every pass starts from."""
    database = work / "submitted.db"
    print(f"building and uploading a book of {len(book.invoices):,} invoices ...", flush=True)
    write_database(book, f"sqlite:///{database}", portal_url=portal.url)
    write_book_secrets(book, work / "secrets")
    portal.set_latency(0)
    env = worker_environment(work, database, work / "secrets", max_pages=k)
    measured = measure_child(
        SUBMIT_COMMAND,
        env=env,
        portal=portal,
        timeout_s=TIMEOUT_BASE_S + len(book.invoices) * TIMEOUT_PER_INVOICE_S,
        cwd=str(work),
    )
    problems = unsubmitted(database)
    if measured.returncode != 0 or problems:
        print(f"! the upload did not complete (exit {measured.returncode}): {problems[:5]}")
        print(measured.stderr_tail[-1500:])
        return None
    print(f"uploaded in {measured.wall_s:.0f} s", flush=True)
    return database


#: the watched book's verdicts, in percent: most invoices wait for approval or payment; paid
#: and disputed ones leave the watched set after the read that sees them (a paid invoice is
#: final, a disputed one goes to a person), so each pass meets few of them
DEFAULT_SPREAD = {"pending": 45, "approved": 35, "paid": 15, "disputed": 5}


def _give_verdicts(
    book: BenchBook, portal: PortalProcess, today: dt.date, spread: dict[str, int]
) -> dict[str, int]:
    """Give the invoices verdicts on the portal in the proportions of ``spread`` (percent),
    spread evenly over the book (every hundred invoices has the same mix)."""
    turns = [kind for kind, share in spread.items() for _ in range(share)]
    given = dict.fromkeys(spread, 0)
    for invoice in book.invoices:
        kind = turns[invoice.index * 37 % len(turns)]  # 37 is prime to 100: an even mix
        given[kind] += 1
        buyer = invoice.buyer.code
        projected = (today + dt.timedelta(days=15 + invoice.index % 30)).isoformat()
        if kind == "pending":
            continue
        if kind == "disputed":
            portal.set_status(
                invoice.trx_number,
                {
                    "buyer": buyer,
                    "status": "disputed",
                    "reason": "Price mismatch",
                    "comment": f"line {invoice.index % 3 + 1} differs from the PO",
                },
            )
            continue
        portal.set_status(
            invoice.trx_number,
            {"buyer": buyer, "status": "approved", "projected_payment_date": projected},
        )
        if kind == "paid":
            portal.set_status(
                invoice.trx_number,
                {
                    "buyer": buyer,
                    "status": "paid",
                    "payment_date": today.isoformat(),
                    "payment_number": f"PAY-{invoice.index:05d}",
                },
            )
    return given


def _spread(text: str) -> dict[str, int]:
    """``pending=45,approved=35,paid=15,disputed=5`` (percent, adding up to 100)."""
    spread = dict.fromkeys(DEFAULT_SPREAD, 0)
    for part in text.split(","):
        kind, _, share = part.partition("=")
        if kind.strip() not in spread or not share.strip().isdigit():
            raise argparse.ArgumentTypeError(f"expected KIND=PERCENT of {list(spread)}: {part!r}")
        spread[kind.strip()] = int(share)
    if sum(spread.values()) != 100:
        raise argparse.ArgumentTypeError(f"the shares add up to {sum(spread.values())}, not 100")
    return spread


def _row(
    mode: str, latency: int, m: ChildMeasurement, pages: int, database: Path
) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    with contextlib.suppress(ValueError, IndexError):
        summary = json.loads([ln for ln in m.stdout.splitlines() if ln.strip()][-1])
    verdicts, notes = _outcome(database)
    return {
        "mode": mode,
        "latency_ms": latency,
        "returncode": m.returncode,
        "wall_s": round(m.wall_s, 2),
        "cpu_s": round(m.tree_cpu_s, 2),
        "page_loads": pages,
        "verdicts_read": summary.get("statuses_read"),
        "list_pages": summary.get("status_list_pages"),
        "invoice_pages": summary.get("status_invoice_pages"),
        "notes_written": summary.get("notes_written"),
        "status": summary.get("status"),
        "loadavg_before": loadavg_text(m.loadavg_before),
        "verdicts": verdicts,
        "notes": notes,
        "stderr_tail": m.stderr_tail[-800:] if m.returncode else "",
    }


def _outcome(database: Path) -> tuple[dict[str, list[Any]], list[str]]:
    """What the pass left: every submission's verdict facts, and the notes it wrote."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        verdicts = {
            number: [status, portal_status, reason, projected, paid, payment]
            for number, status, portal_status, reason, projected, paid, payment in (
                connection.execute(
                    "SELECT trx_number, status, portal_status, portal_status_reason, "
                    "projected_pay_date, payment_date, payment_reference FROM xx_arw_submissions"
                )
            )
        }
        notes = sorted(text for (text,) in connection.execute("SELECT notes FROM jtf_notes_tl"))
    return verdicts, notes


def _report(invoices: int, rows: list[dict[str, Any]], spread: dict[str, int]) -> int:
    print()
    print(
        render_table(
            (
                "latency",
                "pass",
                "page loads",
                "list pages",
                "invoice pages",
                "verdicts read",
                "notes",
                "wall s",
                "CPU-s",
                "exit",
                "load before",
            ),
            [
                (
                    f"{r['latency_ms']} ms",
                    r["mode"],
                    r["page_loads"],
                    r["list_pages"],
                    r["invoice_pages"],
                    r["verdicts_read"],
                    r["notes_written"],
                    r["wall_s"],
                    r["cpu_s"],
                    r["returncode"],
                    r["loadavg_before"],
                )
                for r in rows
            ],
        )
    )
    ok = all(r["returncode"] == 0 for r in rows)
    ratios = []
    for latency in sorted({r["latency_ms"] for r in rows}):
        pair = {r["mode"]: r for r in rows if r["latency_ms"] == latency}
        if set(pair) != set(MODES):
            continue
        one, many = pair["per-invoice"], pair["list"]
        same_verdicts = one["verdicts"] == many["verdicts"]
        same_notes = one["notes"] == many["notes"]
        pages_x = one["page_loads"] / many["page_loads"] if many["page_loads"] else None
        wall_x = one["wall_s"] / many["wall_s"] if many["wall_s"] else None
        cpu_x = one["cpu_s"] / many["cpu_s"] if many["cpu_s"] else None
        ratios.append(
            {
                "latency_ms": latency,
                "page_loads_x": pages_x,
                "wall_x": wall_x,
                "cpu_x": cpu_x,
                "identical_verdicts": same_verdicts,
                "identical_notes": same_notes,
            }
        )
        ok = ok and same_verdicts and same_notes
    print()
    print(
        render_table(
            ("latency", "fewer page loads ×", "less wall ×", "less CPU ×", "verdicts", "notes"),
            [
                (
                    f"{r['latency_ms']} ms",
                    r["page_loads_x"],
                    r["wall_x"],
                    r["cpu_x"],
                    "identical" if r["identical_verdicts"] else "DIFFER",
                    "identical" if r["identical_notes"] else "DIFFER",
                )
                for r in ratios
            ],
        )
    )
    for r in ratios:
        if r["latency_ms"] == 1_000 and r["page_loads_x"] and r["wall_x"]:
            met = r["page_loads_x"] >= GOAL_PAGES and r["wall_x"] >= GOAL_WALL
            print(
                f"\ngoal at 1 s (≥ {GOAL_PAGES:.0f}× fewer page loads, ≥ {GOAL_WALL:.0f}× less "
                f"wall time): {'met' if met else 'NOT met'}"
            )
    for r in rows:
        if r["returncode"]:
            print(f"! {r['mode']} at {r['latency_ms']} ms exited {r['returncode']}")
            print(r["stderr_tail"])
    path = write_results(
        NAME,
        {
            "invoices": invoices,
            "verdicts_on_portal": spread,
            "rows": [{k: v for k, v in r.items() if k not in ("verdicts", "notes")} for r in rows],
            "ratios": ratios,
            "ok": ok,
        },
    )
    print(f"\nresults: {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
