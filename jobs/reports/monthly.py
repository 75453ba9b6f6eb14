"""The monthly report run: past-due, aging and DSO as of the previous month-end, written to files
and e-mailed (the workbook attached, the HTML as the body) to the configured recipients.

A run is one row of XX_ARW_JOB_RUNS per scheduled time, like the nightly: across a fleet one
worker builds it. Building again is harmless (files are replaced atomically, and a recipient who
already has this month's report gets no second message), so a run whose worker died is simply run
again; the sending part runs on every call and picks up what is still waiting.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from connectors.mail.message import Attachment
from connectors.oracle.store import Store
from jobs.reports.aging import build_aging
from jobs.reports.cells import display_text
from jobs.reports.csv_out import write_csv
from jobs.reports.delivery import send_pending
from jobs.reports.document import ReportDocument, TableRole
from jobs.reports.dso import build_dso
from jobs.reports.html_out import email_document, report_fragment
from jobs.reports.outbox import publish, queue_message, report_dir, write_atomically
from jobs.reports.params import ReportParams, previous_month_end
from jobs.reports.past_due import build_past_due
from jobs.reports.run_record import ReportRunSummary, recorded_run
from jobs.reports.runtime import ReportRuntime
from jobs.reports.xlsx_out import write_xlsx

JOB_NAME = "report_monthly"
REPORT_NAME = "monthly"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: rows of a table shown in the e-mail body; the workbook has them all
EMAIL_MAX_ROWS = 200


def monthly_params(rt: ReportRuntime, as_of: dt.date) -> ReportParams:
    r = rt.settings.reports
    return ReportParams(
        as_of=as_of,
        min_days=r.min_days,
        min_balance=r.min_balance,
        bucket_set=r.buckets,
        dso_period_months=r.dso_period_months,
    )


def monthly_as_of(rt: ReportRuntime, slot: dt.datetime) -> dt.date:
    """The previous month-end, in the configured time zone, of the scheduled time."""
    zone = ZoneInfo(rt.settings.scheduler.timezone)
    return previous_month_end(slot.astimezone(zone).date())


async def run_monthly(
    rt: ReportRuntime,
    *,
    scheduled_for: dt.datetime | None = None,
    as_of: dt.date | None = None,
    send: bool = True,
    quick_wait_s: float = 2.0,
) -> ReportRunSummary:
    """Build, write, queue and send the monthly report (``send=False``: files only)."""
    slot = scheduled_for or rt.clock()
    day = as_of or monthly_as_of(rt, slot)
    summary = ReportRunSummary(job=JOB_NAME, run_id=rt.run_id, period=day.isoformat())
    log = rt.log.bind(job=JOB_NAME, as_of=day.isoformat())
    async with recorded_run(rt, slot=slot, summary=summary) as owner:
        if owner is not None and owner["status"] == "COMPLETED":
            summary.skipped_reason = f"built already by run {owner['run_id']}"
        else:
            documents = await rt.db(_documents, rt.store, monthly_params(rt, day), rt.clock())
            folder = report_dir(rt.settings.reports.output_dir, REPORT_NAME, day.isoformat())
            files = await rt.db(write_monthly_files, documents, folder, day)
            summary.files = [str(p) for p in files.values()]
            log.info("report.written", files=summary.files)
            if send and rt.settings.mail.enabled:
                await _queue(rt, summary, documents, files, day)
        if send:
            summary.delivery = await send_pending(
                rt, report_name=REPORT_NAME, quick_wait_s=quick_wait_s
            )
    log.info("report.finished", summary=summary.text())
    return summary


def _documents(store: Store, params: ReportParams, now: dt.datetime) -> list[ReportDocument]:
    return [
        build_past_due(store, params, now=now).document(),
        build_aging(store, params, now=now).document(),
        build_dso(store, params, now=now).document(),
    ]


def write_monthly_files(
    documents: list[ReportDocument], folder: Path, as_of: dt.date
) -> dict[str, Path]:
    """The workbook, the HTML, and one CSV per table; each replaced atomically."""
    stem = f"arworker-monthly-{as_of.isoformat()}"
    files: dict[str, Path] = {}
    files["xlsx"] = publish(
        write_xlsx(documents, folder / f".{stem}.xlsx.building"), folder / f"{stem}.xlsx"
    )
    html = monthly_html(documents, as_of)
    files["html"] = write_atomically(folder / f"{stem}.html", html.encode("utf-8"))
    for document in documents:
        for detail in (False, True):
            if detail and document.table(TableRole.DETAIL) is None:
                continue
            name = f"{document.report}{'-detail' if detail else ''}.csv"
            path = folder / f".{name}.building"
            with path.open("w", encoding="utf-8", newline="") as out:
                write_csv(document, out, detail=detail)
            files[name] = publish(path, folder / name)
    return files


def monthly_html(documents: list[ReportDocument], as_of: dt.date) -> str:
    """The e-mail body: the accounts over the threshold, aging by collector, DSO."""
    roles = {
        "past-due": {TableRole.MAIN},
        "aging": {TableRole.EXTRA},
        "dso": {TableRole.MAIN},
    }
    return email_document(
        f"Collections report as of {as_of.isoformat()}",
        f"Collections report as of {as_of.isoformat()}. The attached workbook has every "
        "invoice, the aging of every account and the DSO trend.",
        [
            report_fragment(d, roles=roles.get(d.report, {TableRole.MAIN}), max_rows=EMAIL_MAX_ROWS)
            for d in documents
        ],
    )


async def _queue(
    rt: ReportRuntime,
    summary: ReportRunSummary,
    documents: list[ReportDocument],
    files: dict[str, Path],
    as_of: dt.date,
) -> None:
    workbook = Attachment(
        filename=files["xlsx"].name, content_type=XLSX_TYPE, data=files["xlsx"].read_bytes()
    )
    html = files["html"].read_text(encoding="utf-8")
    past_due = documents[0]
    subject = f"Collections report as of {as_of.isoformat()}: {past_due.title}"
    text = _plain_text(documents, as_of)
    for recipient in rt.settings.reports.recipients:
        queued = await queue_message(
            rt,
            report_name=REPORT_NAME,
            period_key=as_of.isoformat(),
            recipient=recipient,
            collector_id=None,
            subject=subject,
            text=text,
            html=html,
            attachments=(workbook,),
        )
        if queued.queued:
            summary.queued += 1
        else:
            summary.already_queued += 1


def _plain_text(documents: list[ReportDocument], as_of: dt.date) -> str:
    """The text part, for clients that show no HTML: the headline figures of each report."""
    lines = [f"Collections report as of {as_of.isoformat()}", ""]
    for document in documents:
        lines.append(document.title)
        for figure in document.figures:
            value = display_text(figure.value, figure.kind, figure.currency)
            lines.append(f"  {figure.label}: {value}")
        lines.append("")
    lines.append("The attached workbook has the details.")
    return "\n".join(lines)
