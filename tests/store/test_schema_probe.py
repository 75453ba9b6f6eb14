"""The schema probe and the missing-table error, on each backend: a database never set up is told
apart from one that is ready, and names the tables it lacks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from config.settings import DatabaseSettings
from connectors.oracle.engine import create_engine
from connectors.oracle.errors import TableMissing
from connectors.oracle.store import Store
from connectors.oracle.tables import EBS_STAND_IN_TABLES, WORKER_TABLES
from tests.conftest import fresh_pg_schema
from tests.support.books.ebs import ORG


def test_schema_gaps_none_on_a_ready_schema(engine: sa.Engine) -> None:
    """With every table created, the probe finds nothing missing and leaks no connection."""
    gaps = Store(engine, org_ids=[ORG]).schema_gaps()
    assert not gaps
    assert gaps.worker_tables == () and gaps.ebs_tables == ()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.external_service)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A database (SQLite file, or a fresh PostgreSQL schema) with no table at all."""
    if request.param == "sqlite":
        eng = create_engine(DatabaseSettings(url=f"sqlite:///{tmp_path / 'empty.db'}"))
        yield eng
        eng.dispose()
        return
    with fresh_pg_schema("arw_empty") as url:
        eng = create_engine(DatabaseSettings(url=url))
        yield eng
        eng.dispose()


def test_schema_gaps_name_every_missing_table(empty_engine: sa.Engine) -> None:
    """An empty database lacks every table; after ``db init`` without stand-ins, only EBS's."""
    store = Store(empty_engine, org_ids=[ORG])
    gaps = store.schema_gaps()
    assert gaps.worker_tables == WORKER_TABLES
    assert gaps.ebs_tables == EBS_STAND_IN_TABLES
    store.create_schema(include_ebs_stand_ins=False)
    gaps = store.schema_gaps()
    assert gaps.worker_tables == ()
    assert gaps.ebs_tables == EBS_STAND_IN_TABLES
    assert empty_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_verb_on_a_missing_table_raises_table_missing(empty_engine: sa.Engine) -> None:
    """A store verb that meets no table raises TableMissing naming it, not a driver error."""
    store = Store(empty_engine, org_ids=[ORG])
    with pytest.raises(TableMissing) as info:
        store.status_counts()
    assert info.value.table_name == "xx_arw_submissions"
