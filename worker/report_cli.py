"""``arworker report``: the collections reports on demand, the scheduled runs by hand, and the
e-mails they sent.

    arworker report past-due|aging|dso [--as-of DATE] [--org-id N] [--collector NAME]
                                      [--format csv|xlsx|html|json] [--out PATH] [--detail]
    arworker report monthly [--as-of DATE] [--no-send] [--json]
    arworker report digest [--date DATE] [--no-send] [--json]
    arworker report deliveries [--status STATUS] [--json]
    arworker report resend DELIVERY_ID [--json]
    arworker report send-pending [--json]

Text formats go to stdout unless ``--out`` names a file; XLSX always goes to a file (``--out``, or
``reports.output_dir``). Exit codes as for every command: 0 done, 1 the run failed, 2 usage or
configuration (an unknown bucket set, collector or operating unit says what exists).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

EXIT_OK = 0
EXIT_JOB_FAILED = 1
EXIT_CONFIG = 2
REPORTS = ("past-due", "aging", "dso")
FORMATS = ("csv", "xlsx", "html", "json")
DELIVERY_STATUSES = ("PENDING", "SENDING", "SENT", "FAILED", "UNCERTAIN")

EPILOG = """\
examples:
  arworker report past-due                       accounts over 10,000 more than 60 days late
  arworker report past-due --detail --format csv --out past-due.csv
  arworker report aging --buckets "4-Bucket Aging" --collector "Maria Lopez"
  arworker report dso --as-of 2026-10-31 --format json
  arworker report monthly --as-of 2026-10-31     build and e-mail the monthly report now
  arworker report deliveries --status UNCERTAIN  e-mails that may or may not have arrived
