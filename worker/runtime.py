"""The composition root: settings → engine → store → browser → portal gateway → JobContext.

The only place that knows how the pieces fit; jobs receive the finished ``JobContext``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import structlog
from pydantic import SecretStr

from config.secrets import resolve_secret
from config.settings import Settings
from connectors.oracle.engine import create_engine
from connectors.oracle.errors import StoreUnavailable
from connectors.oracle.notes import NoteSettings
from connectors.oracle.store import Store
from jobs.context import JobContext, Progress
from jobs.lease_owner import this_worker
from worker.logging import register_secret

if TYPE_CHECKING:
    from connectors.portals.gateway import PortalGateway
    from worker.metrics import PortalMetrics


def new_run_id(job: str) -> str:
    return f"{job}-{uuid.uuid4().hex[:12]}"


def build_store(settings: Settings) -> Store:
    db = settings.database
    return Store(
        create_engine(db),
        org_ids=db.org_ids,
        include_debit_memos=db.include_debit_memos,
        notes=NoteSettings(mode=db.notes_mode, entered_by=db.note_user_id, note_type=db.note_type),
    )


def secret_resolver(settings: Settings) -> Callable[[str], SecretStr]:
    def resolve(ref: str) -> SecretStr:
        secret = resolve_secret(ref, settings.secrets_dir)
        register_secret(secret.get_secret_value())
        return secret

    return resolve


@asynccontextmanager
async def job_context(
    settings: Settings,
    *,
    job: str,
    store: Store | None = None,
    browser: Any = None,
    on_progress: Callable[[Progress], None] | None = None,
    portal_metrics: PortalMetrics | None = None,
) -> AsyncIterator[JobContext]:
    """Everything a job needs, opened in order and closed in reverse, even on errors.

    A daemon passes its long-lived ``browser`` (one Chromium per process); a one-shot command
    lets this open and close its own. The portal gateway is new per run: logins and portals
    paused in one run are tried again in the next.
    """
    from connectors.portals.browser import BrowserRuntime

    own_store = store is None
    store = store or build_store(settings)
    run_id = new_run_id(job)
    log: Any = structlog.get_logger("arworker").bind(run_id=run_id, job=job)
    try:
        await _align_authenticator_clock(store, log)
        async with contextlib.AsyncExitStack() as stack:
            if browser is None:
                browser = await stack.enter_async_context(BrowserRuntime(settings.browser))
            yield JobContext(
                settings=settings,
                store=store,
                portals=build_gateway(settings, browser, portal_metrics),
                log=log,
                run_id=run_id,
                worker_name=this_worker(),
                resolve_secret=secret_resolver(settings),
                on_progress=on_progress,
            )
    finally:
        if own_store:
            store.engine.dispose()


async def _align_authenticator_clock(store: Store, log: Any) -> None:
    """Authenticator codes follow the database's clock when this host's is off (see
    :mod:`connectors.portals.login_codes`); measured at the start of every run."""
    from connectors.portals.login_codes import TOLERATED_SKEW_S, follow_database_clock

    try:
        database_now = await asyncio.to_thread(store.db_now)
    except StoreUnavailable:
        return  # the run will say so; codes keep the host's clock meanwhile
    offset_s = (database_now - dt.datetime.now(dt.UTC)).total_seconds()
    if follow_database_clock(offset_s):
        log.error(
            "host.clock_skew",
            offset_s=round(offset_s, 1),
            tolerated_s=TOLERATED_SKEW_S,
            fix="this host's clock is off the database server's: fix its time sync (NTP); "
            "authenticator codes use the database's time meanwhile",
        )


def build_gateway(
    settings: Settings, browser: Any, portal_metrics: PortalMetrics | None = None
) -> PortalGateway:
    """A fresh gateway (fresh login and portal pauses) over the process's browser; with
    ``portal_metrics``, one that times and counts its operations for Prometheus."""
    from connectors.portals.gateway import PortalGateway
    from connectors.portals.registry import driver_for, known_families

    drivers = {family: driver_for(family) for family in known_families()}
    options: dict[str, Any] = {
        "portal_caps": settings.browser.portal_max_pages,
        "portal_pacing_s": settings.browser.portal_pacing_s,
    }
    if portal_metrics is not None:
        from worker.metrics import InstrumentedGateway

        return InstrumentedGateway(
            browser, drivers, settings.queue, metrics=portal_metrics, **options
        )
    return PortalGateway(browser, drivers, settings.queue, **options)
