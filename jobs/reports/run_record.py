"""A report run as XX_ARW_JOB_RUNS records it: one row per (job, scheduled time), its summary.

The monthly report and the digest share this: the first worker to insert the slot's row owns the
run; the row ends COMPLETED or FAILED with the summary text, whatever happens in between.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from connectors.oracle.records import JobRunCounts
from jobs.reports.delivery import DeliveryCounts
from jobs.reports.runtime import ReportRuntime


@dataclass(kw_only=True)
class ReportRunSummary:
    """What a report run did: in the log, in XX_ARW_JOB_RUNS and as ``--json``."""

    job: str
    run_id: str
    period: str
    files: list[str] = field(default_factory=list)
    queued: int = 0
    already_queued: int = 0
    delivery: DeliveryCounts = field(default_factory=DeliveryCounts)
    status: str = "COMPLETED"
    skipped_reason: str | None = None
    duration_s: float = 0.0

    def text(self) -> str:
        d = self.delivery
        return (
            f"{self.job} {self.period} {self.status.lower()}: {len(self.files)} files, "
            f"{self.queued} e-mails queued ({self.already_queued} already), {d.sent} sent, "
            f"{d.retry_scheduled} to retry, {d.failed} failed, {d.uncertain} uncertain"
        )

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["delivery"] = self.delivery.as_json()
        data["duration_s"] = round(self.duration_s, 3)
        return data


@asynccontextmanager
async def recorded_run(
    rt: ReportRuntime, *, slot: dt.datetime, summary: ReportRunSummary
) -> AsyncIterator[dict[str, Any] | None]:
    """Record the run for ``slot``; yields the run that owned the slot already (None when this
    one does). The slot's row is finished with ``summary`` (FAILED if the block raised) by its
    owner, or by a run that took over a slot whose run had failed or died."""
    started = time.monotonic()
    first = await rt.db(
        rt.store.start_job_run,
        run_id=rt.run_id,
        job_name=summary.job,
        scheduled_for=slot,
        worker_name=rt.worker_name,
    )
    owner = None if first else await rt.db(rt.store.job_run_for_slot, summary.job, slot)
    # a run taking over a slot whose run failed or died settles that slot's row for it
    settles = rt.run_id if first else None
    if owner is not None and owner["status"] != "COMPLETED":
        settles = owner["run_id"]
    try:
        yield owner
    except BaseException:
        summary.status = "FAILED"
        raise
    finally:
        summary.duration_s = time.monotonic() - started
        if settles is not None:
            await rt.db(
                rt.store.finish_job_run,
                settles,
                status=summary.status,
                counts=JobRunCounts(),
                summary=summary.text(),
            )