Definitions, delivery and configuration: docs/reports.md.
"""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2026-10-31") from None


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount such as 10000") from None
    if value < 0 or not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount such as 10000")
    return value


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days such as 60") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is not a number of days such as 60")
    return value


def add_report_parser(sub: Any) -> None:
    """The ``report`` command group (``sub`` is the CLI's subparsers)."""
    report = sub.add_parser(
        "report",
        help="collections reports: past-due, aging, DSO; the monthly report and the digest",
        description="Collections reports computed in the database, written as CSV, XLSX, HTML "
        "or JSON; the monthly report and the collectors' morning digest by e-mail.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    group = report.add_subparsers(dest="report_command", metavar="REPORT")
    for name, help_text in (
        ("past-due", "accounts more than --min-balance past due by more than --min-days"),
        ("aging", "open balance by the lines of an aging bucket set, per customer and collector"),
        ("dso", "days sales outstanding, standard and count-back, with a 12 month-end trend"),
    ):
        p = group.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--as-of", type=_date, metavar="DATE", help="default: today")
        p.add_argument(
            "--org-id",
            type=int,
            action="append",
            metavar="N",
            help="only this operating unit (repeatable; default: every configured one)",
        )
        p.add_argument("--collector", metavar="NAME", help="only this collector's accounts")
        p.add_argument("--format", choices=FORMATS, default="csv")
        p.add_argument("--out", type=Path, metavar="PATH", help="write here instead of stdout")
        p.add_argument(
            "--detail",
            action="store_true",
            help="CSV/JSON/HTML: the per-invoice (past-due) or per-month-end (DSO) table",
        )
        p.add_argument("--min-days", type=_days, metavar="N", help="default: reports.min_days")
        p.add_argument(
            "--min-balance", type=_amount, metavar="AMOUNT", help="default: reports.min_balance"
        )
        p.add_argument(
            "--buckets", metavar="NAME", help="aging bucket set; default: reports.buckets"
        )
    monthly = group.add_parser("monthly", help="build (and e-mail) the monthly report now")
    monthly.add_argument("--as-of", type=_date, metavar="DATE", help="default: last month-end")
    digest = group.add_parser("digest", help="build (and e-mail) the collectors' digest now")
    digest.add_argument("--date", type=_date, metavar="DATE", help="default: today")
    for p in (monthly, digest):
        p.add_argument("--no-send", action="store_true", help="write the files, e-mail nothing")
        p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    deliveries = group.add_parser("deliveries", help="the report e-mails and how they went")
    deliveries.add_argument("--status", choices=DELIVERY_STATUSES)
    deliveries.add_argument("--json", action="store_true")
    resend = group.add_parser(
        "resend", help="send a FAILED or UNCERTAIN e-mail again (you checked it did not arrive)"
    )
    resend.add_argument("delivery_id", type=int, metavar="DELIVERY_ID")
    resend.add_argument("--json", action="store_true")
    pending = group.add_parser("send-pending", help="send the e-mails waiting for a retry now")
    pending.add_argument("--json", action="store_true")


def run_report_command(
    parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Any
) -> int:
    """Dispatch ``arworker report ...``; ``settings`` is the loaded configuration."""
    command = getattr(args, "report_command", None)
    if command is None:
        parser.parse_args(["report", "--help"])
    from jobs.reports.params import ReportRequestError
    from worker.runtime import build_store

    store = build_store(settings)
    try:
        if command in REPORTS:
            return _one_report(store, settings, args)
        if command == "deliveries":
            return _deliveries(store, args)
        return asyncio.run(_scheduled_by_hand(store, settings, args))
    except (ReportRequestError, ValueError) as exc:
        print(f"arworker: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        store.engine.dispose()


def _today(settings: Any) -> dt.date:
    return dt.datetime.now(ZoneInfo(settings.scheduler.timezone)).date()


def _one_report(store: Any, settings: Any, args: argparse.Namespace) -> int:
    from jobs.reports.catalog import build_document
    from jobs.reports.csv_out import write_csv, write_json
    from jobs.reports.html_out import email_document, report_fragment
    from jobs.reports.params import ReportParams, check_collector
    from jobs.reports.xlsx_out import write_xlsx
    from worker.runtime import new_run_id

    r = settings.reports
    params = ReportParams(
        as_of=args.as_of or _today(settings),
        org_ids=tuple(args.org_id) if args.org_id else None,
        collector=args.collector,
        min_days=r.min_days if args.min_days is None else args.min_days,
        min_balance=r.min_balance if args.min_balance is None else args.min_balance,
        bucket_set=args.buckets or r.buckets,
        dso_period_months=r.dso_period_months,
    )
    store.report_org_ids(params.org_ids)  # an operating unit that is not configured: exit 2
    if params.collector is not None:
        check_collector(store.collectors(), params.collector)
    now = dt.datetime.now(dt.UTC)
    run_id = new_run_id(f"report-{args.report_command}")
    job_name = f"report_{args.report_command.replace('-', '_')}"
    store.start_job_run(run_id=run_id, job_name=job_name, scheduled_for=now, worker_name=_me())
    status, summary = "FAILED", f"{args.report_command} as of {params.as_of}: failed"
    try:
        document = build_document(args.report_command, store, params, now=now)
        if args.format == "xlsx":
            path = args.out or _default_path(settings, args.report_command, params.as_of)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_xlsx([document], path)
            print(path)
        else:
            out = args.out.open("w", encoding="utf-8", newline="") if args.out else sys.stdout
            try:
                if args.format == "csv":
                    write_csv(document, out, detail=args.detail)
                elif args.format == "json":
                    write_json(document, out, detail=args.detail)
                else:
                    roles = _html_roles(args.detail)
                    out.write(
                        email_document(
                            document.title, document.title, [report_fragment(document, roles=roles)]
                        )
                    )
            finally:
                if args.out:
                    out.close()
        status, summary = "COMPLETED", f"{args.report_command} as of {params.as_of} ({args.format})"
    finally:
        from connectors.oracle.records import JobRunCounts

        store.finish_job_run(run_id, status=status, counts=JobRunCounts(), summary=summary)
    return EXIT_OK


def _html_roles(detail: bool) -> set[Any]:
    from jobs.reports.document import TableRole

    return {TableRole.MAIN, TableRole.EXTRA} | ({TableRole.DETAIL} if detail else set())


def _default_path(settings: Any, report: str, as_of: dt.date) -> Path:
    return Path(settings.reports.output_dir) / "on-demand" / f"{report}-{as_of.isoformat()}.xlsx"


def _me() -> str:
    from jobs.lease_owner import this_worker

    return this_worker()


def _deliveries(store: Any, args: argparse.Namespace) -> int:
    from connectors.oracle.deliveries import DeliveryStatus

    statuses = [DeliveryStatus(args.status)] if args.status else None
    rows = store.deliveries(statuses=statuses)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "delivery_id": d.delivery_id,
                        "report": d.report_name,
                        "period": d.period_key,
                        "recipient": d.recipient,
                        "status": d.status.value,
                        "attempts": d.attempts,
                        "sent_at": d.sent_at.isoformat() if d.sent_at else None,
                        "next_attempt_at": d.next_attempt_at.isoformat()
                        if d.next_attempt_at
                        else None,
                        "last_error": d.last_error,
                        "message_id": d.message_id,
                    }
                    for d in rows
                ]
            )
        )
        return EXIT_OK
    if not rows:
        print("no report e-mails")
    for d in rows:
        when = d.sent_at.isoformat(timespec="seconds") if d.sent_at else "-"
        line = f"{d.delivery_id:>6}  {d.report_name:<8} {d.period_key:<10} {d.status.value:<9} "
        line += f"{d.attempts} tries  {when:<25} {d.recipient}"
        if d.last_error and d.status.value != "SENT":
            line += f"\n        {d.last_error}"
        print(line)
    return EXIT_OK


