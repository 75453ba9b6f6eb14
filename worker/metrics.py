"""Prometheus metrics of the worker (`arworker run`) and of the web workspace.

Two kinds: counters and histograms this process moves (uploads by portal and outcome, attempts,
portal operation latency, web requests), and gauges read from the database at scrape time (queue
depth by status, age of the oldest due item, last successful nightly run, paused logins and
portals) so that every process of a fleet reports the same truth. The database is read at most
once per ``cache_s`` however often Prometheus scrapes, and a database that is down turns into
``arworker_database_up 0``, never into a failed scrape.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from connectors.oracle.errors import StoreError
from connectors.oracle.records import SubmissionStatus
from connectors.portals.base import (
    InvoiceDocument,
    OutgoingInvoice,
    PortalAccount,
    PortalInvoice,
    PortalReceipt,
    SubmitFence,
    no_fence,
)
from connectors.portals.errors import PortalError
from connectors.portals.gateway import PortalGateway
from jobs.outcome_journal import OutcomeJournal

if TYPE_CHECKING:
    from connectors.oracle.store import Store
    from connectors.portals.browser import BrowserRuntime

#: seconds: a portal page operation takes from a fraction of a second to a minute
PORTAL_SECONDS_BUCKETS = (0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120)
WEB_SECONDS_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5)

log = structlog.get_logger("arworker.metrics")


class PortalMetrics:
    """What the portal gateway moves: uploads, attempts, operation latency."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.submissions = Counter(
            "arworker_submissions",
            "Invoice uploads by portal and outcome (submitted, rejected, unavailable, "
            "login_failed, portal_changed, error)",
            ["portal", "outcome"],
            registry=registry,
        )
        self.attempts = Counter(
            "arworker_submission_attempts",
            "Upload attempts started, by portal",
            ["portal"],
            registry=registry,
        )
        self.operations = Histogram(
            "arworker_portal_operation_seconds",
            "Portal operations (find, submit, status, login check) by portal and operation",
            ["portal", "operation"],
            buckets=PORTAL_SECONDS_BUCKETS,
            registry=registry,
        )
        self.operation_errors = Counter(
            "arworker_portal_operation_errors",
            "Portal operations that ended in an error, by portal, operation and error code",
            ["portal", "operation", "code"],
            registry=registry,
        )


def outcome_of(exc: BaseException | None) -> str:
    """The ``outcome`` label of an upload."""
    from connectors.portals.errors import (
        InvoiceRejected,
        LoginFailed,
        PortalChanged,
        PortalUnavailable,
    )

    if exc is None:
        return "submitted"
    for kind, label in (
        (InvoiceRejected, "rejected"),
        (LoginFailed, "login_failed"),
        (PortalChanged, "portal_changed"),
        (PortalUnavailable, "unavailable"),
    ):
        if isinstance(exc, kind):
            return label
    return "error"


