"""What a job may use: the store, the portals, the settings, a logger, and the run's identity.

Jobs receive everything through this object, so they can be run from the CLI, the scheduler or a
test alike, and never reach for environment variables or the composition root themselves.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from pydantic import SecretStr

from config.settings import Settings
from connectors.oracle.store import Store

if TYPE_CHECKING:
    from connectors.portals.gateway import PortalGateway
    from jobs.portal_pauses import PauseBoard

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True, slots=True)
class Progress:
    """A progress tick: ``done`` items of ``total`` (None when the total is not known yet)."""

    job: str
    done: int
    total: int | None
    last: str


@dataclass(kw_only=True)
class JobContext:
    """The run's resources; built by the worker's composition root."""

    settings: Settings
    store: Store
    portals: PortalGateway
    log: Any  #: a structlog BoundLogger with run_id bound
    run_id: str
    worker_name: str  #: "host/pid/start-epoch": the lease owner of this process
    resolve_secret: Callable[[str], SecretStr]
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    on_progress: Callable[[Progress], None] | None = None
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    #: the run's view of paused logins, portals and outage breakers (built on first use)
    pauses: PauseBoard | None = None

    async def db(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a synchronous store call in a thread, keeping the event loop (and pages) moving."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    @property
    def journal_path(self) -> Path:
        return self.settings.queue.journal_path

    def progress(self, job: str, done: int, total: int | None, last: str) -> None:
        if self.on_progress is not None:
            self.on_progress(Progress(job=job, done=done, total=total, last=last))
