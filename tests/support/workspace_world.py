"""A seeded world for module-scoped workspace tests: database, secrets and a Coupa stand-in.

Like ``make_workspace`` of ``conftest.py``, but usable from a module-scoped fixture, and able to
leave some customers not enrolled at all (so a test can enrol them through the workspace).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from config.settings import DatabaseSettings
from connectors.oracle.engine import create_engine
from connectors.oracle.store import Store
from sandbox.faults import Faults
from sandbox.seeder import portal_catalog, seed_demo_book
from sandbox.server import start_sandbox
from tests.support.workspace import TODAY, Workspace, base_env, enable_only


@contextmanager
def make_world(
    root: Path,
    *,
    accounts: tuple[str, ...],
    unenrolled: tuple[str, ...] = (),
    families: tuple[str, ...] = ("coupa",),
    open_invoices: tuple[str, ...] | None = None,
    faults: Faults | None = None,
) -> Iterator[Workspace]:
    """Seed ``root``'s database; only ``accounts`` enabled, ``unenrolled`` without a row, and
    (to keep runs short) only ``open_invoices`` left open when given."""
    sandbox = start_sandbox(portal_catalog(today=TODAY, families=families), faults=faults)
    try:
        db_url = f"sqlite:///{root / 'arworker.db'}"
        store = Store(create_engine(DatabaseSettings(url=db_url)), org_ids=[204])
        store.create_schema(include_ebs_stand_ins=True)
        seed_demo_book(
            store.engine,
            portal_base_url=sandbox.url,
            today=TODAY,
            secrets_dir=root / "secrets",
            families=families,
        )
        enable_only(store, accounts)
        if unenrolled:
            pa = store.md.tables["xx_arw_portal_accounts"]
            acct = store.md.tables["hz_cust_accounts"]
            ids = sa.select(acct.c.cust_account_id).where(acct.c.account_number.in_(unenrolled))
            with store.engine.begin() as conn:
                conn.execute(sa.delete(pa).where(pa.c.cust_account_id.in_(ids)))
        if open_invoices is not None:
            ps = store.md.tables["ar_payment_schedules_all"]
            with store.engine.begin() as conn:
                conn.execute(
                    sa.update(ps)
                    .where(ps.c.trx_number.not_in(open_invoices))
                    .values(status="CL", amount_due_remaining=0)
                )
        store.engine.dispose()
        yield Workspace(root=root, db_url=db_url, sandbox=sandbox, env=base_env(root, db_url))
    finally:
        sandbox.stop()
