"""The counts a run reports: in the log, in XX_ARW_JOB_RUNS, and as ``--json`` on stdout."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from connectors.oracle.records import JobRunCounts
from jobs.submit_explain import Explanation


@dataclass(kw_only=True)
class RunSummary:
    """Mutable while the run goes on; ``as_json()`` is the CLI's one-object contract."""

    job: str
    run_id: str
    enqueued: int = 0
    submitted: int = 0
    already_submitted: int = 0
    rejected: int = 0
    failed: int = 0
    retry_scheduled: int = 0
    released: int = 0
    notes_written: int = 0
    requeued: int = 0
    duration_s: float = 0.0
    status: str = "COMPLETED"
    paused_logins: dict[str, str] = field(default_factory=dict)
    paused_portals: dict[str, str] = field(default_factory=dict)
    skipped_reason: str | None = None
    #: ``submit INVOICE…``: what happened to each named invoice, and what to do
    invoices: list[Explanation] = field(default_factory=list)

    def add(self, other: RunSummary) -> None:
        """Fold a sub-run (a drain inside nightly or resync) into this one."""
        for name in (
            "submitted",
            "already_submitted",
            "rejected",
            "failed",
            "retry_scheduled",
            "released",
            "notes_written",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.paused_logins |= other.paused_logins
        self.paused_portals |= other.paused_portals

    def counts(self) -> JobRunCounts:
        return JobRunCounts(
            enqueued=self.enqueued,
            submitted=self.submitted,
            already_submitted=self.already_submitted,
            rejected=self.rejected,
            failed=self.failed,
            notes_written=self.notes_written,
        )

    def text(self) -> str:
        return (
            f"{self.job} {self.status.lower()}: {self.enqueued} enqueued, {self.submitted} "
            f"submitted, {self.already_submitted} already on portal, {self.rejected} rejected, "
            f"{self.failed} failed, {self.retry_scheduled} to retry, {self.notes_written} notes"
        )

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["duration_s"] = round(self.duration_s, 3)
        data["invoices"] = [e.as_json() for e in self.invoices]
        return data