async def _scheduled_by_hand(store: Any, settings: Any, args: argparse.Namespace) -> int:
    import structlog

    from jobs.reports.delivery import send_pending
    from jobs.reports.digest import run_digest
    from jobs.reports.monthly import run_monthly
    from jobs.reports.runtime import ReportContext
    from worker.runtime import new_run_id, secret_resolver

    command = args.report_command
    run_id = new_run_id(f"report-{command}")
    rt = ReportContext(
        settings=settings,
        store=store,
        log=structlog.get_logger("arworker").bind(run_id=run_id, job=f"report {command}"),
        run_id=run_id,
        worker_name=_me(),
        resolve_secret=secret_resolver(settings),
    )
    try:
        if command == "monthly":
            result: Any = await run_monthly(rt, as_of=args.as_of, send=not args.no_send)
            payload = result.as_json()
        elif command == "digest":
            result = await run_digest(rt, day=args.date, send=not args.no_send)
            payload = result.as_json()
        elif command == "resend":
            if not await rt.db(
                store.requeue_delivery, args.delivery_id, requeued_by=getpass.getuser()
            ):
                print(
                    f"arworker: delivery {args.delivery_id} is not FAILED or UNCERTAIN "
                    "(see `arworker report deliveries`)",
                    file=sys.stderr,
                )
                return EXIT_CONFIG
            payload = (await send_pending(rt)).as_json()
        else:
            payload = (await send_pending(rt)).as_json()
    except Exception as exc:
        structlog.get_logger("arworker").exception("job.failed", job=f"report {command}")
        if getattr(args, "json", False):
            print(json.dumps({"job": f"report {command}", "status": "FAILED", "error": str(exc)}))
        return EXIT_JOB_FAILED
    if getattr(args, "json", False):
        print(json.dumps(payload, default=str))
    else:
        print(_describe(payload))
    return EXIT_OK


def _describe(payload: dict[str, Any]) -> str:
    if "job" not in payload:
        d = payload
        return (
            f"{d['sent']} sent, {d['retry_scheduled']} to retry, {d['failed']} failed, "
            f"{d['uncertain']} uncertain"
        )
    d = payload["delivery"]
    lines = [
        f"{payload['job']} {payload['period']}: {payload['status'].lower()}",
        *(f"  {path}" for path in payload["files"]),
        f"  e-mails: {payload['queued']} queued ({payload['already_queued']} already), "
        f"{d['sent']} sent, {d['retry_scheduled']} to retry, {d['failed']} failed, "
        f"{d['uncertain']} uncertain",
    ]
    if payload.get("skipped_reason"):
        lines.append(f"  {payload['skipped_reason']}")
    return "\n".join(lines)
