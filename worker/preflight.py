"""What a command checks before it starts work, so that a mistake stops it at once with the fix,
not at 02:00 in the middle of a run with a traceback.

Before any browser is launched or any row claimed: every portal driver and recipe loads, the
supplier that rendered PDFs name is configured (for the commands that may upload), and the
database holds the tables the worker needs. All problems are reported together as one
:class:`~config.settings.ConfigError`, which the CLI turns into exit status 2.
"""

from __future__ import annotations

from config.settings import ConfigError, Settings
from connectors.oracle.schema_probe import SchemaGaps
from connectors.oracle.store import Store
from connectors.portals.portal_checks import check_portals


class DatabaseNotReady(ConfigError):
    """The database lacks tables the worker needs; the message says what to run."""


def supplier_problems(settings: Settings) -> list[str]:
    """The supplier name is needed before anything is uploaded: see SupplierSettings."""
    if settings.supplier.name is not None:
        return []
    return [
        "supplier.name (ARWORKER_SUPPLIER__NAME): not set; it is printed as the seller on the "
        "PDF arworker renders for an invoice that has none in EBS, and nightly, submit, resync "
        "and run refuse to start without it rather than send a placeholder to a customer; set "
        "it with the address and tax id, e.g. [supplier] name = 'Northwind Supply Co.'"
    ]


def database_problems(gaps: SchemaGaps, *, url: str, dialect: str) -> list[str]:
    """What to run for each kind of missing table."""
    problems = []
    if gaps.worker_tables:
        names = ", ".join(n.upper() for n in gaps.worker_tables)
        fix = "run `arworker db init` to create them"
        if dialect == "oracle":
            fix += (
                " (on Oracle EBS, your DBA runs connectors/oracle/ddl/install.sql and "
                "grants.sql instead; ORA-00942 also means this login lacks the grant)"
            )
        problems.append(f"database {url}: the worker's tables are missing ({names}); {fix}")
    if gaps.ebs_tables and (dialect == "oracle" or not gaps.worker_tables):
        # elsewhere `db init` creates the EBS stand-ins with the worker's tables: one fix
        names = ", ".join(n.upper() for n in gaps.ebs_tables)
        problems.append(
            f"database {url}: EBS tables are missing or this login may not read them ({names}); "
            "on Oracle EBS, run connectors/oracle/ddl/grants.sql; for the embedded demo "
            "database, run `arworker db init --ebs-stand-ins` and `arworker db seed`"
        )
    return problems


def database_not_ready(store: Store) -> DatabaseNotReady | None:
    """The error to stop with when the store's database lacks tables, else None."""
    problems = database_problems(
        store.schema_gaps(),
        url=store.engine.url.render_as_string(hide_password=True),
        dialect=store.engine.dialect.name,
    )
    if not problems:
        return None
    return DatabaseNotReady(
        "the database is not ready:\n  " + "\n  ".join(problems), problems=problems
    )


def check_before_start(settings: Settings, *, command: str, uploads: bool, database: bool) -> None:
    """Raise one ConfigError with every problem that would stop ``command``; change nothing.

    ``uploads``: the command may upload (so render a PDF naming the supplier); ``database``:
    it reads the worker's tables. The portal drivers are always checked.
    """
    problems = check_portals().problems
    if uploads:
        problems += supplier_problems(settings)
    if database:
        from worker.runtime import build_store

        store = build_store(settings)
        try:
            not_ready = database_not_ready(store)
        finally:
            store.engine.dispose()
        if not_ready is not None:
            problems += not_ready.problems
    if problems:
        raise ConfigError(
            f"arworker {command} cannot start:\n  " + "\n  ".join(problems), problems=problems
        )