class InstrumentedGateway(PortalGateway):
    """The portal gateway, timing and counting every operation it runs for the jobs."""

    def __init__(self, *args: Any, metrics: PortalMetrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._metrics = metrics

    async def find_invoice(
        self, account: PortalAccount, invoice_number: str, *, evidence: str
    ) -> PortalInvoice | None:
        with self._timed(account, "find_invoice"):
            return await super().find_invoice(account, invoice_number, evidence=evidence)

    async def submit_invoice(
        self,
        account: PortalAccount,
        invoice: OutgoingInvoice,
        document: InvoiceDocument,
        *,
        evidence: str,
        fence: SubmitFence = no_fence,
    ) -> PortalReceipt:
        portal = account.login.portal_code
        self._metrics.attempts.labels(portal).inc()
        failure: BaseException | None = None
        try:
            with self._timed(account, "submit_invoice"):
                return await super().submit_invoice(
                    account, invoice, document, evidence=evidence, fence=fence
                )
        except Exception as exc:
            failure = exc
            raise
        finally:
            self._metrics.submissions.labels(portal, outcome_of(failure)).inc()

    async def invoice_status(
        self, account: PortalAccount, invoice_number: str, *, evidence: str
    ) -> PortalInvoice | None:
        with self._timed(account, "invoice_status"):
            return await super().invoice_status(account, invoice_number, evidence=evidence)

    async def check_login(self, account: PortalAccount, *, evidence: str) -> None:
        with self._timed(account, "check_login"):
            await super().check_login(account, evidence=evidence)

    def _timed(self, account: PortalAccount, operation: str) -> _Timer:
        return _Timer(self._metrics, account.login.portal_code, operation)


class _Timer:
    def __init__(self, metrics: PortalMetrics, portal: str, operation: str) -> None:
        self._metrics = metrics
        self._labels = (portal, operation)
        self._started = 0.0

    def __enter__(self) -> None:
        self._started = time.monotonic()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> None:
        self._metrics.operations.labels(*self._labels).observe(time.monotonic() - self._started)
        if exc is not None:
            code = exc.code if isinstance(exc, PortalError) else type(exc).__name__
            self._metrics.operation_errors.labels(*self._labels, code).inc()


@dataclass
class _Cached:
    at: float = -1.0
    families: list[Metric] = field(default_factory=list)


class QueueCollector(Collector):
    """Gauges read from the database at scrape time (cached ``cache_s`` seconds)."""

    def __init__(
        self, store: Store, *, cache_s: float, clock: Callable[[], float] = time.monotonic
    ):
        self._store = store
        self._cache_s = cache_s
        self._clock = clock
        self._cached = _Cached()
        self._lock = threading.Lock()

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            now = self._clock()
            if self._cached.at < 0 or now - self._cached.at >= self._cache_s:
                self._cached = _Cached(at=now, families=self._read())
            families = list(self._cached.families)
        yield from families

    def _read(self) -> list[Metric]:
        up = GaugeMetricFamily("arworker_database_up", "1 when the database answered the scrape")
        try:
            families = self._queue_families()
        except StoreError as exc:
            log.warning("metrics.database_unavailable", error=str(exc))
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [up, *families]

    def _queue_families(self) -> list[Metric]:
        store = self._store
        depth = GaugeMetricFamily(
            "arworker_queue_depth", "Submissions by status", labels=["status"]
        )
        counts = store.status_counts()
        for status in SubmissionStatus:
            depth.add_metric([status.value], counts.get(status.value, 0))
        oldest = GaugeMetricFamily(
            "arworker_oldest_due_age_seconds",
            "Age of the oldest queued item that is due now (0 when none)",
        )
        due = store.oldest_due()
        oldest.add_metric(
            [], 0 if due is None else max(0.0, (store.clock() - due.enqueued_at).total_seconds())
        )
        nightly = GaugeMetricFamily(
            "arworker_last_successful_nightly_timestamp_seconds",
            "When the last nightly run that completed finished (Unix time; 0: never)",
        )
        finished = store.last_finished_run("nightly")
        nightly.add_metric([], 0 if finished is None else finished.timestamp())
        families: list[Metric] = [depth, oldest, nightly]
        families.extend(_pause_families(store))
        return families


def _pause_families(store: Store) -> list[Metric]:
    """Paused logins, paused portals and open outage breakers, as the database holds them."""
    paused = GaugeMetricFamily(
        "arworker_paused",
        "Active pauses by kind (LOGIN, PORTAL, OUTAGE) and portal",
        labels=["kind", "portal"],
    )
    breaker = GaugeMetricFamily(
        "arworker_breaker_open", "1 while a portal's outage breaker is open", labels=["portal"]
    )
    counts: dict[tuple[str, str], int] = {}
    for pause in store.active_pauses():
        key = (pause.kind.value, pause.portal_code)
        counts[key] = counts.get(key, 0) + 1
    for (kind, portal), n in sorted(counts.items()):
        paused.add_metric([kind, portal], n)
        if kind == "OUTAGE":
            breaker.add_metric([portal], 1)
    return [paused, breaker]


class WorkerLocalCollector(Collector):
    """What only this worker process knows: its journal backlog and its browser."""

    def __init__(self, journal_path: Path, browser: Callable[[], BrowserRuntime | None]) -> None:
        self._journal = OutcomeJournal(journal_path)
        self._browser = browser

    def collect(self) -> Iterator[Metric]:
        backlog = GaugeMetricFamily(
            "arworker_journal_backlog",
            "Outcomes waiting in the local journal for the database to come back",
        )
        backlog.add_metric([], len(self._journal.pending()))
        yield backlog
        runtime = self._browser()
        if runtime is None:
            return
        stats = runtime.stats()
        for name, help_text, value in (
            ("arworker_browser_contexts_open", "Browser contexts open", stats.contexts_open),
            ("arworker_browser_pages_in_use", "Portal pages in use", stats.pages_in_use),
            ("arworker_browser_pages_created", "Pages opened since start", stats.pages_created),
            ("arworker_browser_launches", "Chromium launches since start", stats.launches),
        ):
            gauge = GaugeMetricFamily(name, help_text)
            gauge.add_metric([], value)
            yield gauge
