"""``arworker demo``: the whole product on one machine, with nothing to set up.

Creates the embedded database and the demo book if missing, serves the stand-in portals on a free
loopback port (re-pointing the demo's portal accounts at it), runs the nightly job through real
headless Chromium, and prints what happened.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import urllib.request
from typing import Any

import structlog

from config.settings import Settings, SupplierSettings
from connectors.oracle.store import Store
from worker.progress import ProgressReporter, summary_table

#: the demo spreads its customers over the three stand-in portal families
DEMO_FAMILIES: tuple[str, ...] = ("coupa", "ariba", "upload")


def seed_if_empty(settings: Settings, store: Store, *, portal_base_url: str) -> str:
    """Create the tables and load the demo book unless the database already holds one."""
    from sandbox.seeder import is_seeded, seed_demo_book

    store.create_schema(include_ebs_stand_ins=True)
    if is_seeded(store.engine):
        return "database already holds a book of business; not seeded again"
    report = seed_demo_book(
        store.engine,
        portal_base_url=portal_base_url,
        today=dt.date.today(),
        families=DEMO_FAMILIES,
        secrets_dir=settings.secrets_dir,
    )
    return f"seeded demo book: {report}"


def _received(base_url: str) -> list[dict[str, Any]]:
    """What the stand-in portals accepted during this demo session."""
    with urllib.request.urlopen(f"{base_url}/__sandbox/received", timeout=10) as response:
        data: list[dict[str, Any]] = json.load(response)
    return data


def with_demo_supplier(settings: Settings) -> Settings:
    """The demo bills as the demo book's supplier, unless a supplier is configured."""
    if settings.supplier.name is not None:
        return settings
    from sandbox.book import REMIT_TO, SUPPLIER_ADDRESS, SUPPLIER_NAME

    demo = SupplierSettings(name=SUPPLIER_NAME, address=list(SUPPLIER_ADDRESS), remit_to=REMIT_TO)
    return settings.model_copy(update={"supplier": demo})


def run_demo(
    settings: Settings,
    *,
    port: int,
    as_json: bool,
    customers: int | None = None,
    serve: bool = False,
) -> int:
    """Seed if needed, serve the stand-ins, run the nightly job over the first ``customers``
    customers of the demo book (all when ``None``), and print the summary; with ``serve``, keep
    the portals up and serve the workspace on the demo database afterwards."""
    settings = with_demo_supplier(settings)
    from jobs import nightly
    from sandbox.seeder import enable_demo_accounts, portal_catalog, repoint_portal_accounts
    from sandbox.server import start_sandbox
    from worker.runtime import build_store, job_context

    log = structlog.get_logger("arworker.demo")
    store = build_store(settings)
    catalog = portal_catalog(today=dt.date.today(), families=DEMO_FAMILIES)
    reporter = ProgressReporter()
    try:
        with start_sandbox(catalog, port=port) as sandbox:
            log.info("demo.sandbox_started", url=sandbox.url)
            log.info(
                "demo.seed", result=seed_if_empty(settings, store, portal_base_url=sandbox.url)
            )
            moved = repoint_portal_accounts(store.engine, sandbox.url)
            if moved:
                log.info("demo.portal_accounts_repointed", count=moved, url=sandbox.url)
            enabled = enable_demo_accounts(store.engine, customers)
            log.info("demo.portal_accounts_enabled", count=enabled)

            async def go() -> Any:
                async with job_context(
                    settings, job="nightly", store=store, on_progress=reporter
                ) as ctx:
                    return await nightly.run(ctx)

            summary = asyncio.run(go())
            reporter.close()
            received = _received(sandbox.url)
            if serve:
                _print_summary(settings, summary, received, as_json=as_json)
                from worker.demo_serve import serve_demo

                return serve_demo(settings, store, portals_url=sandbox.url)
    finally:
        store.engine.dispose()
    _print_summary(settings, summary, received, as_json=as_json)
    if not as_json:
        print(
            "  see it in the collector workspace: ./run.sh demo --serve "
            f"(then open http://{settings.web.host}:{settings.web.port}/)"
        )
    return 0


def _print_summary(settings: Settings, summary: Any, received: list[Any], *, as_json: bool) -> None:
    from worker.runtime import build_store

    counts_store = build_store(settings)
    counts = counts_store.status_counts()
    counts_store.engine.dispose()
    data = summary.as_json() | {"portal_received": len(received), "queue": counts}
    if as_json:
        print(json.dumps(data, default=str))
    else:
        print(summary_table(summary.as_json(), counts))
        print(f"  stand-in portals received {len(received)} invoices in this demo session")
