"""AR read: streaming the open set of a 1,000,000-schedule book through the store vs a raw cursor.

The nightly run starts with the one big query: every open invoice of every enrolled account.
It must stream (memory independent of the book) and cost little more than the database driver
itself. A generated book (``--rows`` payment schedules with their transactions, 1,000 customers,
a realistic share of closed schedules, credit memos, incomplete transactions and another
operating unit's rows) is loaded on SQLite and on PostgreSQL (127.0.0.1:5432, a schema of its
own, dropped after); then each reader runs in a fresh process, alternately:

- ``store``: ``Store.open_invoices()``, what the nightly run iterates (SQLAlchemy, ``yield_per``,
  one ``OpenInvoice`` per row);
- ``raw``: the very statement and parameters SQLAlchemy sends, on a plain DB-API cursor
  (``fetchmany`` in the same batch size; a server-side cursor on PostgreSQL).

Reported: rows, wall seconds, the reader process's CPU seconds (what a busy machine disturbs
least; on PostgreSQL the server's share is not in it), RSS when the 100,000th row arrives and
at the last row, peak RSS; then the time the nightly's enqueue of the open set takes (bulk
inserts into XX_ARW_SUBMISSIONS). Usage::

    python benchmarks/ar_read.py                  # 1,000,000 rows, both backends, 3 runs each
    python benchmarks/ar_read.py --quick          # 100,000 rows, 1 run each
    python benchmarks/ar_read.py --rows 300000 --backends sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psutil
from bench_database import PG_ADMIN_URL, empty_database
from result_table import loadavg_text, render_table, write_results

NAME = "ar_read"
DEFAULT_ROWS = 1_000_000
QUICK_ROWS = 100_000
DEFAULT_REPEATS = 3
#: RSS is read when this row arrives (and at the last row)
MARK_ROW = 100_000
CUSTOMERS = 1_000
ORG_ID = 204
OTHER_ORG_ID = 458
LOAD_BATCH_ROWS = 20_000
CHILD_TIMEOUT_S = 1_800.0
DEFAULT_ENQUEUE_ROWS = 100_000
QUICK_ENQUEUE_ROWS = 20_000
MB = 1024 * 1024
#: the store's batch size (``connectors.oracle.store.STREAM_BATCH_ROWS``), used by the raw reader
RAW_BATCH_ROWS = 500
#: the issue's targets
TARGET_TIME_RATIO = 1.3
TARGET_RSS_GROWTH_MB = 50.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows, 1 run")
    parser.add_argument("--rows", type=int, help=f"payment schedules (default {DEFAULT_ROWS:,})")
    parser.add_argument("--repeats", type=int, help=f"runs per reader (default {DEFAULT_REPEATS})")
    parser.add_argument(
        "--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument(
        "--enqueue-rows",
        type=int,
        help="then time the nightly's enqueue of this many open invoices "
        f"(default {DEFAULT_ENQUEUE_ROWS:,}; 0: skip)",
    )
    parser.add_argument("--child", choices=["store", "raw", "enqueue"], help=argparse.SUPPRESS)
    parser.add_argument("--spec", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, json.loads(args.spec.read_text()))))
        return 0
    rows = args.rows or (QUICK_ROWS if args.quick else DEFAULT_ROWS)
    repeats = args.repeats or (1 if args.quick else DEFAULT_REPEATS)
    enqueue_rows = args.enqueue_rows
    if enqueue_rows is None:
        enqueue_rows = QUICK_ENQUEUE_ROWS if args.quick else DEFAULT_ENQUEUE_ROWS
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="arw-ar-read-") as tmp:
        for backend in args.backends:
            with empty_database(backend, Path(tmp), file_name="ar_read.db") as url:
                if url is None:
                    print(f"{backend}: not reachable at {PG_ADMIN_URL}; skipped")
                    continue
                started = time.perf_counter()
                open_rows = _load(url, rows)
                print(
                    f"{backend}: loaded {rows:,} schedules ({open_rows:,} open) "
                    f"in {time.perf_counter() - started:.0f} s",
                    flush=True,
                )
                spec = Path(tmp) / f"{backend}.json"
                mark = MARK_ROW if open_rows >= 2 * MARK_ROW else max(1, open_rows // 10)
                spec.write_text(json.dumps(_spec(backend, url) | {"mark_row": mark}))
                for repeat in range(repeats):
                    for reader in ("store", "raw"):
                        result = _run_child(reader, spec)
                        result |= {"backend": backend, "reader": reader, "repeat": repeat}
                        results.append(result)
                        print(
                            f"  {backend} {reader} run {repeat + 1}: {result['rows']:,} rows "
                            f"in {result['seconds']:.2f} s ({result['cpu_s']:.2f} CPU-s), load "
                            f"{loadavg_text(result['loadavg'])}",
                            flush=True,
                        )
                        if result["rows"] != open_rows:
                            print(f"  ! expected {open_rows:,} rows")
                if enqueue_rows:  # last: it changes the book (those invoices are then queued)
                    spec.write_text(
                        json.dumps(
                            json.loads(spec.read_text())
                            | {"enqueue_rows": min(enqueue_rows, open_rows)}
                        )
                    )
                    result = _run_child("enqueue", spec)
                    result |= {"backend": backend, "reader": "enqueue", "repeat": 0}
                    results.append(result)
                    print(
                        f"  {backend} enqueue: {result['rows']:,} invoices queued in "
                        f"{result['seconds']:.2f} s ({result['cpu_s']:.2f} CPU-s), load "
                        f"{loadavg_text(result['loadavg'])}",
                        flush=True,
                    )
    _report(results, rows)
    return 0


# ---- the book ---------------------------------------------------------------------------------


def _book(rows: int) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...], bool]]:
    """(transaction row, schedule row, is open) for ``rows`` schedules, deterministic."""
    today = dt.date.today()
    stamp = dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)
    for i in range(rows):
        trx_id = 1_000_000 + i
        customer = 1 + i % CUSTOMERS
        closed = i % 10 == 0
        credit = i % 20 == 7
        incomplete = i % 50 == 13
        other_org = i % 25 == 3
        org = OTHER_ORG_ID if other_org else ORG_ID
        amount = f"{(i % 9973) * 3 + 17}.{i % 100:02d}"
        remaining = "0.00" if closed else amount
        if credit:
            amount = remaining = "-" + amount
        trx_date = today - dt.timedelta(days=i % 400)
        due = trx_date + dt.timedelta(days=30)
        trx = (
            trx_id, str(trx_id), trx_date, 2 if credit else 1, customer, "USD",
            "N" if incomplete else "Y", org, -1, stamp, -1, stamp,
        )  # fmt: skip
        schedule = (
            2_000_000 + i, trx_id, customer, str(trx_id), trx_date, due, amount, remaining,
            "USD", "CL" if closed else "OP", "CM" if credit else "INV", org,
        )  # fmt: skip
        is_open = not (closed or credit or incomplete or other_org)
        yield trx, schedule, is_open


TRX_COLUMNS = (
    "customer_trx_id", "trx_number", "trx_date", "cust_trx_type_id", "bill_to_customer_id",
    "invoice_currency_code", "complete_flag", "org_id", "created_by", "creation_date",
    "last_updated_by", "last_update_date",
)  # fmt: skip
SCHEDULE_COLUMNS = (
    "payment_schedule_id", "customer_trx_id", "customer_id", "trx_number", "trx_date",
    "due_date", "amount_due_original", "amount_due_remaining", "invoice_currency_code",
    "status", "class", "org_id",
)  # fmt: skip
ACCOUNT_COLUMNS = (
    "portal_account_id", "cust_account_id", "portal_code", "portal_url", "login_name",
    "secret_ref", "enabled_flag", "po_required_flag", "new_number_on_resubmit", "org_id",
    "created_by", "creation_date", "last_updated_by", "last_update_date",
)  # fmt: skip


def _accounts() -> list[tuple[Any, ...]]:
    stamp = dt.datetime.now(dt.UTC)
    return [
        (c, c, "coupa", "http://127.0.0.1:9/coupa", "ar@bench.example", "BENCH_PASSWORD",
         "Y", "Y", "N", ORG_ID, -1, stamp, -1, stamp)
        for c in range(1, CUSTOMERS + 1)
    ]  # fmt: skip


def _load(url: str, rows: int) -> int:
    """Bulk-load the book with the driver's fastest path; returns how many schedules are open."""
    if url.startswith("sqlite"):
        return _load_sqlite(url.removeprefix("sqlite:///"), rows)
    return _load_postgresql(url, rows)


