"""The daemon's report jobs: the monthly report, the collectors' digest, and their upkeep.

Each scheduled run is identified by its cron slot (the fire time), recorded in XX_ARW_JOB_RUNS,
so a fleet builds each report once and a restart does not build it twice. A slot nobody has
completed is caught up, within a window (a monthly report three days late is still wanted; a
morning digest in the evening is not): when the worker starts, and by the upkeep job, which
every ``delivery_retry_interval_s`` also sends the e-mails whose retry time has come. A slot whose
run failed, or whose worker died mid-run, is tried again an hour later, not at every poll.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from config.settings import Settings
from jobs.context import JobContext
from jobs.reports.delivery import send_pending
from jobs.reports.digest import JOB_NAME as DIGEST_JOB
from jobs.reports.digest import run_digest
from jobs.reports.monthly import JOB_NAME as MONTHLY_JOB
from jobs.reports.monthly import run_monthly

MONTHLY_LOOKBACK = dt.timedelta(days=35)
MONTHLY_CATCH_UP = dt.timedelta(days=3)
DIGEST_LOOKBACK = dt.timedelta(days=2)
DIGEST_CATCH_UP = dt.timedelta(hours=4)
#: a failed (or abandoned) run of a slot is tried again after this long
RERUN_AFTER = dt.timedelta(hours=1)

log = structlog.get_logger("arworker.scheduler")

Fire = Callable[[str, Callable[[JobContext], Awaitable[Any]]], Awaitable[None]]


def add_report_jobs(
    scheduler: Any, fire: Fire, settings: Settings, zone: ZoneInfo, common: dict[str, Any]
) -> None:
    """Register the report jobs on the daemon's scheduler (and their start-up catch-up)."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    s = settings.scheduler
    plans = []
    if settings.reports.monthly_enabled:
        plans.append((MONTHLY_JOB, s.monthly_report_cron, MONTHLY_LOOKBACK, MONTHLY_CATCH_UP))
    if settings.reports.digest_enabled:
        plans.append((DIGEST_JOB, s.digest_cron, DIGEST_LOOKBACK, DIGEST_CATCH_UP))
    catch_ups = []
    for name, cron, lookback, window in plans:
        trigger = CronTrigger.from_crontab(cron, timezone=zone)
        scheduler.add_job(
            fire, trigger, args=[name, _scheduled(name, trigger, lookback)], id=name, **common
        )
        catch_ups.append(_catch_up(name, trigger, lookback, window))
    if not catch_ups and not settings.mail.enabled:
        return
    upkeep = _upkeep(catch_ups, send=settings.mail.enabled)
    scheduler.add_job(fire, args=["report_upkeep", upkeep], id="report_upkeep_at_start")
    scheduler.add_job(
        fire,
        IntervalTrigger(seconds=s.delivery_retry_interval_s, timezone=zone),
        args=["report_upkeep", upkeep],
        id="report_upkeep",
        **common,
    )


def needs_a_run(run: dict[str, Any] | None, now: dt.datetime) -> bool:
    """Whether a slot with this recorded run (None: none yet) should be run (again)."""
    if run is None:
        return True
    if run["status"] == "COMPLETED":
        return False
    last = run["finished_at"] or run["started_at"]
    return bool(now - last >= RERUN_AFTER)


def _run(name: str) -> Callable[..., Awaitable[Any]]:
    return run_monthly if name == MONTHLY_JOB else run_digest


def _slot(trigger: Any, lookback: dt.timedelta) -> dt.datetime:
    from worker.scheduler import last_fire_time

    return last_fire_time(trigger, dt.datetime.now(trigger.timezone), lookback)


def _scheduled(
    name: str, trigger: Any, lookback: dt.timedelta
) -> Callable[[JobContext], Awaitable[None]]:
    async def body(ctx: JobContext) -> None:
        summary = await _run(name)(ctx, scheduled_for=_slot(trigger, lookback))
        log.info("job.summary", job=name, summary=summary.text())

    return body


def _catch_up(
    name: str, trigger: Any, lookback: dt.timedelta, window: dt.timedelta
) -> Callable[[JobContext], Awaitable[None]]:
    async def body(ctx: JobContext) -> None:
        slot = _slot(trigger, lookback)
        now = dt.datetime.now(dt.UTC)
        if not dt.timedelta(0) <= now - slot <= window:
            return
        if not needs_a_run(await ctx.db(ctx.store.job_run_for_slot, name, slot), now):
            return
        log.info("report.catch_up", job=name, scheduled_for=slot.isoformat())
        summary = await _run(name)(ctx, scheduled_for=slot)
        log.info("job.summary", job=name, summary=summary.text())

    return body


def _upkeep(
    catch_ups: list[Callable[[JobContext], Awaitable[None]]], *, send: bool
) -> Callable[[JobContext], Awaitable[None]]:
    async def body(ctx: JobContext) -> None:
        for catch_up in catch_ups:
            try:
                await catch_up(ctx)
            except Exception:  # one report's failure must not keep the other or the mail back
                log.exception("report.catch_up_failed")
        if send:
            counts = await send_pending(ctx)
            if counts.sent or counts.failed or counts.uncertain:
                log.info("report.deliveries", **counts.as_json())

    return body
