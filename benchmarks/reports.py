"""Reports over a 1,000,000-schedule book: past-due and aging vs one hand-written GROUP BY.

The reports group in the database; what they add on top (SQLAlchemy, more aggregates in the same
pass, names and collectors joined after grouping, the last note per account, building the
document) must stay close to the one query a DBA would write for the same figures. A generated
book (``--rows`` payment schedules: 5,000 customers, 5 collectors, 60 % closed, credit memos,
receipts, debit memos, incomplete transactions, another operating unit, foreign currency,
disputes, and applications dated after the as-of date so the past-date aging has something to add
back) is loaded on SQLite and on PostgreSQL (127.0.0.1:5432, a schema of its own, dropped after).
Then, in a fresh process each, alternately:

- ``past-due``: ``build_past_due(...)`` and every row of its account table;
- ``raw past-due``: one hand-written ``GROUP BY ... HAVING`` on a plain DB-API cursor giving
  the same accounts and past-due amounts (same as-of rules);
- ``aging``: ``build_aging(...)`` (7-bucket set) and every row of its tables;
- ``raw aging``: one hand-written ``GROUP BY`` with the seven bucket sums;
- ``invoices xlsx``: the past-due report's invoice detail written to an XLSX file (constant
  memory), to show memory stays flat however many rows stream through.

Reported: wall seconds (median) and the ratio to the raw query; the process's CPU seconds and
their ratio (on SQLite all the work is in the process, so this ratio holds on a busy machine; on
PostgreSQL the server's share is not in it); peak RSS of the process. Usage::

    python benchmarks/reports.py                    # 1,000,000 rows, both backends, 3 runs
    python benchmarks/reports.py --quick            # 100,000 rows, 1 run
    python benchmarks/reports.py --rows 300000 --backends sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from result_table import loadavg_text, render_table, write_results
from scratch_database import PG_ADMIN_URL, conninfo, scratch_database

NAME = "reports"
DEFAULT_ROWS = 1_000_000
QUICK_ROWS = 100_000
DEFAULT_REPEATS = 3
CUSTOMERS = 5_000
COLLECTORS = 5
ORG_ID = 204
OTHER_ORG_ID = 458
LOAD_BATCH_ROWS = 20_000
CHILD_TIMEOUT_S = 3_600.0
OPEN_GL_DATE_CLOSED = dt.date(4712, 12, 31)
EUR_RATE = Decimal("1.085")
CENT = Decimal("0.01")
MIN_DAYS = 60
MIN_BALANCE = Decimal("10000")
MB = 1024 * 1024
#: the issue's goal: at most 1.5x the hand-written query, with flat memory
TARGET_RATIO = 1.5
MEASURES = ("past-due", "raw past-due", "aging", "raw aging", "invoices xlsx")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows, 1 run")
    parser.add_argument("--rows", type=int, help=f"payment schedules (default {DEFAULT_ROWS:,})")
    parser.add_argument("--repeats", type=int, help=f"runs per measure (default {DEFAULT_REPEATS})")
    parser.add_argument(
        "--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--child", choices=MEASURES, help=argparse.SUPPRESS)
    parser.add_argument("--spec", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, json.loads(args.spec.read_text()))))
        return 0
    rows = args.rows or (QUICK_ROWS if args.quick else DEFAULT_ROWS)
    repeats = args.repeats or (1 if args.quick else DEFAULT_REPEATS)
    as_of = _previous_month_end(dt.date.today())
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="arw-reports-") as tmp:
        for backend in args.backends:
            with scratch_database(backend, Path(tmp), "reports.db") as url:
                if url is None:
                    print(f"{backend}: not reachable at {PG_ADMIN_URL}; skipped")
                    continue
                started = time.perf_counter()
                counts = _load(url, rows, as_of)
                print(
                    f"{backend}: loaded {rows:,} schedules ({counts['open']:,} open at "
                    f"{as_of}, {counts['applications']:,} applications after it) in "
                    f"{time.perf_counter() - started:.0f} s",
                    flush=True,
                )
                spec = Path(tmp) / f"{backend}.json"
                spec.write_text(
                    json.dumps(
                        {"backend": backend, "url": url, "as_of": as_of.isoformat(), "tmp": tmp}
                    )
                )
                for repeat in range(repeats):
                    for measure in MEASURES:
                        if measure == "invoices xlsx" and repeat:
                            continue  # a memory figure: one run is enough, and it is the long one
                        result = _run_child(measure, spec)
                        result |= {"backend": backend, "measure": measure, "repeat": repeat}
                        results.append(result)
                        print(
                            f"  {backend} {measure} run {repeat + 1}: {result['rows']:,} rows in "
                            f"{result['seconds']:.2f} s ({result['cpu_s']:.2f} CPU-s), "
                            f"peak RSS {result['peak_rss_mb']:.0f} MB, "
                            f"load {loadavg_text(result['loadavg'])}",
                            flush=True,
                        )
                _check_same_figures(results, backend)
    _report(results, rows, as_of)
    return 0


def _previous_month_end(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


# ---- the book ---------------------------------------------------------------------------------


STAMP = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TRX_COLUMNS = (
    "customer_trx_id", "trx_number", "trx_date", "cust_trx_type_id", "bill_to_customer_id",
    "invoice_currency_code", "complete_flag", "org_id", "created_by", "creation_date",
    "last_updated_by", "last_update_date",
)  # fmt: skip
SCHEDULE_COLUMNS = (
    "payment_schedule_id", "customer_trx_id", "customer_id", "trx_number", "trx_date",
    "due_date", "amount_due_original", "amount_due_remaining", "amount_in_dispute",
    "invoice_currency_code", "status", "class", "gl_date", "gl_date_closed", "exchange_rate",
    "acctd_amount_due_remaining", "org_id",
)  # fmt: skip
APPLICATION_COLUMNS = (
    "receivable_application_id", "applied_payment_schedule_id", "application_type", "status",
    "amount_applied", "acctd_amount_applied_to", "acctd_amount_applied_from", "apply_date",
    "gl_date", "org_id", "created_by", "creation_date", "last_updated_by", "last_update_date",
)  # fmt: skip


def _book(
    rows: int, as_of: dt.date
) -> Iterator[tuple[tuple[Any, ...] | None, tuple[Any, ...], tuple[Any, ...] | None, bool]]:
    """(transaction or None, schedule, application or None, open at the as-of date)."""
    today = dt.date.today()
    for i in range(rows):
        trx_id = 1_000_000 + i
        customer = 1 + (i * 7919) % CUSTOMERS
        receipt = i % 97 == 5
        cls = "PMT" if receipt else "CM" if i % 40 == 7 else "DM" if i % 53 == 11 else "INV"
        org = OTHER_ORG_ID if i % 29 == 3 else ORG_ID
        eur = i % 10 == 4
        rate = EUR_RATE if eur else None
        amount = Decimal((i % 9973) * 3 + 17) + Decimal(i % 100) / 100
        if cls in ("CM", "PMT"):
            amount = -amount
        trx_date = today - dt.timedelta(days=i % 540)
        due = trx_date + dt.timedelta(days=30)
        closed = i % 10 < 6
        paid_on = min(due + dt.timedelta(days=i % 20), today)
        remaining = Decimal("0.00") if closed else amount
        acctd = (remaining * (rate or 1)).quantize(CENT, ROUND_HALF_UP)
        dispute = (amount * Decimal("0.4")).quantize(CENT) if i % 113 == 1 and not closed else None
        trx = None
        if not receipt:
            trx = (
                trx_id, str(trx_id), trx_date, 2 if cls == "CM" else 1, customer,
                "EUR" if eur else "USD", "N" if i % 61 == 13 else "Y", org, -1, STAMP, -1, STAMP,
            )  # fmt: skip
        schedule = (
            2_000_000 + i, None if receipt else trx_id, customer, str(trx_id), trx_date, due,
            amount, remaining, dispute, "EUR" if eur else "USD", "CL" if closed else "OP", cls,
            trx_date, paid_on if closed else OPEN_GL_DATE_CLOSED, rate, acctd, org,
        )  # fmt: skip
        application = None
        if closed and cls in ("INV", "DM") and paid_on > as_of:
            paid = (amount * (rate or 1)).quantize(CENT, ROUND_HALF_UP)
            application = (
                3_000_000 + i, 2_000_000 + i, "CASH", "APP", amount, paid, paid, paid_on,
                paid_on, org, -1, STAMP, -1, STAMP,
            )  # fmt: skip
        is_open = (
            trx_date <= as_of
            and (not closed or paid_on > as_of)
            and (trx is None or trx[6] == "Y")
            and org == ORG_ID
        )
        yield trx, schedule, application, is_open


def _reference_rows(as_of: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Customers, collectors, profiles, bucket sets, ledgers: small tables, inserted as rows."""
    from sandbox.aging_sets import bucket_rows

    who = {
        "created_by": -1,
        "creation_date": STAMP,
        "last_updated_by": -1,
        "last_update_date": STAMP,
    }
    rows: dict[str, list[dict[str, Any]]] = bucket_rows(as_of)
    rows["hz_parties"] = [
        {"party_id": c, "party_number": f"P{c}", "party_name": f"Customer {c}"}
        for c in range(1, CUSTOMERS + 1)
    ]
    rows["hz_cust_accounts"] = [
        {"cust_account_id": c, "party_id": c, "account_number": str(100000 + c),
         "orig_system_reference": f"B{c}"}
        for c in range(1, CUSTOMERS + 1)
    ]  # fmt: skip
    rows["ar_collectors"] = [
        {"collector_id": k, "name": f"Collector {k}", "status": "A",
         "email_address": f"collector{k}@bench.example", **who}
        for k in range(1, COLLECTORS + 1)
    ]  # fmt: skip
    rows["hz_customer_profiles"] = [
        {"cust_account_profile_id": c, "cust_account_id": c, "party_id": c, "site_use_id": None,
         "collector_id": 1 + c % COLLECTORS, "status": "A", **who}
        for c in range(1, CUSTOMERS + 1)
    ]  # fmt: skip
    rows["gl_ledgers"] = [
        {"ledger_id": 1, "name": "Bench US", "short_name": "US", "currency_code": "USD", **who},
        {"ledger_id": 2, "name": "Bench EU", "short_name": "EU", "currency_code": "EUR", **who},
    ]
    rows["ar_system_parameters_all"] = [
        {"org_id": ORG_ID, "set_of_books_id": 1, **who},
        {"org_id": OTHER_ORG_ID, "set_of_books_id": 2, **who},
    ]
    return rows