def _load_sqlite(path: str, rows: int) -> int:
    connection = sqlite3.connect(path)
    open_rows = 0

    def sqlite_value(value: Any) -> Any:
        if isinstance(value, dt.datetime):  # what SQLAlchemy stores for a naive UTC time
            return value.replace(tzinfo=None).isoformat(sep=" ")
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    try:
        with connection:
            connection.executemany(
                _insert("xx_arw_portal_accounts", ACCOUNT_COLUMNS),
                [tuple(sqlite_value(v) for v in row) for row in _accounts()],
            )
            trx_batch: list[tuple[Any, ...]] = []
            schedule_batch: list[tuple[Any, ...]] = []
            for trx, schedule, is_open in _book(rows):
                open_rows += is_open
                trx_batch.append(tuple(sqlite_value(v) for v in trx))
                schedule_batch.append(tuple(sqlite_value(v) for v in schedule))
                if len(trx_batch) >= LOAD_BATCH_ROWS:
                    connection.executemany(_insert("ra_customer_trx_all", TRX_COLUMNS), trx_batch)
                    connection.executemany(
                        _insert("ar_payment_schedules_all", SCHEDULE_COLUMNS), schedule_batch
                    )
                    trx_batch, schedule_batch = [], []
            if trx_batch:
                connection.executemany(_insert("ra_customer_trx_all", TRX_COLUMNS), trx_batch)
                connection.executemany(
                    _insert("ar_payment_schedules_all", SCHEDULE_COLUMNS), schedule_batch
                )
        connection.execute("ANALYZE")
    finally:
        connection.close()
    return open_rows


