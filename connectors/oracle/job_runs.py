"""Job runs (XX_ARW_JOB_RUNS): one row per run, unique per (job, scheduled time).

The unique slot is what lets a fleet of workers run each nightly enqueue exactly once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from connectors.oracle.errors import AlreadyExists
from connectors.oracle.records import JobRunCounts
from connectors.oracle.unit_of_work import UnitOfWork, clip_text


class JobRunVerbs(UnitOfWork):
    """Recording runs and their counts."""

    def start_job_run(
        self, *, run_id: str, job_name: str, scheduled_for: dt.datetime, worker_name: str
    ) -> bool:
        """Record a run; False when this (job, scheduled time) already ran on another worker."""
        runs = self._t["xx_arw_job_runs"]

        def work(conn: sa.Connection) -> None:
            now = self.clock()
            conn.execute(
                sa.insert(runs).values(
                    run_id=run_id,
                    job_name=job_name,
                    scheduled_for=scheduled_for,
                    started_at=now,
                    status="RUNNING",
                    worker_name=worker_name,
                    **self._who(now, insert=True),
                )
            )

        try:
            self._unit(work)
        except AlreadyExists:
            return False
        return True

    def mark_enqueued(self, run_id: str, count: int) -> None:
        """Record that the run's enqueue is complete (the fleet waits on this, not on the run)."""
        runs = self._t["xx_arw_job_runs"]
        self._unit(
            lambda c: c.execute(
                sa.update(runs).where(runs.c.run_id == run_id).values(enqueued_count=count)
            )
        )

    def job_run_for_slot(self, job_name: str, scheduled_for: dt.datetime) -> dict[str, Any] | None:
        """The run that owns a (job, scheduled time) slot, if any."""
        runs = self._t["xx_arw_job_runs"]
        row = self._read(
            lambda c: c.execute(
                sa.select(runs).where(
                    runs.c.job_name == job_name, runs.c.scheduled_for == scheduled_for
                )
            ).first()
        )
        return None if row is None else dict(row._mapping)

    def finish_job_run(
        self, run_id: str, *, status: str, counts: JobRunCounts, summary: str
    ) -> None:
        runs = self._t["xx_arw_job_runs"]

        def work(conn: sa.Connection) -> None:
            now = self.clock()
            conn.execute(
                sa.update(runs)
                .where(runs.c.run_id == run_id)
                .values(
                    finished_at=now,
                    status=status,
                    enqueued_count=counts.enqueued,
                    submitted_count=counts.submitted,
                    already_count=counts.already_submitted,
                    rejected_count=counts.rejected,
                    failed_count=counts.failed,
                    notes_count=counts.notes_written,
                    summary_text=clip_text(summary),
                    **self._who(now, insert=False),
                )
            )

        self._unit(work)

    def job_runs(self, job_name: str | None = None) -> list[dict[str, Any]]:
        runs = self._t["xx_arw_job_runs"]
        query = sa.select(runs).order_by(runs.c.job_run_id)
        if job_name is not None:
            query = query.where(runs.c.job_name == job_name)
        return self._read(lambda c: [dict(r._mapping) for r in c.execute(query)])
