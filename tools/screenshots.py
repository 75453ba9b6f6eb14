"""Regenerate the workspace screenshots in ``docs/`` from the demo book (never hand-drawn).

    .venv/bin/python tools/screenshots.py            # writes docs/workspace-overview.png and
                                                      # docs/workspace-worklist.png

It seeds a throw-away SQLite database with the demo book, serves the stand-in portals, runs the
nightly job over the first customers (one per portal family) through real headless Chromium, then
serves the workspace and photographs the overview and the action-needed worklist as a collector
sees them. Development tooling: not shipped in the wheel.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import socket
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pydantic import SecretStr  # noqa: E402

if TYPE_CHECKING:
    from playwright.async_api import ViewportSize

VIEWPORT: ViewportSize = {"width": 1360, "height": 900}
PASSWORD = "screenshots-only-password"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_started(server: object) -> None:
    import time

    while not getattr(server, "started", False):
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    parser.add_argument("--customers", type=int, default=6, help="customers in the nightly run")
    args = parser.parse_args()
    from connectors.portals.chromium import find_chromium

    chromium = find_chromium()  # a sync look-up: before the event loop runs
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(_make(Path(tmp), args.out, args.customers, chromium))
    return 0


async def _make(root: Path, out: Path, customers: int, chromium: Path) -> None:
    import uvicorn
    from playwright.async_api import async_playwright

    from config.settings import (
        BrowserSettings,
        DatabaseSettings,
        QueueSettings,
        Settings,
        WebSettings,
    )
    from connectors.portals.chromium import launch_args
    from jobs import nightly
    from jobs.actions import Actor, Channel, Role
    from sandbox.seeder import enable_demo_accounts, portal_catalog
    from sandbox.server import start_sandbox
    from worker.demo import DEMO_FAMILIES, seed_if_empty
    from worker.logging import configure_logging
    from worker.runtime import build_store, job_context
    from worker.web.app import create_app
    from worker.web.credentials import hash_password

    configure_logging(level="WARNING", fmt="console")
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite:///{root / 'demo.db'}"),
        secrets_dir=root / "secrets",
        browser=BrowserSettings(artifacts_dir=root / "artifacts", state_dir=root / "state"),
        queue=QueueSettings(journal_path=root / "journal.jsonl"),
        web=WebSettings(session_secret=SecretStr("screenshots" * 4)),
    )
    store = build_store(settings)
    catalog = portal_catalog(today=dt.date.today(), families=DEMO_FAMILIES)
    with start_sandbox(catalog) as sandbox:
        seed_if_empty(settings, store, portal_base_url=sandbox.url)
        enable_demo_accounts(store.engine, customers)
        async with job_context(settings, job="nightly", store=store) as ctx:
            await nightly.run(ctx)
        collector = store.active_collectors()[0]
        store.add_web_user(
            user_name="maria",
            role="COLLECTOR",
            display_name=str(collector["name"]),
            password_hash=hash_password(PASSWORD),
            collector_id=int(collector["collector_id"]),
            audit=Actor(name="screenshots", role=Role.ADMIN, channel=Channel.CLI).audit(
                "ADD_USER", "USER", "maria"
            ),
        )
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, store),
                host="127.0.0.1",
                port=port,
                log_level="warning",
                log_config=None,
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        await asyncio.to_thread(_wait_started, server)
        try:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=str(chromium), args=launch_args(lean=True)
                )
                page = await browser.new_page(
                    viewport=VIEWPORT, base_url=f"http://127.0.0.1:{port}"
                )
                await page.goto("/login")
                await page.fill("input[name=user_name]", "maria")
                await page.fill("input[name=password]", PASSWORD)
                await page.click("button[type=submit]")
                await page.wait_for_url("**/")
                await page.screenshot(path=out / "workspace-overview.png", full_page=True)
                await page.goto("/worklist")
                await page.screenshot(path=out / "workspace-worklist.png", full_page=False)
                await browser.close()
        finally:
            server.should_exit = True
            thread.join(10)
            store.engine.dispose()
    print(f"wrote {out / 'workspace-overview.png'} and {out / 'workspace-worklist.png'}")


if __name__ == "__main__":
    raise SystemExit(main())
