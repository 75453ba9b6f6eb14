"""The nightly run end to end on the server databases: PostgreSQL here, Oracle where it exists.

The same CLI, the same stand-in portal, the same assertions as on SQLite; only the database
URL changes. Oracle runs when ``ARWORKER_TEST_ORACLE_DSN`` is set or Docker can start
``gvenzl/oracle-free``, and is skipped with that reason otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from config.settings import DatabaseSettings
from connectors.oracle.engine import create_engine
from connectors.oracle.store import Store
from sandbox.faults import Faults
from sandbox.seeder import portal_catalog, seed_demo_book
from sandbox.server import start_sandbox
from tests.support.workspace import TODAY, Workspace, assert_exactly_once, base_env, enable_only

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.external_service]

ACCOUNTS = ("1001",)


@pytest.fixture(params=["postgresql", "oracle"])
def server_db(request: pytest.FixtureRequest) -> Iterator[tuple[str, str | None]]:
    """(URL without password, password) of an empty schema on a server database."""
    if request.param == "postgresql":
        yield request.getfixturevalue("pg_schema_url"), None
        return
    from tests.support.oracle_backend import fresh_schema, oracle_admin_url_or_skip

    admin = oracle_admin_url_or_skip(os.environ.get("ARWORKER_TEST_ORACLE_DSN"))
    with fresh_schema(admin) as url:
        password = url.password
        yield url.set(password=None).render_as_string(hide_password=False), password


@pytest.fixture
def server_workspace(server_db: tuple[str, str | None], tmp_path: Path) -> Iterator[Workspace]:
    db_url, password = server_db
    settings = DatabaseSettings(url=db_url, password=password)
    with start_sandbox(portal_catalog(today=TODAY), faults=Faults()) as sandbox:
        store = Store(create_engine(settings), org_ids=[204])
        store.drop_schema()
        store.create_schema(include_ebs_stand_ins=True)
        seed_demo_book(
            store.engine, portal_base_url=sandbox.url, today=TODAY, secrets_dir=tmp_path / "secrets"
        )
        enable_only(store, ACCOUNTS)
        store.engine.dispose()
        env = base_env(tmp_path, db_url)
        if password:
            env["ARWORKER_DATABASE__PASSWORD"] = password
        ws = Workspace(root=tmp_path, db_url=db_url, sandbox=sandbox, env=env)
        ws.database_password = password  # type: ignore[attr-defined]
        yield ws
        store = Store(create_engine(settings), org_ids=[204])
        store.drop_schema()
        store.engine.dispose()


def test_nightly_on_server_database(server_workspace: Workspace) -> None:
    """A nightly run on PostgreSQL/Oracle submits each eligible invoice once with one note each,
    and a second run submits nothing."""
    ws = server_workspace
    assert make_url(ws.db_url).password is None
    first = ws.cli_json("nightly")
    assert first["enqueued"] > 0 and first["failed"] == 0
    settings = DatabaseSettings(url=ws.db_url, password=ws.database_password)  # type: ignore[attr-defined]
    store = Store(create_engine(settings), org_ids=[204])
    try:
        assert_exactly_once(store, ws.received(), ACCOUNTS)
    finally:
        store.engine.dispose()
    again = ws.cli_json("nightly")
    assert again["submitted"] == 0 and again["enqueued"] == 0