def _load(url: str, rows: int, as_of: dt.date) -> dict[str, int]:
    import sqlalchemy as sa

    from connectors.oracle.tables import build_metadata

    engine = sa.create_engine(url)
    tables = build_metadata().tables
    with engine.begin() as conn:
        for name, values in _reference_rows(as_of).items():
            conn.execute(sa.insert(tables[name]), values)
    engine.dispose()
    if url.startswith("sqlite"):
        return _load_sqlite(url.removeprefix("sqlite:///"), rows, as_of)
    return _load_postgresql(url, rows, as_of)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)  # SQLite keeps NUMERIC as REAL, as SQLAlchemy would store it
    return value


def _load_sqlite(path: str, rows: int, as_of: dt.date) -> dict[str, int]:
    connection = sqlite3.connect(path)
    counts = {"open": 0, "applications": 0}
    batches: dict[str, list[tuple[Any, ...]]] = {"trx": [], "ps": [], "ra": []}

    def flush() -> None:
        for key, table, columns in (
            ("trx", "ra_customer_trx_all", TRX_COLUMNS),
            ("ps", "ar_payment_schedules_all", SCHEDULE_COLUMNS),
            ("ra", "ar_receivable_applications_all", APPLICATION_COLUMNS),
        ):
            if batches[key]:
                connection.executemany(_insert(table, columns), batches[key])
                batches[key] = []

    try:
        with connection:
            for trx, schedule, application, is_open in _book(rows, as_of):
                counts["open"] += is_open
                if trx is not None:
                    batches["trx"].append(tuple(_sqlite_value(v) for v in trx))
                batches["ps"].append(tuple(_sqlite_value(v) for v in schedule))
                if application is not None:
                    counts["applications"] += 1
                    batches["ra"].append(tuple(_sqlite_value(v) for v in application))
                if len(batches["ps"]) >= LOAD_BATCH_ROWS:
                    flush()
            flush()
        connection.execute("ANALYZE")
    finally:
        connection.close()
    return counts


