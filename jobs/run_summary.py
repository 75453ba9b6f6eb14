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
    #: items that may be on the portal and are looked up again later (never uploaded blind)
    uncertain: int = 0
    released: int = 0
    notes_written: int = 0
    requeued: int = 0
    duration_s: float = 0.0
    status: str = "COMPLETED"
    paused_logins: dict[str, str] = field(default_factory=dict)
    paused_portals: dict[str, str] = field(default_factory=dict)
    #: portal code → why its outage breaker is open and until when
    outages: dict[str, str] = field(default_factory=dict)
    #: queued items a pause or an outage kept from being tried (the run is then DEGRADED)
    left_undone: int = 0
    #: open items of enrolled accounts that are not sent to portals, by reason (credit memos...)
    not_submitted: dict[str, int] = field(default_factory=dict)
    skipped_reason: str | None = None
    #: status pass: submitted invoices whose portal verdict is not final (watched)
    statuses_watched: int = 0
    #: ... of them due for a look in this pass (all of them with ``status --all``)
    statuses_due: int = 0
    #: verdicts read (from list pages or invoice pages)
    statuses_read: int = 0
    #: list pages loaded, and invoice pages loaded for what the lists did not settle
    status_list_pages: int = 0
    status_invoice_pages: int = 0
    #: portal accounts another worker was reading in this pass
    status_accounts_elsewhere: int = 0
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
            "uncertain",
            "released",
            "notes_written",
            "statuses_watched",
            "statuses_due",
            "statuses_read",
            "status_list_pages",
            "status_invoice_pages",
            "status_accounts_elsewhere",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.paused_logins |= other.paused_logins
        self.paused_portals |= other.paused_portals
        self.outages |= other.outages

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
        """One paragraph for XX_ARW_JOB_RUNS.SUMMARY_TEXT and the log: counts, then what was
        paused and why (a DEGRADED run always says what held it back)."""
        text = (
            f"{self.job} {self.status.lower()}: {self.enqueued} enqueued, {self.submitted} "
            f"submitted, {self.already_submitted} already on portal, {self.rejected} rejected, "
            f"{self.failed} failed, {self.retry_scheduled} to retry, {self.uncertain} uncertain "
            f"(looked up again), {self.notes_written} notes"
        )
        if self.statuses_watched or self.statuses_due:
            text += (
                f"; portal verdicts: {self.statuses_due} of {self.statuses_watched} due, "
                f"{self.statuses_read} read ({self.status_list_pages} list pages, "
                f"{self.status_invoice_pages} invoice pages)"
            )
        if self.not_submitted:
            text += "; not sent to portals: " + ", ".join(
                f"{n} {reason}" for reason, n in sorted(self.not_submitted.items())
            )
        held = [
            *(f"login {k} paused ({v})" for k, v in sorted(self.paused_logins.items())),
            *(f"portal {k} paused ({v})" for k, v in sorted(self.paused_portals.items())),
            *(f"portal {k} outage ({v})" for k, v in sorted(self.outages.items())),
        ]
        if held:
            text += f"; {self.left_undone} queued items held back: " + "; ".join(held)
        return text

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["duration_s"] = round(self.duration_s, 3)
        data["invoices"] = [e.as_json() for e in self.invoices]
        return data
