"""``arworker demo --serve``: after the demo's nightly run, keep everything up to look at.

The stand-in portals stay up, a worker (``arworker run``, in a child process) picks up what the
workspace's buttons ask for, and the workspace serves the demo database, with a demo user whose
password is printed once. Ctrl-C stops all three.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from typing import Any

from config.settings import Settings
from connectors.oracle.store import Store

DEMO_USER = "demo"
#: the worker of the demo reacts within seconds to the workspace's buttons
DEMO_POLL_S = "2"


def ensure_demo_user(store: Store) -> str:
    """Create (or reset) the demo admin with a fresh password; returns the password."""
    from jobs.actions import Actor, Channel, Role
    from worker.web.credentials import hash_password

    password = secrets.token_urlsafe(12)
    actor = Actor(name="arworker demo", role=Role.ADMIN, channel=Channel.CLI)
    hashed = hash_password(password)
    if store.web_user(DEMO_USER) is None:
        store.add_web_user(
            user_name=DEMO_USER,
            role=Role.ADMIN.value,
            password_hash=hashed,
            display_name="Demo collector",
            collector_id=_first_collector(store),
            audit=actor.audit("ADD_USER", "USER", DEMO_USER, detail="demo admin"),
        )
    else:
        store.update_web_user(
            DEMO_USER,
            changes={"password_hash": hashed, "enabled_flag": True},
            audit=actor.audit("USER_SET_PASSWORD", "USER", DEMO_USER, detail="demo --serve"),
        )
    return password


def _first_collector(store: Store) -> int | None:
    collectors = store.active_collectors()
    return int(collectors[0]["collector_id"]) if collectors else None


def serve_demo(settings: Settings, store: Store, *, portals_url: str) -> int:
    """Serve the workspace in the foreground, with a worker beside it, until Ctrl-C."""
    import uvicorn

    from worker.web.app import create_app

    password = ensure_demo_user(store)
    web = settings.web
    env = dict(os.environ) | {
        "ARWORKER_SCHEDULER__ACTION_POLL_INTERVAL_S": DEMO_POLL_S,
        "ARWORKER_SCHEDULER__RESYNC_POLL_INTERVAL_S": DEMO_POLL_S,
    }
    worker = subprocess.Popen(  # the worker's logs go to this terminal's stderr
        [sys.executable, "-m", "worker", "run"], env=env, stdout=subprocess.DEVNULL
    )
    print(
        f"\n  collector workspace   http://{web.host}:{web.port}/\n"
        f"  sign in as            {DEMO_USER} / {password}\n"
        f"  stand-in portals      {portals_url}\n"
        "  a worker is running beside it: Resync, Retry now and Test login are picked up "
        "within seconds.\n  Ctrl-C stops the workspace, the worker and the portals.\n",
        flush=True,
    )
    try:
        uvicorn.run(
            create_app(settings, store),
            host=web.host,
            port=web.port,
            log_level="warning",
            access_log=False,
            log_config=None,
        )
    finally:
        _stop(worker)
    return 0


def _stop(worker: subprocess.Popen[Any]) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