def _insert(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"


def _load_postgresql(url: str, rows: int, as_of: dt.date) -> dict[str, int]:
    import psycopg

    counts = {"open": 0, "applications": 0}
    with psycopg.connect(conninfo(url)) as connection:
        with connection.cursor() as cursor:
            with cursor.copy(_copy("ra_customer_trx_all", TRX_COLUMNS)) as copy:
                for trx, _s, _a, _o in _book(rows, as_of):
                    if trx is not None:
                        copy.write_row(trx)
            with cursor.copy(_copy("ar_payment_schedules_all", SCHEDULE_COLUMNS)) as copy:
                for _t, schedule, _a, is_open in _book(rows, as_of):
                    counts["open"] += is_open
                    copy.write_row(schedule)
            with cursor.copy(_copy("ar_receivable_applications_all", APPLICATION_COLUMNS)) as copy:
                for _t, _s, application, _o in _book(rows, as_of):
                    if application is not None:
                        counts["applications"] += 1
                        copy.write_row(application)
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    return counts


def _copy(table: str, columns: Sequence[str]) -> str:
    return f"COPY {table} ({', '.join(columns)}) FROM STDIN"


# ---- the hand-written queries -----------------------------------------------------------------

#: one open item's balance at the as-of date, and "it is a debit item"
BALANCE = "(ps.acctd_amount_due_remaining + COALESCE(later.amount, 0))"
DEBIT = "ps.class IN ('INV', 'DM', 'CB')"
#: the open items at the as-of date, with what was applied to them after it added back
OPEN_ITEMS = """
FROM ar_payment_schedules_all ps
LEFT JOIN ra_customer_trx_all trx ON trx.customer_trx_id = ps.customer_trx_id
LEFT JOIN (SELECT applied_payment_schedule_id AS ps_id, SUM(acctd_amount_applied_to) AS amount
           FROM ar_receivable_applications_all
           WHERE gl_date >= {p} AND status = 'APP' AND org_id = {p}
           GROUP BY applied_payment_schedule_id) later
       ON later.ps_id = ps.payment_schedule_id
WHERE ps.org_id = {p} AND ps.gl_date < {p} AND ps.gl_date_closed >= {p}
  AND ps.class IN ('INV', 'DM', 'CB', 'CM', 'PMT')
  AND (ps.customer_trx_id IS NULL OR trx.complete_flag = 'Y')
"""


def _raw_past_due_sql(p: str) -> str:
    """What a DBA would write for the past-due report's table: the same figures, one GROUP BY."""
    past_due = f"{DEBIT} AND ps.due_date < {p}"
    return f"""
SELECT ps.customer_id,
  SUM(CASE WHEN {past_due} THEN {BALANCE} END) AS past_due,
  SUM(CASE WHEN {DEBIT} THEN {BALANCE} END) AS open_balance,
  SUM(CASE WHEN {DEBIT} THEN ROUND(COALESCE(ps.amount_in_dispute, 0)
                                   * COALESCE(ps.exchange_rate, 1), 2) END) AS in_dispute,
  MIN(CASE WHEN {DEBIT} AND {BALANCE} > 0 THEN ps.due_date END) AS oldest_due,
  COUNT(CASE WHEN {past_due} AND {BALANCE} > 0 THEN 1 END) AS invoices,
  SUM(CASE WHEN ps.class = 'CM' THEN {BALANCE} END) AS credit_memos,
  SUM(CASE WHEN ps.class = 'PMT' THEN {BALANCE} END) AS unapplied_cash
{OPEN_ITEMS.format(p=p)}
GROUP BY ps.customer_id
HAVING SUM(CASE WHEN {past_due} THEN {BALANCE} END) > {p}
"""


def _raw_aging_sql(p: str) -> str:
    """The aging report's table by hand: seven bucket sums, the total, credits, receipts."""
    buckets = ",\n".join(
        f"  SUM(CASE WHEN {DEBIT} AND ps.due_date >= {p} AND ps.due_date < {p} "
        f"THEN {BALANCE} END) AS b{n}"
        for n in range(7)
    )
    return f"""
SELECT ps.customer_id,
{buckets},
  SUM(CASE WHEN {DEBIT} THEN {BALANCE} END) AS total,
  SUM(CASE WHEN ps.class = 'CM' THEN {BALANCE} END) AS credit_memos,
  SUM(CASE WHEN ps.class = 'PMT' THEN {BALANCE} END) AS unapplied_cash
{OPEN_ITEMS.format(p=p)}
GROUP BY ps.customer_id
"""


def _bucket_bounds(as_of: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The 7-bucket set as due-date ranges (far ends clipped to the calendar's own)."""
    from sandbox.aging_sets import BUCKET_SETS

    (lines,) = [lines for _, name, _, lines in BUCKET_SETS if name == "7-Bucket Aging"]
    bounds = []
    for start, to, _kind, _h1, _h2 in lines:
        low = as_of - dt.timedelta(days=min(to, (as_of - dt.date(1, 1, 2)).days))
        high = as_of - dt.timedelta(days=start - 1)
        bounds.append((low, high))
    return bounds


def _raw_rows(measure: str, spec: dict[str, Any]) -> list[tuple[Any, ...]]:
    as_of = dt.date.fromisoformat(spec["as_of"])
    day_after = as_of + dt.timedelta(days=1)
    sqlite = spec["backend"] == "sqlite"
    p = "?" if sqlite else "%s"

    def value(v: Any) -> Any:
        return _sqlite_value(v) if sqlite else v

    applications = [day_after, ORG_ID]
    open_at = [ORG_ID, day_after, day_after]
    past_due_before = as_of - dt.timedelta(days=MIN_DAYS)
    if measure == "raw past-due":
        sql = _raw_past_due_sql(p)
        params: list[Any] = [
            past_due_before, past_due_before, *applications, *open_at, past_due_before,
            MIN_BALANCE,
        ]  # fmt: skip
    else:
        sql = _raw_aging_sql(p)
        bounds = [d for pair in _bucket_bounds(as_of) for d in pair]
        params = [*bounds, *applications, *open_at]
    params = [value(v) for v in params]
    if sqlite:
        connection = sqlite3.connect(spec["url"].removeprefix("sqlite:///"))
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()
    import psycopg

    with psycopg.connect(conninfo(spec["url"])) as connection:
        return connection.execute(sql, params).fetchall()


# ---- the measured processes ---------------------------------------------------------------------


def _run_child(measure: str, spec: Path) -> dict[str, Any]:
    loadavg = os.getloadavg()
    answer = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", measure, "--spec", str(spec)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=True,
    )
    result: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return result | {"loadavg": loadavg}


def _child(measure: str, spec: dict[str, Any]) -> dict[str, Any]:
    as_of = dt.date.fromisoformat(spec["as_of"])
    figures: dict[str, str] = {}
    if not measure.startswith("raw"):
        # loaded before the clock starts, as in the daemon (the raw side imports its driver too)
        import config.settings  # noqa: F401
        import connectors.oracle.engine
        import connectors.oracle.store  # noqa: F401
        import jobs.reports.aging
        import jobs.reports.past_due
        import jobs.reports.xlsx_out  # noqa: F401
    else:
        import psycopg  # noqa: F401
    started = time.perf_counter()
    cpu_started = time.process_time()
    if measure.startswith("raw"):
        result = _raw_rows(measure, spec)
        rows = len(result)
        if measure == "raw past-due":
            figures = {str(r[0]): str(Decimal(str(r[1])).quantize(CENT)) for r in result}
    else:
        from config.settings import DatabaseSettings
        from connectors.oracle.engine import create_engine
        from connectors.oracle.store import Store
        from jobs.reports.aging import build_aging
        from jobs.reports.document import TableRole
        from jobs.reports.params import ReportParams
        from jobs.reports.past_due import build_past_due
        from jobs.reports.xlsx_out import write_xlsx

        store = Store(create_engine(DatabaseSettings(url=spec["url"])), org_ids=[ORG_ID])
        params = ReportParams(as_of=as_of, min_days=MIN_DAYS, min_balance=MIN_BALANCE)
        now = dt.datetime.now(dt.UTC)
        if measure == "aging":
            document = build_aging(store, params, now=now).document()
            rows = sum(1 for table in document.tables for _ in table.rows())
        elif measure == "past-due":
            report = build_past_due(store, params, now=now)
            rows = len(report.accounts)
            figures = {
                str(a.receivables.cust_account_id): str(a.receivables.past_due)
                for a in report.accounts
            }
        else:
            report = build_past_due(store, params, now=now)
            document = report.document()
            detail = document.table(TableRole.DETAIL)
            assert detail is not None
            path = Path(spec["tmp"]) / "invoices.xlsx"
            write_xlsx([document], path)
            rows = sum(1 for _ in detail.rows())  # counted again: the xlsx keeps no rows
            path.unlink()
        store.engine.dispose()
    return {
        "rows": rows,
        "seconds": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu_started,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "figures": figures,
    }


def _check_same_figures(results: list[dict[str, Any]], backend: str) -> None:
    """The report and the hand-written query must agree, or the timing means nothing."""
    ours = next(r for r in results if r["backend"] == backend and r["measure"] == "past-due")
    raw = next(r for r in results if r["backend"] == backend and r["measure"] == "raw past-due")
    if ours["figures"] != raw["figures"]:
        differing = sorted(set(ours["figures"].items()) ^ set(raw["figures"].items()))[:5]
        print(f"  ! {backend}: the past-due report and the raw query disagree: {differing}")
    else:
        agreed = len(ours["figures"])
        print(f"  {backend}: the past-due report and the raw query agree on {agreed:,} accounts")


def _report(results: list[dict[str, Any]], rows: int, as_of: dt.date) -> None:
    table_rows = []
    summary: dict[str, Any] = {}
    for backend in dict.fromkeys(r["backend"] for r in results):
        medians = {
            m: statistics.median(
                r["seconds"] for r in results if r["backend"] == backend and r["measure"] == m
            )
            for m in MEASURES
        }
        cpu = {
            m: statistics.median(
                r["cpu_s"] for r in results if r["backend"] == backend and r["measure"] == m
            )
            for m in MEASURES
        }
        peaks = {
            m: max(
                r["peak_rss_mb"] for r in results if r["backend"] == backend and r["measure"] == m
            )
            for m in MEASURES
        }
        counted = {
            m: next(r["rows"] for r in results if r["backend"] == backend and r["measure"] == m)
            for m in MEASURES
        }
        for measure in MEASURES:
            base = {"past-due": "raw past-due", "aging": "raw aging"}.get(measure)
            ratio = medians[measure] / medians[base] if base else None
            cpu_ratio = cpu[measure] / cpu[base] if base and cpu[base] else None
            table_rows.append(
                [
                    backend,
                    measure,
                    counted[measure],
                    round(medians[measure], 2),
                    None if ratio is None else round(ratio, 2),
                    round(cpu[measure], 2),
                    None if cpu_ratio is None else round(cpu_ratio, 2),
                    round(peaks[measure]),
                ]
            )
            summary[f"{backend} {measure}"] = {
                "rows": counted[measure],
                "median_s": medians[measure],
                "ratio_to_raw": ratio,
                "median_cpu_s": cpu[measure],
                "cpu_ratio_to_raw": cpu_ratio,
                "peak_rss_mb": peaks[measure],
            }
    print()
    print(f"{rows:,} payment schedules, as of {as_of}; goal: ratio <= {TARGET_RATIO}")
    print(
        render_table(
            [
                "backend",
                "measure",
                "rows",
                "median s",
                "x raw",
                "CPU s",
                "CPU x raw",
                "peak RSS MB",
            ],
            table_rows,
        )
    )
    write_results(
        NAME, {"rows": rows, "as_of": as_of.isoformat(), "summary": summary, "runs": results}
    )


if __name__ == "__main__":
    sys.exit(main())
