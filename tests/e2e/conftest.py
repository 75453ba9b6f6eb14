"""End-to-end fixtures: the CLI as a subprocess, on a fresh SQLite file, against stand-in portals.

The stand-in portal runs in this test process (a background thread); the worker runs as
``python -m worker`` in its own process, exactly as a user or a scheduler would run it, so a test
can kill it, restart it, and read the database and the portal afterwards
(:class:`~tests.support.workspace.Workspace`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from config.settings import DatabaseSettings
from connectors.oracle.engine import create_engine
from connectors.oracle.store import Store
from sandbox.faults import Faults
from sandbox.seeder import portal_catalog, seed_demo_book
from sandbox.server import RunningSandbox, start_sandbox
from tests.support.workspace import (
    DEFAULT_ACCOUNTS,
    TODAY,
    Workspace,
    base_env,
    enable_only,
)


@pytest.fixture
def make_workspace(tmp_path: Path) -> Iterator[Callable[..., Workspace]]:
    """Build a seeded SQLite database whose portal accounts point at a fresh stand-in portal."""
    sandboxes: list[RunningSandbox] = []

    def make(
        accounts: tuple[str, ...] | None = DEFAULT_ACCOUNTS,
        faults: Faults | None = None,
        families: tuple[str, ...] = ("coupa",),
    ) -> Workspace:
        catalog = portal_catalog(today=TODAY, families=families)
        sandbox = start_sandbox(catalog, faults=faults or Faults())
        sandboxes.append(sandbox)
        db_url = f"sqlite:///{tmp_path / 'arworker.db'}"
        store = Store(create_engine(DatabaseSettings(url=db_url)), org_ids=[204])
        store.create_schema(include_ebs_stand_ins=True)
        seed_demo_book(
            store.engine,
            portal_base_url=sandbox.url,
            today=TODAY,
            secrets_dir=tmp_path / "secrets",
            families=families,
        )
        if accounts is not None:
            enable_only(store, accounts)
        store.engine.dispose()
        return Workspace(
            root=tmp_path, db_url=db_url, sandbox=sandbox, env=base_env(tmp_path, db_url)
        )

    yield make
    for sandbox in sandboxes:
        sandbox.stop()


@pytest.fixture
def workspace(make_workspace: Callable[..., Workspace]) -> Workspace:
    """The default world: two enrolled customers on a fault-free Coupa stand-in."""
    return make_workspace()
