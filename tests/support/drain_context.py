"""A ``JobContext`` for driving the queue drain against a real store, with no portal reached.

The browser is never started: the tests using it stop the drain (or run only its producer)
before any item goes to a portal, and a secret asked for fails the test.
"""

from __future__ import annotations

from pathlib import Path

import structlog
from pydantic import SecretStr

from config.settings import QueueSettings, Settings
from connectors.oracle.store import Store
from connectors.portals.browser import BrowserRuntime
from connectors.portals.gateway import PortalGateway
from jobs.context import JobContext
from jobs.lease_owner import this_worker


def _no_secret(ref: str) -> SecretStr:
    raise AssertionError(f"no portal is reached in this test, yet secret {ref!r} was asked for")


def drain_context(
    store: Store, tmp_path: Path, *, run_id: str, claim_batch: int | None = None
) -> JobContext:
    """The drain's context on ``store``; ``claim_batch`` overrides the queue's default."""
    queue = {"claim_batch": claim_batch} if claim_batch is not None else {}
    settings = Settings(
        secrets_dir=tmp_path / "secrets",
        queue=QueueSettings(journal_path=tmp_path / "journal.jsonl", **queue),
    )
    return JobContext(
        settings=settings,
        store=store,
        portals=PortalGateway(BrowserRuntime(settings.browser), {}, settings.queue),
        log=structlog.get_logger("test"),
        run_id=run_id,
        worker_name=this_worker(),
        resolve_secret=_no_secret,
        clock=store.clock,
    )
