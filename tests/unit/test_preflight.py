"""Start-up checks say what to run for each kind of missing table, and refuse no supplier."""

from __future__ import annotations

from config.settings import Settings, SupplierSettings
from connectors.oracle.schema_probe import SchemaGaps
from worker.preflight import database_problems, supplier_problems

URL = "sqlite:///var/arworker.db"


def test_nothing_missing_nothing_said() -> None:
    """A ready database has no problem."""
    assert database_problems(SchemaGaps(), url=URL, dialect="sqlite") == []


def test_empty_embedded_database_one_fix() -> None:
    """Off Oracle, `db init` also creates the EBS stand-ins: one line, one command."""
    gaps = SchemaGaps(worker_tables=("xx_arw_submissions",), ebs_tables=("hz_parties",))
    (problem,) = database_problems(gaps, url=URL, dialect="sqlite")
    assert problem == (
        "database sqlite:///var/arworker.db: the worker's tables are missing "
        "(XX_ARW_SUBMISSIONS); run `arworker db init` to create them"
    )


def test_oracle_points_at_the_dba_scripts() -> None:
    """On Oracle the worker's tables come from install.sql and EBS's from grants.sql."""
    gaps = SchemaGaps(worker_tables=("xx_arw_events",), ebs_tables=("ra_customer_trx_all",))
    worker, ebs = database_problems(
        gaps, url="oracle+oracledb://@db/?service_name=X", dialect="oracle"
    )
    assert "install.sql and grants.sql" in worker and "ORA-00942" in worker
    assert "EBS tables are missing or this login may not read them (RA_CUSTOMER_TRX_ALL)" in ebs
    assert "grants.sql" in ebs


def test_only_ebs_tables_missing() -> None:
    """Worker tables present, EBS stand-ins absent: the stand-ins and the seed are the fix."""
    (problem,) = database_problems(SchemaGaps(ebs_tables=("fnd_lobs",)), url=URL, dialect="sqlite")
    assert "(FND_LOBS)" in problem and "`arworker db init --ebs-stand-ins`" in problem


def test_supplier_name_required() -> None:
    """No supplier name is a problem naming the key; a name is enough."""
    (problem,) = supplier_problems(Settings())
    assert problem.startswith("supplier.name (ARWORKER_SUPPLIER__NAME): not set")
    named = Settings(supplier=SupplierSettings(name="Northwind Supply Co."))
    assert supplier_problems(named) == []