def _insert(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"


def _load_postgresql(url: str, rows: int) -> int:
    import psycopg

    open_rows = 0
    with psycopg.connect(_conninfo(url)) as connection:
        with connection.cursor() as cursor:
            with cursor.copy(_copy("xx_arw_portal_accounts", ACCOUNT_COLUMNS)) as copy:
                for row in _accounts():
                    copy.write_row(row)
            with cursor.copy(_copy("ra_customer_trx_all", TRX_COLUMNS)) as copy:
                for trx, _schedule, _is_open in _book(rows):
                    copy.write_row(trx)
            with cursor.copy(_copy("ar_payment_schedules_all", SCHEDULE_COLUMNS)) as copy:
                for _trx, schedule, is_open in _book(rows):
                    open_rows += is_open
                    copy.write_row(schedule)
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    return open_rows


def _copy(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f"COPY {table} ({names}) FROM STDIN"


def _conninfo(url: str) -> str:
    """A libpq connection string for a SQLAlchemy PostgreSQL URL (no SQLAlchemy in the child)."""
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    parts = {
        "host": parsed.host or "127.0.0.1",
        "port": str(parsed.port or 5432),
        "user": parsed.username or "",
        "dbname": parsed.database or "",
        "options": str(parsed.query.get("options", "")),
    }
    if parsed.password:
        parts["password"] = str(parsed.password)
    return " ".join(f"{key}='{value}'" for key, value in parts.items() if value)


def _spec(backend: str, url: str) -> dict[str, Any]:
    """What both readers need: the URL, and the exact SQL and parameters the store sends."""
    import sqlalchemy as sa

    from config.settings import DatabaseSettings
    from connectors.oracle.engine import create_engine
    from connectors.oracle.store import Store

    engine = create_engine(DatabaseSettings(url=url))
    captured: list[tuple[str, Any]] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if "ar_payment_schedules_all" in statement:
            captured.append((statement, parameters))

    store = Store(engine, org_ids=[ORG_ID])
    for _invoice in store.open_invoices():
        break  # the statement is captured at execute time; one row is enough
    engine.dispose()
    statement, parameters = captured[0]
    return {
        "backend": backend,
        "url": url,
        "conninfo": _conninfo(url) if backend == "postgresql" else None,
        "path": url.removeprefix("sqlite:///") if backend == "sqlite" else None,
        "statement": statement,
        "parameters": list(parameters) if isinstance(parameters, tuple | list) else parameters,
    }


# ---- the readers (child processes) -------------------------------------------------------------


def _run_child(reader: str, spec: Path) -> dict[str, Any]:
    loadavg = os.getloadavg()
    answer = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", reader, "--spec", str(spec)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=True,
    )
    result: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return result | {"loadavg": loadavg}


def _child(reader: str, spec: dict[str, Any]) -> dict[str, Any]:
    rows = 0
    rss_at_mark: float | None = None
    process = psutil.Process()
    if reader == "raw":
        stream: Iterator[Any] = _raw_rows(spec)
    else:
        from config.settings import DatabaseSettings
        from connectors.oracle.engine import create_engine
        from connectors.oracle.store import Store

        store = Store(create_engine(DatabaseSettings(url=spec["url"])), org_ids=[ORG_ID])
        stream = store.open_invoices()
        if reader == "enqueue":
            # the nightly's first phase (Store.enqueue_open_invoices): the whole open set,
            # not only the unqueued part, streamed into the queue
            stream = store.open_invoices(unqueued_only=False)
            stream = _enqueued(store, itertools.islice(stream, spec["enqueue_rows"]))
    rss_start = process.memory_info().rss / MB
    mark = spec["mark_row"]
    started = time.perf_counter()
    cpu_started = time.process_time()
    for _item in stream:
        rows += 1
        if rows == mark:
            rss_at_mark = process.memory_info().rss / MB
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu_s": time.process_time() - cpu_started,
        "mark_row": mark,
        "rss_start_mb": rss_start,
        "rss_at_mark_mb": rss_at_mark,
        "rss_end_mb": process.memory_info().rss / MB,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _enqueued(store: Any, invoices: Iterator[Any]) -> Iterator[int]:
    """Enqueue ``invoices``; yields once per invoice queued (so the loop above counts them)."""
    result = store.enqueue(invoices)
    yield from range(result.enqueued)


def _peak_rss_mb() -> float:
    """This process's RSS high-water mark (``VmHWM``: reset at exec, unlike ``ru_maxrss``,
    which still holds the parent's RSS from before the fork)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _raw_rows(spec: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """The store's statement on a plain DB-API cursor, fetched in the store's batch size."""
    if spec["backend"] == "sqlite":
        connection: Any = sqlite3.connect(spec["path"])
        cursor = connection.cursor()
        cursor.execute(spec["statement"], spec["parameters"])
    else:
        import psycopg

        connection = psycopg.connect(spec["conninfo"])
        cursor = connection.cursor(name="ar_read_raw")  # server-side: streams
        cursor.execute(spec["statement"], spec["parameters"])
    try:
        while batch := cursor.fetchmany(RAW_BATCH_ROWS):
            yield from batch
    finally:
        cursor.close()
        connection.close()


# ---- the report -------------------------------------------------------------------------------


def _report(results: list[dict[str, Any]], rows: int) -> None:
    summary = []
    for backend in dict.fromkeys(r["backend"] for r in results):
        best: dict[str, dict[str, Any]] = {}
        for reader in ("store", "raw", "enqueue"):
            runs = [r for r in results if r["backend"] == backend and r["reader"] == reader]
            if not runs:
                continue
            best[reader] = {
                "rows": runs[0]["rows"],
                "seconds_min": min(r["seconds"] for r in runs),
                "seconds_median": statistics.median(r["seconds"] for r in runs),
                "cpu_s_min": min(r["cpu_s"] for r in runs),
                "mark_row": runs[0]["mark_row"],
                "rss_at_mark_mb": max((r["rss_at_mark_mb"] or 0.0) for r in runs),
                "rss_end_mb": max(r["rss_end_mb"] for r in runs),
                "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
                "loadavg": runs[0]["loadavg"],
            }
        for reader, figures in best.items():
            ratio = cpu_ratio = None
            if reader == "store" and "raw" in best:
                ratio = figures["seconds_min"] / best["raw"]["seconds_min"]
                cpu_ratio = figures["cpu_s_min"] / best["raw"]["cpu_s_min"]
            summary.append(
                {
                    "backend": backend,
                    "reader": reader,
                    **figures,
                    "time_vs_raw": ratio,
                    "reader_cpu_vs_raw": cpu_ratio,
                }
            )
        marks = {r["mark_row"] for r in results if r["backend"] == backend}
        print(f"{backend}: RSS @mark = when row {', '.join(f'{m:,}' for m in marks)} arrived")
    headers = (
        "backend", "reader", "open rows", "s (min)", "s (median)", "× raw",
        "reader CPU s", "CPU × raw",
        "RSS MB @mark", "RSS MB @last", "RSS growth MB", "peak RSS MB", "load",
    )  # fmt: skip
    table = [
        (
            s["backend"],
            s["reader"],
            s["rows"],
            s["seconds_min"],
            s["seconds_median"],
            s["time_vs_raw"],
            s["cpu_s_min"],
            s["reader_cpu_vs_raw"],
            s["rss_at_mark_mb"],
            s["rss_end_mb"],
            s["rss_end_mb"] - s["rss_at_mark_mb"] if s["rss_at_mark_mb"] else None,
            s["peak_rss_mb"],
            loadavg_text(s["loadavg"]),
        )
        for s in summary
    ]
    print()
    print(render_table(headers, table))
    print(
        f"\ntargets: store ≤ {TARGET_TIME_RATIO}× the raw cursor's time; RSS growth from "
        f"row {MARK_ROW:,} to the last ≤ {TARGET_RSS_GROWTH_MB:.0f} MB"
    )
    path = write_results(NAME, {"rows": rows, "summary": summary, "runs": results})
    print(f"written {path}")


if __name__ == "__main__":
    raise SystemExit(main())
