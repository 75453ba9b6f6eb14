"""``arworker run``: the long-running worker, one of possibly several on one database.

APScheduler 3's ``AsyncIOScheduler`` fires the nightly run (time-zone aware cron), a queue poll
(retries whose backoff has elapsed), the status poll and the resync-request poll, each with
``coalesce``, ``max_instances=1`` and a misfire grace time. One Chromium serves every job of the
process. SIGTERM/SIGINT stop claiming, let in-flight uploads finish within the grace period, hand
back what is left, and exit 0. Across a fleet, the nightly enqueue runs once per scheduled time
(the unique row in XX_ARW_JOB_RUNS) and every worker helps drain.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from config.settings import Settings
from connectors.oracle.store import Store
from jobs import action_requests, nightly, resync_requests, status, submit
from jobs.context import JobContext
from jobs.drain import replay_journal, take_over_dead_local_leases
from jobs.lease_owner import this_worker
from worker.report_schedule import add_report_jobs
from worker.runtime import build_store, job_context

NIGHTLY_LOOKBACK = dt.timedelta(days=2)

log = structlog.get_logger("arworker.scheduler")


def last_fire_time(trigger: Any, now: dt.datetime, lookback: dt.timedelta) -> dt.datetime:
    """The cron slot a firing belongs to: the latest fire time at or before ``now``.

    Every worker of a fleet computes the same slot for the same night, whatever its clock skew
    within the slot, so the unique (job, scheduled_for) row lets exactly one of them enqueue.
    """
    slot = None
    candidate = trigger.get_next_fire_time(None, now - lookback)
    while candidate is not None and candidate <= now:
        slot = candidate
        candidate = trigger.get_next_fire_time(candidate, candidate + dt.timedelta(seconds=1))
    return (slot or now).astimezone(dt.UTC)


class WorkerDaemon:
    """The scheduler, its jobs, and a clean stop."""

    def __init__(
        self,
        settings: Settings,
        *,
        nightly_now: bool = False,
        exit_when_drained: bool = False,
    ) -> None:
        self.settings = settings
        self.nightly_now = nightly_now
        self.exit_when_drained = exit_when_drained
        self.store: Store = build_store(settings)
        self.zone = ZoneInfo(settings.scheduler.timezone)
        self._stopping = asyncio.Event()
        self._running: set[asyncio.Task[Any]] = set()
        self._contexts: dict[int, JobContext] = {}
        self._nightly_lock = asyncio.Lock()
        self._browser: Any = None
        self._scheduler: Any = None
        self._portal_metrics: Any = None

    def request_stop(self, signum: int | None = None) -> None:
        if not self._stopping.is_set():
            log.info("worker.stopping", signal=signum, in_flight_jobs=len(self._running))
        self._stopping.set()
        for ctx in list(self._contexts.values()):
            ctx.stop.set()

    async def run(self) -> int:
        from apscheduler.triggers.cron import CronTrigger

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request_stop, sig)
        s = self.settings.scheduler
        cron = CronTrigger.from_crontab(s.nightly_cron, timezone=self.zone)
        log.info("worker.starting", worker=this_worker(), database=self.settings.database.url)
        ops = self._ops_server()
        if ops is not None:
            ops.start()
            log.info("worker.ops_endpoints", host=self.settings.metrics.host, port=ops.port)
        try:
            return await self._run(cron)
        finally:
            if ops is not None:
                await ops.stop()

    def _ops_server(self) -> Any:
        """/metrics, /healthz and /readyz on ``metrics.port``, when it is set."""
        port = self.settings.metrics.port
        if port is None:
            return None
        from prometheus_client import CollectorRegistry

        from worker.health import ReadinessChecks
        from worker.metrics import PortalMetrics, QueueCollector, WorkerLocalCollector
        from worker.ops_server import OpsServer, ops_app

        registry = CollectorRegistry()
        self._portal_metrics = PortalMetrics(registry)
        registry.register(
            QueueCollector(self.store, cache_s=self.settings.metrics.database_cache_s)
        )
        registry.register(
            WorkerLocalCollector(self.settings.queue.journal_path, lambda: self._browser)
        )
        checks = ReadinessChecks(
            store=self.store,
            scheduler_running=self._scheduler_running,
            journal_path=self.settings.queue.journal_path,
        )
        return OpsServer(ops_app(registry, checks), host=self.settings.metrics.host, port=port)

    def _scheduler_running(self) -> bool:
        scheduler = self._scheduler
        return bool(scheduler is not None and scheduler.running and not self._stopping.is_set())

    async def _run(self, cron: Any) -> int:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        from connectors.portals.browser import BrowserRuntime

        s = self.settings.scheduler
        async with BrowserRuntime(self.settings.browser) as browser:
            self._browser = browser
            await self._startup_recovery()
            scheduler = AsyncIOScheduler(timezone=self.zone)
            common: dict[str, Any] = {
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": s.misfire_grace_time_s,
            }
            scheduler.add_job(
                self._fire, cron, args=["nightly", self._nightly], id="nightly", **common
            )
            scheduler.add_job(
                self._fire,
                IntervalTrigger(seconds=s.queue_poll_interval_s, timezone=self.zone),
                args=["queue_poll", self._queue_poll],
                id="queue_poll",
                **common,
            )
            scheduler.add_job(
                self._fire,
                IntervalTrigger(seconds=s.resync_poll_interval_s, timezone=self.zone),
                args=["resync_requests", self._resync_requests],
                id="resync_requests",
                **common,
            )
            scheduler.add_job(
                self._fire_actions,
                IntervalTrigger(seconds=s.action_poll_interval_s, timezone=self.zone),
                id="actions",
                **common,
            )
            scheduler.add_job(
                self._fire,
                IntervalTrigger(seconds=s.status_poll_interval_s, timezone=self.zone),
                args=["status", self._status],
                id="status",
                **common,
            )
            add_report_jobs(scheduler, self._fire, self.settings, self.zone, common)
            scheduler.start()
            self._scheduler = scheduler
            for job in scheduler.get_jobs():
                log.info("schedule.next", job=job.id, next_fire_time=str(job.next_run_time))
            if self.nightly_now:
                scheduler.add_job(self._fire, args=["nightly", self._nightly], id="nightly_now")
            try:
                await self._stopping.wait()
            finally:
                # APScheduler's shutdown cancels the job tasks it started: a running drain would
                # lose its grace period and a claim in flight its result. Stop firing, wind our
                # jobs down ourselves, and only then let it shut down.
                scheduler.pause()
                await self._wind_down()
                scheduler.shutdown(wait=False)
        self.store.engine.dispose()
        log.info("worker.stopped")
        return 0

    async def _startup_recovery(self) -> None:
        """Before anything else: replay the journal and take over leases of our dead processes."""
        async with job_context(
            self.settings,
            job="startup",
            store=self.store,
            browser=self._browser,
            portal_metrics=self._portal_metrics,
        ) as ctx:
            await replay_journal(ctx)
            await take_over_dead_local_leases(ctx)

    async def _fire(self, name: str, body: Callable[[JobContext], Awaitable[Any]]) -> None:
        if self._stopping.is_set():
            return
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        try:
            async with job_context(
                self.settings,
                job=name,
                store=self.store,
                browser=self._browser,
                portal_metrics=self._portal_metrics,
            ) as ctx:
                self._contexts[id(ctx)] = ctx
                if self._stopping.is_set():  # the signal came while the context was opening
                    ctx.stop.set()
                log.debug("job.started", job=name, run_id=ctx.run_id)
                try:
                    await body(ctx)
                finally:
                    self._contexts.pop(id(ctx), None)
        except Exception:
            log.exception("job.failed", job=name)
        except asyncio.CancelledError:
            # only the wind-down cancels a job, once the grace period is over; it said so already
            log.warning("job.cancelled", job=name)
        finally:
            self._running.discard(task)

    async def _nightly(self, ctx: JobContext) -> None:
        from apscheduler.triggers.cron import CronTrigger

        trigger = CronTrigger.from_crontab(self.settings.scheduler.nightly_cron, timezone=self.zone)
        slot = last_fire_time(trigger, dt.datetime.now(self.zone), NIGHTLY_LOOKBACK)
        async with self._nightly_lock:
            summary = await nightly.run(ctx, scheduled_for=slot)
        log.info("job.summary", **summary.as_json())
        if self.exit_when_drained:
            self.request_stop()

    async def _queue_poll(self, ctx: JobContext) -> None:
        if self._nightly_lock.locked():
            return  # the nightly run is draining already
        summary = await submit.run(ctx)
        if summary.submitted or summary.failed or summary.rejected:
            log.info("job.summary", **summary.as_json())

    async def _status(self, ctx: JobContext) -> None:
        if self._nightly_lock.locked():
            return  # the nightly run polls statuses itself when its drain is done
        await status.run(ctx)

    async def _resync_requests(self, ctx: JobContext) -> None:
        await resync_requests.run(ctx)

    async def _actions(self, ctx: JobContext) -> None:
        await action_requests.run(ctx)

    async def _fire_actions(self) -> None:
        """The action poll runs often: build a job only when a request waits."""
        if await asyncio.to_thread(self.store.action_requests_due):
            await self._fire("actions", self._actions)

    async def _wind_down(self) -> None:
        """Let in-flight jobs finish within the grace period; cancel (and hand back) the rest."""
        grace = self.settings.queue.shutdown_grace_s
        running = list(self._running)
        if not running:
            return
        _done, pending = await asyncio.wait(running, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("worker.grace_expired", cancelled=len(pending))
            await asyncio.wait(pending, timeout=10)


def run_daemon(settings: Settings, *, nightly_now: bool, exit_when_drained: bool) -> int:
    daemon = WorkerDaemon(settings, nightly_now=nightly_now, exit_when_drained=exit_when_drained)
    return asyncio.run(daemon.run())
