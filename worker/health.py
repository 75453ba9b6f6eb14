"""Liveness and readiness, the same on the worker's operator port and the web workspace.

``/healthz`` answers as long as the process serves requests (a supervisor restarts it when it
does not). ``/readyz`` says whether it can do its job now: the database answers, and for a
worker, its scheduler runs and its local journal of outcomes is empty (a non-empty journal means
outcomes wait for the database, so the worker is not caught up).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors.oracle.errors import StoreError
from jobs.outcome_journal import OutcomeJournal

if TYPE_CHECKING:
    from connectors.oracle.store import Store


@dataclass(kw_only=True)
class ReadinessChecks:
    """What ``/readyz`` checks; the worker adds its scheduler and journal."""

    store: Store
    scheduler_running: Callable[[], bool] | None = None
    journal_path: Path | None = None
    results: dict[str, str] = field(default_factory=dict)

    def run(self) -> tuple[bool, dict[str, str]]:
        results: dict[str, str] = {}
        try:
            self.store.database_ping()
            results["database"] = "ok"
        except StoreError as exc:
            results["database"] = f"unreachable: {str(exc)[:200]}"
        if self.scheduler_running is not None:
            results["scheduler"] = "ok" if self.scheduler_running() else "not running"
        if self.journal_path is not None:
            backlog = len(OutcomeJournal(self.journal_path).pending())
            results["journal"] = "ok" if backlog == 0 else f"{backlog} outcomes not yet recorded"
        return all(v == "ok" for v in results.values()), results


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "alive"}, headers={"Cache-Control": "no-store"})


def readyz_endpoint(checks: ReadinessChecks) -> Callable[[Request], Awaitable[Response]]:
    """A ``/readyz`` handler: 200 when every check passes, 503 with the failing ones."""
    import asyncio

    async def readyz(request: Request) -> Response:
        ready, results = await asyncio.to_thread(checks.run)
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": results},
            status_code=200 if ready else 503,
            headers={"Cache-Control": "no-store"},
        )

    return readyz
